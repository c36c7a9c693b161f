import SwitchyardCore
import SwitchyardGovernance
import SwitchyardRouting

/// How one client request ended — the single value every request hands to the completion point
/// (DESIGN.md "One completion point"). Sinks (accounting today; the spend log, budgets, metrics, traces,
/// the access log and the cache next) read what they need from it.
public struct RequestOutcome: Sendable {
    public enum Ending: String, Sendable, Equatable {
        /// The answer reached the client whole.
        case completed
        /// The client went away: before the answer started, or during it.
        case clientGone = "client_gone"
        /// The answer started, then the provider failed, timed out or cut it.
        case upstreamFailed = "upstream_failed"
        /// No answer started: every attempt failed, or the request was refused before one.
        case failed
    }

    public var requestID: String
    /// Who sent it; nil when authentication refused it.
    public var identity: Identity?
    /// The model the client named, once known.
    public var publicModel: String?
    /// The deployment that answered, or the last one tried.
    public var deployment: Deployment?
    /// The HTTP status the client received (200 for answers that started, even if they broke later).
    public var status: Int
    /// Why it failed, when it did (the last attempt's error, or the in-stream failure).
    public var error: GatewayError?
    public var ending: Ending
    /// The provider's usage; nil when it sent none (`estimatedUsage` holds the byte estimate then).
    public var usage: Usage?
    public var estimatedUsage: Usage?
    public var costUSD: Double?
    /// From arrival to the answer's first byte leaving for the client.
    public var timeToFirstByte: Duration?
    /// From arrival to the end of the answer.
    public var duration: Duration
    /// Every attempt, failed ones included.
    public var attempts: [AttemptRecord]
    public var stream: Bool
    /// Whether a cache answered (no cache yet: always false).
    public var cacheHit = false
    /// The path the client called (`/v1/chat/completions`).
    public var endpoint = ""
    /// What admission holds for the request (budget reservations, a parallel slot), settled at completion.
    public var ticket: AdmissionTicket?

    public init(
        requestID: String, identity: Identity? = nil, publicModel: String? = nil, deployment: Deployment? = nil,
        status: Int, error: GatewayError? = nil, ending: Ending, usage: Usage? = nil, estimatedUsage: Usage? = nil,
        costUSD: Double? = nil, timeToFirstByte: Duration? = nil, duration: Duration, attempts: [AttemptRecord],
        stream: Bool
    ) {
        self.requestID = requestID
        self.identity = identity
        self.publicModel = publicModel
        self.deployment = deployment
        self.status = status
        self.error = error
        self.ending = ending
        self.usage = usage
        self.estimatedUsage = estimatedUsage
        self.costUSD = costUSD
        self.timeToFirstByte = timeToFirstByte
        self.duration = duration
        self.attempts = attempts
        self.stream = stream
    }

    /// The usage to price and count: the provider's, or the estimate.
    public var countedUsage: Usage? { usage ?? estimatedUsage }
    /// What the request cost in whole micro-dollars (0 without usage); nil when the deployment has no price.
    public var costMicroUSD: Int64? { deployment?.price.map { $0.costMicroUSD(of: countedUsage ?? Usage()) } }
    public var clientGone: Bool { ending == .clientGone }
}
