import DialectOpenAI
import Foundation
import HTTPTypes
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// What an answer needs to know about the request and the deployment that served it.
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

    /// The answer's headers; with the priced record of a whole answer, its cost too, and the client
    /// parameters the gateway honoured another way than sending them (`Adjustment`).
    func headers(contentType: String?, priced record: UsageRecord? = nil, adjusted: [String] = []) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType ?? "application/json"
        headers[.requestID] = requestID
        headers[.switchyardProvider] = deployment.provider.name
        headers[.switchyardModel] = deployment.upstreamModel
        headers[.switchyardAttempts] = String(attempts)
        if let cost = record?.costUSD { headers[.switchyardCost] = Self.formatCost(cost) }
        if !adjusted.isEmpty { headers[.switchyardAdjusted] = adjusted.joined(separator: ", ") }
        return headers
    }

    /// A usage record; without provider usage, tokens are estimated at four bytes each and flagged.
    func record(usage: Usage?, outputBytes: Int, outcome: UsageRecord.Outcome, status: Int = 200) -> UsageRecord {
        let counted = usage ?? Usage(input: requestBytes / 4, output: outputBytes / 4)
        return UsageRecord(
            requestID: requestID, publicModel: plan.publicName, provider: deployment.provider.name,
            upstreamModel: deployment.upstreamModel, usage: counted, estimated: usage == nil,
            costUSD: deployment.price?.cost(of: counted), outcome: outcome, status: status,
            latencySeconds: (ContinuousClock.now - started).seconds)
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

extension Deployment {
    /// How to reach the deployment's provider.
    var adapter: any ProviderAdapter { ProviderAdapters.adapter(for: provider.kind) }

    /// How its provider counts reasoning tokens, for reading usage from OpenAI-dialect answers.
    var usageFlavor: OpenAIUsage.Flavor { (adapter as? OpenAICompatibleAdapter)?.usageFlavor ?? .standard }
}
