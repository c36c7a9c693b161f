import DialectOpenAI
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// What one request that reached a provider cost and how it ended.
public struct UsageRecord: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case completed
        /// The client went away before the answer was complete.
        case clientDisconnected = "client_disconnected"
        /// The provider failed or timed out after the answer had started.
        case upstreamFailed = "upstream_failed"
        /// The provider answered with an error status.
        case upstreamError = "upstream_error"
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
