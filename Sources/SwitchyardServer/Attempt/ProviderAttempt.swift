import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// A client request as every attempt sends it: read once, sent to whichever deployment the loop picks.
struct OutgoingRequest: Sendable {
    let dialect: any InboundDialect
    let operation: ProviderOperation
    let parsed: PassthroughRequest
    /// Headers of the client's that a provider of its own dialect must see (Anthropic's version and betas).
    let forwardedHeaders: [(String, String)]
    let requestID: String
}

/// One attempt on one deployment: the provider's adapter says how to reach it; the client's bytes go as
/// they are when the provider speaks the client's dialect, otherwise the canonical request is encoded by
/// the provider's codec. Returns the upstream answer or throws why it failed (scrubbed of the provider's
/// secrets).
struct ProviderAttempt: Sendable {
    let upstream: UpstreamClient
    let snapshot: GatewaySnapshot

    /// Makes one attempt; its answer goes to `exchange.attempted`. The exchange also keeps the decoded request
    /// between attempts (decoded at most once).
    ///
    /// The synchronous work before and after the provider call is in `@inline(never)` functions and what
    /// crosses the wait is in the exchange, so this chain of async frames, which a stream's task keeps the
    /// memory of (`ModelRequestHandler`), holds little more than references.
    func send(
        _ request: OutgoingRequest, to deployment: Deployment, plan: RoutePlan, exchange: ModelExchange
    ) async throws(GatewayError) {
        do {
            let call = try prepare(request, deployment: deployment, plan: plan, cache: exchange)
            try await callUpstream(call, exchange: exchange, deployment: deployment, requestID: request.requestID)
        } catch {
            throw sanitize(error, deployment: deployment)
        }
    }

    /// What one attempt sends, and how its answer is read.
    struct Call {
        let endpoint: ProviderEndpoint
        let body: ByteBuffer
        let stream: Bool
        let codec: any ProviderCodec
        /// The canonical request, when translated (nil: passthrough).
        let translated: ChatRequest?
        let adjustments: [String]

        /// The attempt's result: a translated whole answer decoded and checked.
        @inline(never)
        func finish(_ answer: UpstreamAnswer) throws(GatewayError) -> Attempted {
            guard let translated else { return Attempted(answer: answer, route: .passthrough, codec: codec) }
            guard case .whole(let whole) = answer else {
                return Attempted(answer: answer, route: .translated(translated, adjustments: adjustments), codec: codec)
            }
            var response = try codec.decodeResponse(Array(buffer: whole.body))
            // An answer the model botched is a failed attempt, not a normal end (mapping.md §1.1).
            for choice in response.choices {
                if case .error(let native) = choice.finishReason {
                    throw GatewayError.unusableOutput(native)
                }
            }
            if adjustments.contains(Adjustment.parallelToolCalls) { SingleToolCall.enforce(&response) }
            let decoded = WholeAnswer(contentType: whole.contentType, body: whole.body, usage: response.usage, decoded: response)
            return Attempted(answer: .whole(decoded), route: .translated(translated, adjustments: adjustments), codec: codec)
        }
    }

    /// The provider's adapter says how to reach the deployment; the client's bytes go as they are when the
    /// provider speaks the client's dialect, otherwise the canonical request is encoded by the provider's codec.
    @inline(never)
    private func prepare(
        _ request: OutgoingRequest, deployment: Deployment, plan: RoutePlan, cache: ModelExchange
    ) throws(GatewayError) -> Call {
        let adapter = snapshot.adapter(for: deployment)
        let codec = adapter.codec(maxOutputTokens: deployment.maxOutputTokens)
        let model = deployment.upstreamModel
        if adapter.dialect == request.dialect.dialect, let path = adapter.passthroughPath(request.operation) {
            var endpoint = adapter.endpoint(deployment.provider, model: model, path: path)
            endpoint.headers.append(contentsOf: request.forwardedHeaders)
            return Call(
                endpoint: endpoint, body: request.dialect.passthroughBody(request.parsed, model: model),
                stream: request.parsed.stream, codec: codec, translated: nil, adjustments: [])
        }
        let decoded: ChatRequest
        if let canonical = cache.canonical {
            decoded = canonical
        } else {
            decoded = try request.dialect.canonical(request.parsed, operation: request.operation, for: deployment, plan: plan)
            cache.canonical = decoded
        }
        // Dialect-specific fields the client sent mean nothing to a provider of another dialect (and some
        // providers reject unknown fields), so only canonical content crosses over.
        let encoded = try codec.encodeRequest(decoded.withoutDialectExtras(), upstreamModel: model)
        var endpoint = adapter.endpoint(deployment.provider, model: model, path: encoded.path)
        endpoint.headers.append(contentsOf: encoded.headers)
        endpoint = try adapter.sign(endpoint, body: encoded.body, provider: deployment.provider)
        return Call(
            endpoint: endpoint, body: ByteBuffer(bytes: encoded.body), stream: decoded.stream, codec: codec,
            translated: decoded, adjustments: encoded.adjustments)
    }

    /// Sends and waits for the whole answer or the stream's first bytes.
    @inline(never)
    private func callUpstream(
        _ call: Call, exchange: ModelExchange, deployment: Deployment, requestID: String
    ) async throws(GatewayError) {
        if call.stream {
            let stream = try await upstream.stream(
                endpoint: call.endpoint, body: call.body, requestID: requestID, timeouts: deployment.timeouts,
                decodeError: call.codec.decodeError)
            try exchange.answered(stream: stream, by: call)
            return
        }
        let answer = try await upstream.answer(
            endpoint: call.endpoint, body: call.body, requestID: requestID, timeouts: deployment.timeouts,
            decodeError: call.codec.decodeError)
        try exchange.answered(whole: answer, by: call)
    }

    /// A whole answer; read for usage when passed through (a translated one is decoded by `Call.finish`).
    @inline(never)
    static func whole(_ answer: UpstreamClient.Answer, call: Call) -> WholeAnswer {
        let contentType = answer.headers.first(name: "content-type")
        guard call.translated == nil else {
            return WholeAnswer(contentType: contentType, body: answer.body, usage: nil, decoded: nil)
        }
        let usage = answer.body.withUnsafeReadableBytes { call.codec.usage(ofAnswer: $0) }
        return WholeAnswer(contentType: contentType, body: answer.body, usage: usage, decoded: nil)
    }

    @inline(never)
    private func sanitize(_ error: GatewayError, deployment: Deployment) -> GatewayError {
        Self.sanitize(error, provider: deployment.provider, scrubber: snapshot.scrubber(for: deployment))
    }

    /// Errors reach the client without provider secrets: an upstream auth failure never repeats the
    /// provider's message (which may quote part of the key), and any message is scrubbed of the key.
    static func sanitize(_ error: GatewayError, provider: GatewayConfig.Provider, scrubber: SecretScrubber) -> GatewayError {
        var error = error
        switch error.kind {
        case .upstreamAuthentication:
            error.message = "Provider '\(provider.name)' rejected the gateway's credentials (HTTP \(error.upstreamStatus ?? 401))."
        case .upstreamPermission:
            error.message = "Provider '\(provider.name)' refused access (HTTP \(error.upstreamStatus ?? 403))."
        default:
            error.message = scrubber.scrub(error.message)
        }
        return error
    }
}

extension ChatRequest {
    /// The request without the inbound dialect's uninterpreted fields (`extra` on the request and messages).
    func withoutDialectExtras() -> ChatRequest {
        var copy = self
        copy.extra = [:]
        for index in copy.messages.indices { copy.messages[index].extra = [:] }
        return copy
    }
}

extension GatewayError {
    /// A finish reason that says the model's output cannot be used (mapping.md §1.1): a failure, not an end.
    static func unusableOutput(_ native: String) -> GatewayError {
        GatewayError(.upstreamError, "The model produced unusable output (\(native)).")
    }
}
