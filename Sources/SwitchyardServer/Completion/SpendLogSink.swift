import Logging
import Metrics
import Synchronization
import SwitchyardConfig
import SwitchyardCore
import SwitchyardGovernance
import SwitchyardStore

/// The spend log (CONTRACT §2): one row per authenticated request — answered, refused or failed, the
/// client gone or not — handed to the store's background writer. A request to a model without a price
/// is recorded with `priced: false` and logged at warning, never as $0.
struct SpendLogSink: CompletionSink {
    let writer: SpendWriter
    let logger: Logger
    /// Where `switchyard_unpriced_requests_total{model,provider}` is counted (CONTRACT §3's name).
    let metrics: any MetricsFactory
    let rowIDs = RowIDs()

    func complete(_ outcome: RequestOutcome) {
        guard let identity = outcome.identity else { return }
        writer.enqueue(Self.row(outcome, identity: identity, rowID: rowIDs.next()))
        if let deployment = outcome.deployment, deployment.price == nil, !outcome.attempts.isEmpty {
            Counter(
                label: "switchyard_unpriced_requests_total",
                dimensions: [("model", outcome.publicModel ?? ""), ("provider", deployment.provider.name)], factory: metrics
            ).increment()
            logger.warning(
                "a request to an unpriced model was served; its cost is unknown (add the model's price under catalog:)",
                metadata: [
                    "request_id": .string(outcome.requestID), "model": .string(outcome.publicModel ?? ""),
                    "deployment": .string(outcome.deployment?.label ?? ""),
                ])
        }
    }

    static func row(_ outcome: RequestOutcome, identity: Identity, rowID: String, now: UTCTime.Millis = UTCTime.now())
        -> SpendRow
    {
        let usage = outcome.countedUsage ?? Usage()
        let deployment = outcome.deployment
        let reached = !outcome.attempts.isEmpty
        let latency = Int(outcome.duration.milliseconds)
        return SpendRow(
            rowID: rowID, id: outcome.requestID, time: now - Int64(latency), keyID: identity.keyID, teamID: identity.teamID,
            endpoint: outcome.endpoint, model: outcome.publicModel ?? "", provider: deployment?.provider.name,
            upstreamModel: deployment?.upstreamModel, status: outcome.status,
            errorClass: outcome.error.map { $0.code == "budget_exceeded" ? "budget_exceeded" : $0.kind.rawValue },
            stream: outcome.stream, inputTokens: usage.totalInput, outputTokens: usage.totalOutput,
            cachedInputTokens: usage.cacheRead, cacheWriteTokens: usage.cacheWrite, reasoningTokens: usage.reasoning,
            cost: outcome.costMicroUSD ?? 0, priced: !reached || deployment?.price != nil, latencyMs: latency,
            ttftMs: outcome.timeToFirstByte.map { Int($0.milliseconds) }, attempts: outcome.attempts.count,
            cacheHit: outcome.cacheHit, clientDisconnected: outcome.clientGone,
            estimated: outcome.usage == nil && outcome.estimatedUsage != nil)
    }
}

/// Settles what admission held (budget reservations, a parallel slot, TPM estimates) to the request's
/// real cost and tokens. First among the sinks, so limits are free again before anything slower runs.
struct AdmissionSettlement: CompletionSink {
    func complete(_ outcome: RequestOutcome) {
        guard let ticket = outcome.ticket else { return }
        ticket.settle(cost: outcome.costMicroUSD ?? 0, tokens: (outcome.countedUsage ?? Usage()).total)
    }
}

/// Spend-row ids, unique across instances and restarts without a system call per request: a random
/// prefix drawn once per process, then a counter.
final class RowIDs: Sendable {
    private let prefix = VirtualKeySecret.identifier("row")
    private let counter = Atomic<Int>(0)

    func next() -> String { prefix + "-" + String(counter.add(1, ordering: .relaxed).newValue) }
}
