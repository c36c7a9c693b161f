import Logging
import Synchronization
import SwitchyardCore

/// Receives a record for every request that reached a provider. This first version keeps recent records
/// in memory and logs each one; the store (SQLite/PostgreSQL spend log) plugs in behind the same call.
public final class Accounting: Sendable {
    private let recent = Mutex<[UsageRecord]>([])
    private let capacity: Int
    private let logger: Logger

    public init(capacity: Int = 10_000, logger: Logger) {
        self.capacity = capacity
        self.logger = logger
    }

    public func record(_ record: UsageRecord) {
        recent.withLock { records in
            if records.count >= capacity { records.removeFirst(records.count - capacity + 1) }
            records.append(record)
        }
        logger.debug(
            "request priced",
            metadata: [
                "request_id": .string(record.requestID), "model": .string(record.publicModel),
                "provider": .string(record.provider), "upstream_model": .string(record.upstreamModel),
                "input_tokens": .stringConvertible(record.usage.totalInput),
                "output_tokens": .stringConvertible(record.usage.totalOutput),
                "estimated": .stringConvertible(record.estimated),
                "cost_usd": .string(record.costUSD.map { String($0) } ?? "unknown"),
                "outcome": .string(record.outcome.rawValue), "status": .stringConvertible(record.status),
            ])
    }

    /// Recent records, oldest first.
    public func records() -> [UsageRecord] {
        recent.withLock { $0 }
    }

    /// Waits until a record for `requestID` exists (tests; the record is written when a stream ends).
    public func record(for requestID: String, timeout: Duration = .seconds(10)) async -> UsageRecord? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = recent.withLock({ $0.last { $0.requestID == requestID } }) { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
