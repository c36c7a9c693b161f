import SwitchyardConfig
import SwitchyardCore

/// What one request that reached a provider cost and how it ended.
public struct UsageRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case completed
        /// The client went away before the answer was complete.
        case clientDisconnected = "client_disconnected"
        /// The provider failed or timed out after the answer had started.
        case upstreamFailed = "upstream_failed"
    }

    public var requestID: String
    public var publicModel: String
    public var provider: String
    public var upstreamModel: String
    public var usage: Usage
    /// True when the provider sent no usage and tokens were estimated from bytes.
    public var estimated: Bool
    public var costUSD: Double?
    public var outcome: Outcome
    public var status: Int
    public var latencySeconds: Double
}

extension UsageRecord {
    /// The record of a request that reached a provider and whose answer started, or whose client left
    /// (nothing is recorded for requests refused before an attempt, or that every provider refused).
    init?(_ outcome: RequestOutcome) {
        guard let deployment = outcome.deployment, !outcome.attempts.isEmpty, outcome.ending != .failed else {
            return nil
        }
        let usage = outcome.countedUsage ?? Usage(input: 0, output: 0)
        self.init(
            requestID: outcome.requestID, publicModel: outcome.publicModel ?? "", provider: deployment.provider.name,
            upstreamModel: deployment.upstreamModel, usage: usage, estimated: outcome.usage == nil,
            costUSD: outcome.costUSD,
            outcome: outcome.ending == .clientGone ? .clientDisconnected : outcome.ending == .upstreamFailed ? .upstreamFailed : .completed,
            status: outcome.status, latencySeconds: outcome.duration.seconds)
    }
}
