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

    /// - Parameter canonical: the decoded request, kept between attempts (decoded at most once).
    func send(
        _ request: OutgoingRequest, to deployment: Deployment, plan: RoutePlan, canonical: inout ChatRequest?
    ) async throws(GatewayError) -> Attempted {
        do {
            return try await attempt(request, deployment: deployment, plan: plan, canonical: &canonical)
        } catch {
            throw Self.sanitize(error, provider: deployment.provider, scrubber: snapshot.scrubber(for: deployment))
        }
    }

    private func attempt(
        _ request: OutgoingRequest, deployment: Deployment, plan: RoutePlan, canonical: inout ChatRequest?
    ) async throws(GatewayError) -> Attempted {
        let adapter = snapshot.adapter(for: deployment)
        let codec = adapter.codec(maxOutputTokens: deployment.maxOutputTokens)
        let model = deployment.upstreamModel
        if adapter.dialect == request.dialect.dialect, let path = adapter.passthroughPath(request.operation) {
            var endpoint = adapter.endpoint(deployment.provider, model: model, path: path)
            endpoint.headers.append(contentsOf: request.forwardedHeaders)
            let body = request.dialect.passthroughBody(request.parsed, model: model)
            let answer = try await call(
                endpoint, body: body, stream: request.parsed.stream, codec: codec, deployment: deployment,
                requestID: request.requestID, decode: false)
            return Attempted(answer: answer, route: .passthrough, codec: codec)
        }
        let decoded: ChatRequest
        if let canonical {
            decoded = canonical
        } else {
            decoded = try request.dialect.canonical(request.parsed, operation: request.operation, for: deployment, plan: plan)
            canonical = decoded
        }
        // Dialect-specific fields the client sent mean nothing to a provider of another dialect (and some
        // providers reject unknown fields), so only canonical content crosses over.
        let encoded = try codec.encodeRequest(decoded.withoutDialectExtras(), upstreamModel: model)
        var endpoint = adapter.endpoint(deployment.provider, model: model, path: encoded.path)
        endpoint.headers.append(contentsOf: encoded.headers)
        endpoint = try adapter.sign(endpoint, body: encoded.body, provider: deployment.provider)
        var answer = try await call(
            endpoint, body: ByteBuffer(bytes: encoded.body), stream: decoded.stream, codec: codec,
            deployment: deployment, requestID: request.requestID, decode: true)
        if case .whole(let whole) = answer, var response = whole.decoded {
            if encoded.adjustments.contains(Adjustment.parallelToolCalls) { SingleToolCall.enforce(&response) }
            answer = .whole(WholeAnswer(contentType: whole.contentType, body: whole.body, usage: whole.usage, decoded: response))
        }
        return Attempted(answer: answer, route: .translated(decoded, adjustments: encoded.adjustments), codec: codec)
    }

    /// Sends and waits for the whole answer or the stream's first bytes.
    private func call(
        _ endpoint: ProviderEndpoint, body: ByteBuffer, stream: Bool, codec: any ProviderCodec,
        deployment: Deployment, requestID: String, decode: Bool
    ) async throws(GatewayError) -> UpstreamAnswer {
        if stream {
            return .stream(
                try await upstream.stream(
                    endpoint: endpoint, body: body, requestID: requestID, timeouts: deployment.timeouts,
                    decodeError: codec.decodeError))
        }
        let answer = try await upstream.answer(
            endpoint: endpoint, body: body, requestID: requestID, timeouts: deployment.timeouts,
            decodeError: codec.decodeError)
        let contentType = answer.headers.first(name: "content-type")
        guard decode else {
            let usage = answer.body.withUnsafeReadableBytes { codec.usage(ofAnswer: $0) }
            return .whole(WholeAnswer(contentType: contentType, body: answer.body, usage: usage, decoded: nil))
        }
        let decoded = try codec.decodeResponse(Array(buffer: answer.body))
        // An answer the model botched is a failed attempt, not a normal end (mapping.md §1.1).
        for choice in decoded.choices {
            if case .error(let native) = choice.finishReason {
                throw GatewayError.unusableOutput(native)
            }
        }
        return .whole(WholeAnswer(contentType: contentType, body: answer.body, usage: decoded.usage, decoded: decoded))
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
