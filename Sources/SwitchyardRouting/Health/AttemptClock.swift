/// Time as the attempt loop sees it, so tests and hedging can drive it.
public protocol AttemptClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Waits; throws when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The process's continuous clock.
public struct SystemAttemptClock: AttemptClock {
    public init() {}
    public var now: ContinuousClock.Instant { .now }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
