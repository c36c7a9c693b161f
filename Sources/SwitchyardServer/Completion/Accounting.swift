import Logging
import SwitchyardConfig
import SwitchyardCore
import Synchronization

/// The first completion sink: a priced record for every request whose answer started. This first version
/// keeps recent records in memory and logs each one; the store (the SQLite/PostgreSQL spend log) is the
/// next sink.
public final class Accounting: CompletionSink {
    /// A ring: `next` is where the following record goes once the buffer is full.
    private let recent = Mutex<(records: [UsageRecord], next: Int)>(([], 0))
    private let capacity: Int
    private let logger: Logger

    public init(capacity: Int = 10_000, logger: Logger) {
        self.capacity = capacity
        self.logger = logger
    }

    public func complete(_ outcome: RequestOutcome) {
        guard let record = UsageRecord(outcome) else { return }
        self.record(record)
    }

    public func record(_ record: UsageRecord) {
        recent.withLock { ring in
            if ring.records.count < capacity {
                ring.records.append(record)
            } else {
                ring.records[ring.next] = record
                ring.next = (ring.next + 1) % capacity
            }
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
        recent.withLock { ring in Array(ring.records[ring.next...] + ring.records[..<ring.next]) }
    }

    /// Waits until a record for `requestID` exists (tests; the record is written when a stream ends).
    public func record(for requestID: String, timeout: Duration = .seconds(10)) async -> UsageRecord? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = recent.withLock({ $0.records.last { $0.requestID == requestID } }) { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
