import Synchronization

/// How many requests may be in flight to one provider at once (`providers.<name>.max_connections`), and a
/// bounded, first-come queue for the rest (`limits.max_queue_wait`). A request that waits too long is the
/// gateway's capacity problem, not the provider's failure: it gets 503 `overloaded` with `retry-after`
/// (CONTRACT §0), where AsyncHTTPClient's own pool would fail it as a connection error after the connect
/// timeout.
///
/// Slots are numbered below `limit`; a request gets the most recently freed number (or a fresh one), so a
/// light load keeps using the same few numbers (`Lease.number`).
///
/// A slot is held by a `Lease` and given back when the lease is released — by its owner at the end of a
/// whole answer, and for a stream when the stream (which owns the lease) is gone, on whatever path: finished,
/// failed, client gone, or never started. So no exit path can leak a slot.
final class ConnectionSlots: Sendable {
    let limit: Int

    private struct State {
        var inUse = 0
        /// Numbers given back, to hand out again (the most recently freed first); `fresh` is the next
        /// never-used number.
        var free: [Int] = []
        var fresh = 0
        var nextTicket: UInt64 = 0
        /// Waiting requests in arrival order; a released slot goes to the first.
        var order: [UInt64] = []
        /// A waiter is resumed with the number of the slot it got, or nil.
        var waiters: [UInt64: CheckedContinuation<Int?, Never>] = [:]

        mutating func take() -> Int {
            inUse += 1
            if let number = free.popLast() { return number }
            fresh += 1
            return fresh - 1
        }
    }

    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Holds one slot; `release()` (or the lease's end) gives it back exactly once.
    final class Lease: Sendable {
        private let slots: ConnectionSlots
        private let released = Atomic<Bool>(false)
        /// The slot's number, below `limit`: no two leases held at once have the same. The upstream client
        /// uses it to pick one of its pools, so each pool's share of a provider's requests is bounded.
        let number: Int

        fileprivate init(slots: ConnectionSlots, number: Int) {
            self.slots = slots
            self.number = number
        }

        func release() {
            if !released.exchange(true, ordering: .acquiringAndReleasing) { slots.giveBack(number) }
        }

        deinit { release() }
    }

    var inUse: Int { state.withLock { $0.inUse } }
    var queued: Int { state.withLock { $0.order.count } }

    /// A slot, at once when one is free, else after waiting up to `wait`; nil when none came in time (or the
    /// task was cancelled while waiting).
    func acquire(waitingAtMost wait: Duration) async -> Lease? {
        // The usual case, a free slot: one uncontended lock, no continuation.
        let free = state.withLock { state -> Int? in
            guard state.inUse < limit, state.order.isEmpty else { return nil }
            return state.take()
        }
        if let free { return Lease(slots: self, number: free) }
        let ticket = state.withLock { state in
            state.nextTicket += 1
            return state.nextTicket
        }
        let granted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Int?, Never>) in
                // Checked again under the same lock that queues the waiter: a slot given back in between
                // is not missed.
                let outcome: Int?? = state.withLock { state in
                    if Task.isCancelled { return .some(nil) }
                    if state.inUse < limit, state.order.isEmpty { return state.take() }
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
        return granted.map { Lease(slots: self, number: $0) }
    }

    /// Ends a wait that is still queued: its request gets no slot.
    private func abandon(_ ticket: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Int?, Never>? in
            guard let continuation = state.waiters.removeValue(forKey: ticket) else { return nil }
            state.order.removeAll { $0 == ticket }
            return continuation
        }
        continuation?.resume(returning: nil)
    }

    /// A slot comes back: handed straight to the longest waiter, or freed.
    private func giveBack(_ number: Int) {
        let next = state.withLock { state -> CheckedContinuation<Int?, Never>? in
            while !state.order.isEmpty {
                let ticket = state.order.removeFirst()
                if let continuation = state.waiters.removeValue(forKey: ticket) { return continuation }
            }
            state.inUse -= 1
            state.free.append(number)
            return nil
        }
        next?.resume(returning: number)
    }
}
