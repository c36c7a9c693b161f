import Synchronization
import SwitchyardConfig
import SwitchyardCore

@testable import SwitchyardServer

/// What one request that reached a provider cost and how it ended, as the tests read it.
struct UsageRecord: Sendable, Equatable {
    enum Outcome: String, Sendable, Equatable {
        case completed
        case clientDisconnected = "client_disconnected"
        case upstreamFailed = "upstream_failed"
    }

    var requestID: String
    var publicModel: String
    var provider: String
    var upstreamModel: String
    var usage: Usage
    var estimated: Bool
    var costUSD: Double?
    var outcome: Outcome
    var status: Int
    var latencySeconds: Double

    /// The record of a request that reached a provider and whose answer started, or whose client left
    /// (none for requests refused before an attempt, or that every provider refused).
    init?(_ outcome: RequestOutcome) {
        guard let deployment = outcome.deployment, !outcome.attempts.isEmpty, outcome.ending != .failed else {
            return nil
        }
        requestID = outcome.requestID
        publicModel = outcome.publicModel ?? ""
        provider = deployment.provider.name
        upstreamModel = deployment.upstreamModel
        usage = outcome.countedUsage ?? Usage(input: 0, output: 0)
        estimated = outcome.usage == nil
        costUSD = outcome.costUSD
        self.outcome =
            outcome.ending == .clientGone ? .clientDisconnected : outcome.ending == .upstreamFailed ? .upstreamFailed : .completed
        status = outcome.status
        latencySeconds = outcome.duration.seconds
    }
}

/// A completion sink for tests: the records of this gateway's requests, in memory.
final class RecordingSink: CompletionSink {
    private let records = Mutex<[UsageRecord]>([])

    func complete(_ outcome: RequestOutcome) {
        guard let record = UsageRecord(outcome) else { return }
        records.withLock { $0.append(record) }
    }

    /// Waits until a record for `requestID` exists (the record is written when a stream ends).
    func record(for requestID: String, timeout: Duration = .seconds(10)) async -> UsageRecord? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = records.withLock({ $0.last { $0.requestID == requestID } }) { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
