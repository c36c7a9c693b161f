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
        let started = ContinuousClock.now
        // One snapshot for the whole request: a reload in the meantime does not change its configuration.
        let snapshot = state.current
        let requestID = context.requestID
        var outcome = RequestOutcome(
            requestID: requestID, identity: context.identity, status: 0, ending: .failed, duration: .zero,
            attempts: [], stream: false)
        outcome.endpoint = request.uri.path
        let completion = self.completion
        var admitted = Admission()
        func refuse(_ error: GatewayError, headers: HTTPFields = [:]) -> Response {
            var headers = headers
            headers.append(contentsOf: admitted.headers)
            let response = dialect.errorResponse(error, requestID: requestID, headers: headers)
            outcome.error = error
            outcome.status = outcome.ending == .clientGone ? 499 : Int(response.status.code)
            outcome.duration = .now - started
            completion.complete(outcome)
            return response
        }
        guard let identity = context.identity else {
            return refuse(GatewayError(.authentication, "The request was not authenticated.", code: "invalid_api_key"))
        }

        let limit = snapshot.config.limits.maxBodyBytes
        let tooLarge = GatewayError(.requestTooLarge, "The request body exceeds the limit of \(limit) bytes.")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { return refuse(tooLarge) }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            return refuse(tooLarge)
        }

        var parsed: PassthroughRequest
        let plan: RoutePlan
        do throws(GatewayError) {
            parsed = try dialect.parse(body, operation: operation)
            outcome.stream = parsed.stream
            outcome.publicModel = parsed.model
            var generator = SystemRandomNumberGenerator()
            plan = try snapshot.router.plan(model: parsed.model, using: &generator)
        } catch {
            return refuse(error)
        }
        do throws(GatewayError) {
            admitted = try await admission.admit(
                AdmissionRequest(
                    identity: identity, plan: plan, stream: parsed.stream, requestBytes: body.readableBytes,
                    maxOutputTokens: parsed.maxOutputTokens))
            outcome.ticket = admitted.ticket
            if let limit = admitted.ticket?.maxOutputTokens {
                // fit_max_tokens: the budget affords only a shorter answer; the provider gets this limit.
                parsed = parsed.limitingOutput(to: limit, field: dialect.dialect == .anthropic ? "max_tokens" : "max_completion_tokens")
            }
        } catch {
            if let grant = identity.grant, let governance = admission.governance {
                admitted.headers = HTTPFields(pairs: governance.rateLimitHeaders(grant))
            }
            return refuse(error)
        }

        let outgoing = OutgoingRequest(
            dialect: dialect, operation: operation, parsed: parsed, forwardedHeaders: dialect.forwardedHeaders(request),
            requestID: requestID)
        let provider = ProviderAttempt(upstream: upstream, snapshot: snapshot)
        let loop = attemptLoop
        var canonical: ChatRequest?
        let run = await loop.run(plan: plan) { deployment, _ throws(GatewayError) in
            try await provider.send(outgoing, to: deployment, plan: plan, canonical: &canonical)
        }
        let departed = ClientConnection.current?.isGone ?? false
        outcome.attempts = run.attempts
        outcome.deployment = run.lastDeployment

        switch run.result {
        case .failure(let error):
            var headers = HTTPFields()
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
                    let estimate = Usage(input: body.readableBytes / 4, output: 0)
                    outcome.estimatedUsage = estimate
                    outcome.costUSD = deployment.price?.cost(of: estimate)
                }
            }
            return refuse(error, headers: headers)
        case .success(let served):
            let answered = outcome
            let answer = AnswerContext(
                plan: plan, deployment: served.deployment, requestID: requestID, attempts: run.attempts.count,
                started: started, maxStreamDuration: snapshot.config.limits.maxStreamDuration,
                requestBytes: body.readableBytes, scrubber: snapshot.scrubber(for: served.deployment),
                adjustments: served.answer.route.adjustments + (admitted.ticket?.maxOutputTokens == nil ? [] : ["max_tokens"]),
                extraHeaders: admitted.headers
            ) { ending in
                var outcome = answered
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
            return AnswerWriter.response(for: served.answer, request: parsed, dialect: dialect, context: answer)
        }
    }
}
