import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Every model endpoint, whatever its dialect (DESIGN.md "One request, start to finish"): read the body,
/// parse just enough to route, plan, admit, run the attempt loop (cancelled if the client leaves), and
/// let the dialect write the answer. Every request ends with one outcome at the completion point.
///
/// Memory: a stream keeps, for as long as it lasts, task-allocator slabs as large as the deepest chain of
/// async frames its request phase had (the runtime keeps a task's slabs until the task ends, and Hummingbird
/// runs the request and then the response body in the connection's task). An async function's frame holds
/// every local its code needs, those of the synchronous code inlined into it included, with no sharing
/// between them. So `handle` only awaits; the work between its awaits is in `@inline(never)` synchronous
/// functions (whose locals live on the thread's stack, briefly), and what the request needs across its awaits
/// is one reference to a `ModelExchange` (docs/BENCHMARKS.md "Concurrent streams (issue 12)").
struct ModelRequestHandler: Sendable {
    let state: GatewayState
    let upstream: UpstreamClient
    let attemptLoop: AttemptLoop
    let admission: AdmissionStage
    let completion: CompletionPoint

    /// `handle`, cancelled if the client leaves before the answer starts.
    func handleCancellingOnDeparture(
        _ request: Request, context: GatewayRequestContext, dialect: any InboundDialect, operation: ProviderOperation
    ) async -> Response {
        await ClientConnection.cancellingOnDeparture {
            await handle(request, context: context, dialect: dialect, operation: operation)
        }
    }

    func handle(
        _ request: Request, context: GatewayRequestContext, dialect: any InboundDialect, operation: ProviderOperation
    ) async -> Response {
        // Two separate async functions: `admit`'s frame is gone before the attempts, whose frames the stream keeps.
        switch await admit(request, context: context, dialect: dialect, operation: operation) {
        case .refused(let response): return response
        case .ready(let exchange): return await exchange.attempt(with: attemptLoop)
        }
    }

    /// Everything before the first attempt: the checks, the body, parsing, planning and admission.
    @inline(never)
    private func admit(
        _ request: Request, context: GatewayRequestContext, dialect: any InboundDialect, operation: ProviderOperation
    ) async -> Prepared {
        let started = ContinuousClock.now
        // One snapshot for the whole request: a reload in the meantime does not change its configuration.
        let snapshot = state.current
        if let refused = refusalBeforeBody(request, context: context, dialect: dialect, snapshot: snapshot, started: started) {
            return .refused(refused)
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: snapshot.config.limits.maxBodyBytes)
        } catch {
            return .refused(refuseTooLarge(context: context, dialect: dialect, snapshot: snapshot, started: started))
        }
        let routed: Routed
        switch route(body, context: context, dialect: dialect, operation: operation, snapshot: snapshot, started: started) {
        case .refused(let response): return .refused(response)
        case .routed(let value): routed = value
        }
        let admitted: Admission
        do throws(GatewayError) {
            admitted = try await admission.admit(routed.admissionRequest)
        } catch {
            return .refused(refuseAdmission(error, routed: routed, dialect: dialect, started: started))
        }
        return .ready(
            exchange(request, routed: routed, admitted: admitted, dialect: dialect, operation: operation, snapshot: snapshot, started: started))
    }

    /// The refusals that need no body: no identity, or a declared length over the limit.
    @inline(never)
    private func refusalBeforeBody(
        _ request: Request, context: GatewayRequestContext, dialect: any InboundDialect, snapshot: GatewaySnapshot,
        started: ContinuousClock.Instant
    ) -> Response? {
        guard context.identity != nil else {
            return refuse(
                GatewayError(.authentication, "The request was not authenticated.", code: "invalid_api_key"),
                outcome: Self.outcome(context), dialect: dialect, started: started)
        }
        let limit = snapshot.config.limits.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return refuseTooLarge(context: context, dialect: dialect, snapshot: snapshot, started: started)
        }
        return nil
    }

    @inline(never)
    private func refuseTooLarge(
        context: GatewayRequestContext, dialect: any InboundDialect, snapshot: GatewaySnapshot, started: ContinuousClock.Instant
    ) -> Response {
        let limit = snapshot.config.limits.maxBodyBytes
        return refuse(
            GatewayError(.requestTooLarge, "The request body exceeds the limit of \(limit) bytes."),
            outcome: Self.outcome(context), dialect: dialect, started: started)
    }

    enum Prepared {
        case refused(Response)
        case ready(ModelExchange)
    }

    /// What parsing and planning found, for admission.
    struct Routed {
        var outcome: RequestOutcome
        var parsed: PassthroughRequest
        let plan: RoutePlan
        let admissionRequest: AdmissionRequest
        let requestBytes: Int
    }

    enum Routing {
        case refused(Response)
        case routed(Routed)
    }

    /// Parses and plans the request.
    @inline(never)
    private func route(
        _ body: ByteBuffer, context: GatewayRequestContext, dialect: any InboundDialect, operation: ProviderOperation,
        snapshot: GatewaySnapshot, started: ContinuousClock.Instant
    ) -> Routing {
        var outcome = Self.outcome(context)
        do throws(GatewayError) {
            // Authenticated: `refusalBeforeBody` checked.
            guard let identity = context.identity else {
                throw GatewayError(.authentication, "The request was not authenticated.", code: "invalid_api_key")
            }
            let parsed = try dialect.parse(body, operation: operation)
            outcome.stream = parsed.stream
            outcome.publicModel = parsed.model
            var generator = SystemRandomNumberGenerator()
            let plan = try snapshot.router.plan(model: parsed.model, using: &generator)
            return .routed(
                Routed(
                    outcome: outcome, parsed: parsed, plan: plan,
                    admissionRequest: AdmissionRequest(
                        identity: identity, plan: plan, stream: parsed.stream, requestBytes: body.readableBytes,
                        maxOutputTokens: parsed.maxOutputTokens),
                    requestBytes: body.readableBytes))
        } catch {
            return .refused(refuse(error, outcome: outcome, dialect: dialect, started: started))
        }
    }

    /// Admission refused: the error, with the key's rate-limit headers.
    @inline(never)
    private func refuseAdmission(
        _ error: GatewayError, routed: Routed, dialect: any InboundDialect, started: ContinuousClock.Instant
    ) -> Response {
        var headers = HTTPFields()
        if let grant = routed.admissionRequest.identity.grant, let governance = admission.governance {
            headers = HTTPFields(pairs: governance.rateLimitHeaders(grant))
        }
        return Self.refuse(error, headers: headers, outcome: routed.outcome, dialect: dialect, started: started, completion: completion)
    }

    /// The admitted request's exchange: what its attempts and its answer need.
    @inline(never)
    private func exchange(
        _ request: Request, routed: Routed, admitted: Admission, dialect: any InboundDialect, operation: ProviderOperation,
        snapshot: GatewaySnapshot, started: ContinuousClock.Instant
    ) -> ModelExchange {
        var routed = routed
        routed.outcome.ticket = admitted.ticket
        var adjustments: [String] = []
        if let limit = admitted.ticket?.maxOutputTokens {
            // fit_max_tokens: the budget affords only a shorter answer; the provider gets this limit.
            routed.parsed = routed.parsed.limitingOutput(
                to: limit, field: dialect.dialect == .anthropic ? "max_tokens" : "max_completion_tokens")
            adjustments.append("max_tokens")
        }
        let outgoing = OutgoingRequest(
            dialect: dialect, operation: operation, parsed: routed.parsed, forwardedHeaders: dialect.forwardedHeaders(request),
            requestID: routed.outcome.requestID)
        return ModelExchange(
            outcome: routed.outcome, started: started, snapshot: snapshot, plan: routed.plan, outgoing: outgoing,
            provider: ProviderAttempt(upstream: upstream, snapshot: snapshot), requestBytes: routed.requestBytes,
            completion: completion, admittedHeaders: admitted.headers, adjustments: adjustments)
    }

    private static func outcome(_ context: GatewayRequestContext) -> RequestOutcome {
        var outcome = RequestOutcome(
            requestID: context.requestID, identity: context.identity, status: 0, ending: .failed, duration: .zero,
            attempts: [], stream: false)
        outcome.endpoint = context.endpointPath ?? ""
        return outcome
    }

    private func refuse(
        _ error: GatewayError, outcome: RequestOutcome, dialect: any InboundDialect, started: ContinuousClock.Instant
    ) -> Response {
        Self.refuse(error, headers: [:], outcome: outcome, dialect: dialect, started: started, completion: completion)
    }

    /// The error in the client's dialect; the request ends with it.
    static func refuse(
        _ error: GatewayError, headers: HTTPFields, outcome: RequestOutcome, dialect: any InboundDialect,
        started: ContinuousClock.Instant, completion: CompletionPoint
    ) -> Response {
        var outcome = outcome
        let response = dialect.errorResponse(error, requestID: outcome.requestID, headers: headers)
        outcome.error = error
        outcome.status = outcome.ending == .clientGone ? 499 : Int(response.status.code)
        outcome.duration = .now - started
        completion.complete(outcome)
        return response
    }
}

/// One model request from its admission to its end: what its attempts and its answer need, kept by reference
/// so the async frames that wait for the provider hold one pointer instead of copies (see
/// `ModelRequestHandler`). It also receives the answer's ending, so the closure that hands it over captures
/// nothing else (and needs no allocation of its own).
///
/// `@unchecked Sendable`: the mutable parts (`canonical`, `outcome`) are used by the request's own task only,
/// one step after the other — the attempt loop runs its attempts in sequence, and the answer's writer, which
/// calls `end`, runs after them in the same task.
final class ModelExchange: @unchecked Sendable {
    let started: ContinuousClock.Instant
    let snapshot: GatewaySnapshot
    let plan: RoutePlan
    let outgoing: OutgoingRequest
    let provider: ProviderAttempt
    let requestBytes: Int
    let completion: CompletionPoint
    /// Headers admission adds to every answer (`x-ratelimit-*`).
    let admittedHeaders: HTTPFields
    /// Parameters admission honoured another way (`fit_max_tokens`: `max_tokens`).
    let adjustments: [String]
    /// The outcome so far; completed by `respond` or, for an answer, by `end`.
    private var outcome: RequestOutcome
    /// The decoded request, kept between attempts (decoded at most once). Boxed: it is large, only translated
    /// requests have one, and the exchange lasts as long as the answer.
    var canonical: ChatRequest? {
        get { canonicalBox?.request }
        set { canonicalBox = newValue.map(CanonicalBox.init) }
    }
    private var canonicalBox: CanonicalBox?
    private final class CanonicalBox {
        let request: ChatRequest
        init(_ request: ChatRequest) { self.request = request }
    }
    /// The answer of the attempt that succeeded (set by `ProviderAttempt.send`).
    var attempted: Attempted?

    init(
        outcome: RequestOutcome, started: ContinuousClock.Instant, snapshot: GatewaySnapshot, plan: RoutePlan,
        outgoing: OutgoingRequest, provider: ProviderAttempt, requestBytes: Int, completion: CompletionPoint,
        admittedHeaders: HTTPFields, adjustments: [String]
    ) {
        self.admittedHeaders = admittedHeaders
        self.adjustments = adjustments
        self.outcome = outcome
        self.started = started
        self.snapshot = snapshot
        self.plan = plan
        self.outgoing = outgoing
        self.provider = provider
        self.requestBytes = requestBytes
        self.completion = completion
    }

    /// Runs the attempts; the response for the client.
    @inline(never)
    func attempt(with loop: AttemptLoop) async -> Response {
        let run = await loop.run(plan: plan) { deployment, _ throws(GatewayError) in
            try await provider.send(outgoing, to: deployment, plan: plan, exchange: self)
        }
        return respond(to: run)
    }

    @inline(never)
    func answered(stream: UpstreamStream, by call: ProviderAttempt.Call) throws(GatewayError) {
        attempted = try call.finish(.stream(stream))
    }

    @inline(never)
    func answered(whole: UpstreamClient.Answer, by call: ProviderAttempt.Call) throws(GatewayError) {
        attempted = try call.finish(.whole(ProviderAttempt.whole(whole, call: call)))
    }

    /// The client's response once the attempts are over: the error, or the answer for its dialect to write.
    @inline(never)
    private func respond(to run: AttemptRun<Void>) -> Response {
        let departed = ClientConnection.current?.isGone ?? false
        outcome.attempts = run.attempts
        outcome.deployment = run.lastDeployment
        let dialect = outgoing.dialect
        switch run.result {
        case .failure(let error):
            var headers = admittedHeaders
            if let deployment = run.lastDeployment {
                headers[.switchyardProvider] = deployment.provider.name
                headers[.switchyardModel] = deployment.upstreamModel
                headers[.switchyardAttempts] = String(run.attempts.count)
            }
            if departed {
                outcome.ending = .clientGone
                // A provider request cancelled in flight may have been charged for its input: estimated, as
                // for any answer without usage. One the client left during a backoff was not sent at all.
                if run.attempts.last?.error?.code == UpstreamClient.cancelledCode, let deployment = run.lastDeployment {
                    let estimate = Usage(input: requestBytes / 4, output: 0)
                    outcome.estimatedUsage = estimate
                    outcome.costUSD = deployment.price?.cost(of: estimate)
                }
            }
            return ModelRequestHandler.refuse(
                error, headers: headers, outcome: outcome, dialect: dialect, started: started, completion: completion)
        case .success(let served):
            guard let attempted else {
                return ModelRequestHandler.refuse(
                    GatewayError(.internalError, "The attempt that succeeded left no answer."), headers: admittedHeaders,
                    outcome: outcome, dialect: dialect, started: started, completion: completion)
            }
            self.attempted = nil
            let answer = AnswerContext(
                plan: plan, deployment: served.deployment, requestID: outgoing.requestID, attempts: run.attempts.count,
                started: started, maxStreamDuration: snapshot.config.limits.maxStreamDuration,
                requestBytes: requestBytes, scrubber: snapshot.scrubber(for: served.deployment),
                adjustments: attempted.route.adjustments + adjustments, extraHeaders: admittedHeaders, onEnd: end)
            return AnswerWriter.response(for: attempted, request: outgoing.parsed, dialect: dialect, context: answer)
        }
    }

    /// The answer ended: the request's completion.
    private func end(_ ending: AnswerEnding) {
        var outcome = self.outcome
        outcome.status = 200
        outcome.ending = ending.ending
        outcome.error = ending.failure
        outcome.usage = ending.usage
        outcome.estimatedUsage = ending.estimatedUsage
        outcome.costUSD = ending.costUSD
        outcome.timeToFirstByte = ending.firstByte.map { $0 - started }
        outcome.duration = .now - started
        completion.complete(outcome)
    }
}
