import Synchronization

/// How many requests may be in flight to one provider at once (`providers.<name>.max_connections`), and a
/// bounded, first-come queue for the rest (`limits.max_queue_wait`). A request that waits too long is the
/// gateway's capacity problem, not the provider's failure: it gets 503 `overloaded` with `retry-after`
/// (CONTRACT §0), where AsyncHTTPClient's own pool would fail it as a connection error after the connect
/// timeout.
///
/// A slot is held by a `Lease` and given back when the lease is released — by its owner at the end of a
/// whole answer, and for a stream when the stream (which owns the lease) is gone, on whatever path: finished,
/// failed, client gone, or never started. So no exit path can leak a slot.
final class ConnectionSlots: Sendable {
    let limit: Int

    private struct State {
        var inUse = 0
        var nextTicket: UInt64 = 0
        /// Waiting requests in arrival order; a released slot goes to the first.
        var order: [UInt64] = []
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Holds one slot; `release()` (or the lease's end) gives it back exactly once.
    final class Lease: Sendable {
        private let slots: ConnectionSlots
        private let released = Atomic<Bool>(false)

        fileprivate init(slots: ConnectionSlots) {
            self.slots = slots
        }

        func release() {
            if !released.exchange(true, ordering: .acquiringAndReleasing) { slots.giveBack() }
        }

        deinit { release() }
    }

    var inUse: Int { state.withLock { $0.inUse } }
    var queued: Int { state.withLock { $0.order.count } }

    /// A slot, at once when one is free, else after waiting up to `wait`; nil when none came in time (or the
    /// task was cancelled while waiting).
    func acquire(waitingAtMost wait: Duration) async -> Lease? {
        // The usual case, a free slot: one uncontended lock, no continuation.
        let free = state.withLock { state in
            guard state.inUse < limit, state.order.isEmpty else { return false }
            state.inUse += 1
            return true
        }
        if free { return Lease(slots: self) }
        let ticket = state.withLock { state in
            state.nextTicket += 1
            return state.nextTicket
        }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // Checked again under the same lock that queues the waiter: a slot given back in between
                // is not missed.
                let outcome: Bool? = state.withLock { state in
                    if Task.isCancelled { return false }
                    if state.inUse < limit, state.order.isEmpty {
                        state.inUse += 1
                        return true
                    }
                    state.order.append(ticket)
                    state.waiters[ticket] = continuation
                    return nil
                }
                if let outcome {
                    continuation.resume(returning: outcome)
                    return
                }
                Task { [weak self] in
                    try? await Task.sleep(for: wait)
                    self?.abandon(ticket)
                }
            }
        } onCancel: {
            abandon(ticket)
        }
        return granted ? Lease(slots: self) : nil
    }

    /// Ends a wait that is still queued: its request gets no slot.
    private func abandon(_ ticket: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard let continuation = state.waiters.removeValue(forKey: ticket) else { return nil }
            state.order.removeAll { $0 == ticket }
            return continuation
        }
        continuation?.resume(returning: false)
    }

    /// A slot comes back: handed straight to the longest waiter, or freed.
    private func giveBack() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            while !state.order.isEmpty {
                let ticket = state.order.removeFirst()
                if let continuation = state.waiters.removeValue(forKey: ticket) { return continuation }
            }
            state.inUse -= 1
            return nil
        }
        next?.resume(returning: true)
    }
}
