import HTTPTypes
import SwitchyardConfig
import SwitchyardCore
import SwitchyardRouting

/// How an answer ended, as its writer saw it: what the completion point needs from the answer.
struct AnswerEnding: Sendable {
    var usage: Usage?
    /// Four bytes a token, when the provider sent no usage.
    var estimatedUsage: Usage?
    var costUSD: Double?
    var ending: RequestOutcome.Ending
    /// The in-stream failure, when the answer broke after it started.
    var failure: GatewayError?
    /// When the answer's first bytes left for the client.
    var firstByte: ContinuousClock.Instant?
}

/// What writing an answer needs to know about the request and the deployment that served it, and where
/// its ending goes.
struct AnswerContext: Sendable {
    let plan: RoutePlan
    let deployment: Deployment
    let requestID: String
    let attempts: Int
    let started: ContinuousClock.Instant
    let maxStreamDuration: Duration
    /// Size of the client's request body, for estimating input tokens when no usage arrives.
    let requestBytes: Int
    /// Masks the deployment's provider credentials in what the client receives (built once per provider).
    let scrubber: SecretScrubber
    /// Client parameters the gateway honoured another way than sending them (`Adjustment`).
    let adjustments: [String]
    /// Headers admission adds to every answer (`x-ratelimit-*`).
    let extraHeaders: HTTPFields
    /// Called once, when the answer ended (the request's completion).
    let onEnd: @Sendable (AnswerEnding) -> Void

    /// The answer's headers; with the cost of a whole answer.
    func headers(contentType: String?, cost: Double? = nil) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType ?? "application/json"
        headers[.requestID] = requestID
        headers[.switchyardProvider] = deployment.provider.name
        headers[.switchyardModel] = deployment.upstreamModel
        headers[.switchyardAttempts] = String(attempts)
        if let cost { headers[.switchyardCost] = Self.formatCost(cost) }
        if !adjustments.isEmpty { headers[.switchyardAdjusted] = adjustments.joined(separator: ", ") }
        headers.append(contentsOf: extraHeaders)
        return headers
    }

    /// The headers of a streamed answer.
    func streamHeaders(contentType: String) -> HTTPFields {
        var headers = headers(contentType: contentType)
        headers[.cacheControl] = "no-cache"
        return headers
    }

    /// When a stream is cut (`limits.max_stream_duration` from arrival).
    var streamDeadline: ContinuousClock.Instant { started + maxStreamDuration }

    /// The ending of an answer; without provider usage, tokens are estimated at four bytes each.
    func ending(
        usage: Usage?, outputBytes: Int, _ ending: RequestOutcome.Ending, failure: GatewayError? = nil,
        firstByte: ContinuousClock.Instant? = nil
    ) -> AnswerEnding {
        let estimate = usage == nil ? Usage(input: requestBytes / 4, output: outputBytes / 4) : nil
        return AnswerEnding(
            usage: usage, estimatedUsage: estimate, costUSD: (usage ?? estimate).flatMap { deployment.price?.cost(of: $0) },
            ending: ending, failure: failure, firstByte: firstByte)
    }

    /// Fixed point with eight decimals (`0.00012500`), without Foundation's format machinery, which
    /// costs more than the rest of the header block on every answer.
    static func formatCost(_ cost: Double) -> String {
        guard cost.isFinite, cost >= 0, cost < 1e10 else { return String(cost) }
        let scaled = UInt64((cost * 1e8).rounded())
        let fraction = String(scaled % 100_000_000)
        return "\(scaled / 100_000_000)." + String(repeating: "0", count: 8 - fraction.count) + fraction
    }
}
