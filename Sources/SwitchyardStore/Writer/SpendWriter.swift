import Logging
import Synchronization

/// The spend log's background writer (CONTRACT §2): requests hand it a row and never wait; it writes
/// batches, retries a failed write with backoff and keeps the rows until one succeeds, so no row is ever
/// dropped. Rows wait in memory up to `backlogLimit`; beyond that `isBackedUp` is true and admission turns
/// new requests away (503) until the store catches up — backpressure instead of loss.
public final class SpendWriter: Sendable {
    private struct State {
        var pending: [SpendRow] = []
        /// Rows taken by a write in progress (kept until it succeeds).
        var inFlight = 0
        var consecutiveFailures = 0
    }

    private let store: any Store
    private let logger: Logger
    private let state = Mutex(State())
    private let backedUp = Atomic<Bool>(false)
    let batchSize: Int
    let backlogLimit: Int
    let interval: Duration

    public init(
        store: any Store, logger: Logger, interval: Duration = .milliseconds(100), batchSize: Int = 500,
        backlogLimit: Int = 200_000
    ) {
        self.store = store
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
        self.backlogLimit = backlogLimit
    }

    /// Queues a row (the request path: one short lock, no I/O).
    public func enqueue(_ row: SpendRow) {
        let count = state.withLock { state in
            state.pending.append(row)
            return state.pending.count
        }
        if count >= backlogLimit, !backedUp.exchange(true, ordering: .relaxed) {
            logger.error("the spend log is \(count) rows behind the store; refusing new requests until it catches up")
        }
    }

    /// True while the backlog is over its limit.
    public var isBackedUp: Bool { backedUp.load(ordering: .relaxed) }

    /// Rows not yet written.
    public var backlog: Int { state.withLock { $0.pending.count } }

    /// Writes every `interval` until cancelled; then returns (call `flush` to drain what is left).
    public func run() async {
        while !Task.isCancelled {
            let wrote = await writeBatch()
            if wrote == 0 {
                let failures = state.withLock { $0.consecutiveFailures }
                // Back off while the store fails: 100 ms doubling to 5 s.
                let delay = failures == 0 ? interval : .milliseconds(min(5000, 100 << min(failures, 6)))
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// Writes until nothing is pending (graceful stop, and readers that want their own writes), or until
    /// `timeout` passes while the store keeps failing. Returns the rows still unwritten.
    @discardableResult
    public func flush(timeout: Duration = .seconds(30)) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.pending.isEmpty }) { return 0 }
            if await writeBatch() == 0 { try? await Task.sleep(for: .milliseconds(50)) }
        }
        return backlog
    }

    /// Writes one batch from the head of the queue; returns how many rows were written (0 on failure or
    /// when there was nothing). A failed batch stays at the head, in order.
    private func writeBatch() async -> Int {
        let batch = state.withLock { state -> [SpendRow] in
            guard state.inFlight == 0, !state.pending.isEmpty else { return [] }
            let batch = Array(state.pending.prefix(batchSize))
            state.inFlight = batch.count
            return batch
        }
        guard !batch.isEmpty else { return 0 }
        do {
            try await store.append(batch)
            let remaining = state.withLock { state -> Int in
                state.pending.removeFirst(state.inFlight)
                state.inFlight = 0
                state.consecutiveFailures = 0
                return state.pending.count
            }
            if remaining < backlogLimit / 2, backedUp.exchange(false, ordering: .relaxed) {
                logger.notice("the spend log caught up with the store", metadata: ["backlog": "\(remaining)"])
            }
            return batch.count
        } catch {
            let failures = state.withLock { state -> Int in
                state.inFlight = 0
                state.consecutiveFailures += 1
                return state.consecutiveFailures
            }
            if failures == 1 || failures % 20 == 0 {
                logger.error(
                    "could not write spend rows; keeping them and retrying",
                    metadata: ["rows": "\(batch.count)", "failures": "\(failures)", "error": "\(error)"])
            }
            return 0
        }
    }
}
