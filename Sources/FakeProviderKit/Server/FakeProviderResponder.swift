import Hummingbird
import NIOCore

/// Answers every request: records it, takes the path apart, applies the knobs, checks the
/// key the way the provider does, then hands the body to the endpoint (`EndpointHandler` for
/// the OpenAI family, `NativeResponder` for Anthropic, Gemini, Bedrock and Cohere).
///
/// A plain `HTTPResponder` rather than a `Router`: the knob segment is free-form and Azure's
/// paths have their own shape, so one hand-written parse (`Route`) is both simpler and cheaper
/// than route patterns.
struct FakeProviderResponder: HTTPResponder {
    typealias Context = FakeRequestContext

    let log: RequestLog
    let counters: FailureCounters

    /// Larger bodies are refused with 413 (real providers stop far below this).
    static let maxBodyBytes = 32 << 20

    func respond(to request: Request, context: Context) async throws -> Response {
        let method = request.method.rawValue
        let path = request.uri.path
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            // The path's first segment names the provider whose error shape to use.
            let first = path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            if let provider = FakeProvider(rawValue: first), provider.dialect != .openAI {
                var random = RandomIDs()
                let requestID = ResponseHeaders.requestID(for: provider, &random)
                let answer = NativeErrors.answer(
                    NativeErrors.generic(dialect: provider.dialect, status: 413),
                    dialect: provider.dialect,
                    requestID: requestID
                )
                return NativeResponder.response(answer, provider: provider, requestID: requestID)
            }
            let answer = ProviderErrors.generic(
                provider: .openai,
                status: 413,
                message: "Request body larger than \(Self.maxBodyBytes) bytes.",
                type: "invalid_request_error",
                code: "request_too_large"
            )
            return Self.response(answer, provider: .openai, requestID: "")
        }
        if path.hasPrefix("/_fake/") || path == "/_fake" {
            return await ControlEndpoints(log: self.log, counters: self.counters).respond(method: method, path: path)
        }

        let headers = Self.lowercasedHeaders(request.headers)
        await self.log.record(
            RecordedRequest(method: method, path: request.head.path ?? path, headers: headers, body: Array(body.readableBytesView))
        )

        var random = RandomIDs()
        let route: Route
        do {
            route = try Route.parse(method: method, path: Substring(path), query: request.uri.query.map { Substring($0) })
        } catch {
            return Self.routeFailure(error, method: method, path: path, random: &random)
        }
        let provider = route.provider
        let knobs = route.knobs
        let requestID = ResponseHeaders.requestID(for: provider, &random)
        // Watch from the start, so a client that gives up during `latency` is noticed too.
        let departure = knobs.hang || knobs.hangAfter != nil ? try await ClientDepartureWatcher.install(on: context.channel) : nil

        if knobs.latencyMilliseconds > 0 {
            try await Task.sleep(for: .milliseconds(knobs.latencyMilliseconds))
        }
        if knobs.hang, let departure {
            try await departure.untilClientLeaves()
            // Nobody is listening any more; throwing ends the exchange without an answer.
            throw CancellationError()
        }
        let native =
            provider.dialect == .openAI
            ? nil
            : NativeResponder(route: route, requestID: requestID, headers: headers, departure: departure)
        if let native {
            if let refusal = native.admit(head: request.head, body: body) { return refusal }
        } else if !Self.isAuthorized(provider: provider, headers: headers, requiredKey: knobs.requiredKey) {
            return Self.response(ProviderErrors.unauthorized(provider: provider), provider: provider, requestID: requestID)
        }
        let failsNow: Bool
        if let failFirst = knobs.failFirst {
            failsNow = await self.counters.shouldFail(prefix: String(route.prefix), limit: failFirst)
        } else {
            failsNow = knobs.status != nil || knobs.errorName != nil
        }
        if failsNow {
            if let native { return native.requestedError() }
            return Self.response(ProviderErrors.requested(by: knobs, provider: provider), provider: provider, requestID: requestID)
        }
        if let native {
            return native.respond(body: body, random: &random)
        }

        let endpoint = EndpointHandler(
            provider: provider,
            knobs: knobs,
            deployment: route.deployment,
            requestID: requestID,
            departure: departure
        )
        switch route.endpoint {
        case .chatCompletions: return endpoint.chatCompletions(body: body, random: &random)
        case .completions: return endpoint.completions(body: body, random: &random)
        case .embeddings: return endpoint.embeddings(body: body)
        case .models:
            return Response(
                status: .ok,
                headers: ResponseHeaders.make(provider: provider, contentType: "application/json", requestID: requestID),
                body: .init(byteBuffer: ModelsEncoder.response(for: provider))
            )
        case .anthropicMessages, .anthropicCountTokens, .anthropicModels, .geminiGenerate, .geminiModels, .bedrockConverse,
            .cohereChat:
            // `Route` gives these only to native providers, which `NativeResponder` answered above.
            return Self.response(
                ProviderErrors.notFound(provider: provider, method: method, path: path),
                provider: provider,
                requestID: requestID
            )
        }
    }

    /// An error response with the provider's headers plus the error's own (`retry-after`, …).
    static func response(_ answer: ErrorAnswer, provider: FakeProvider, requestID: String) -> Response {
        Response(
            status: .init(code: answer.status),
            headers: ResponseHeaders.make(
                provider: provider,
                contentType: "application/json",
                requestID: requestID,
                extra: answer.headers
            ),
            body: .init(byteBuffer: answer.body)
        )
    }

    private static func routeFailure(_ failure: Route.Failure, method: String, path: String, random: inout RandomIDs) -> Response {
        if let native = failure.provider, native.dialect != .openAI {
            let requestID = ResponseHeaders.requestID(for: native, &random)
            let answer: ErrorAnswer
            switch failure {
            case .badKnobs(_, let message):
                answer = NativeErrors.invalidRequest(dialect: native.dialect, message: "fake providers: \(message)", requestID: requestID)
            case .notFound, .missingAPIVersion:
                answer = NativeErrors.notFound(dialect: native.dialect, method: method, path: path, requestID: requestID)
            }
            return NativeResponder.response(answer, provider: native, requestID: requestID)
        }
        switch failure {
        case .notFound(let provider):
            let provider = provider ?? .openai
            return Self.response(
                ProviderErrors.notFound(provider: provider, method: method, path: path),
                provider: provider,
                requestID: ResponseHeaders.requestID(for: provider, &random)
            )
        case .missingAPIVersion:
            return Self.response(
                ProviderErrors.notFound(provider: .azureOpenAI, method: method, path: path),
                provider: .azureOpenAI,
                requestID: ResponseHeaders.requestID(for: .azureOpenAI, &random)
            )
        case .badKnobs(let provider, let message):
            return Self.response(
                ProviderErrors.generic(
                    provider: provider,
                    status: 400,
                    message: "fake providers: \(message)",
                    type: "invalid_request_error",
                    code: "invalid_knob"
                ),
                provider: provider,
                requestID: ResponseHeaders.requestID(for: provider, &random)
            )
        }
    }

    /// Each provider's key check: Azure wants `api-key`, the rest `Authorization: Bearer …`,
    /// Ollama and vLLM accept anything unless a `key=` knob asks for a specific key.
    private static func isAuthorized(provider: FakeProvider, headers: [String: String], requiredKey: String?) -> Bool {
        let presented: String?
        switch provider.authentication {
        case .apiKeyHeader:
            presented = headers["api-key"]
        case .bearer, .optional:
            presented = headers["authorization"].flatMap { value in
                value.count > 7 && value.prefix(7).lowercased() == "bearer " ? String(value.dropFirst(7)) : nil
            }
        }
        // Keys never contain spaces; dropping them treats "Bearer   " as no key at all.
        let key = presented?.filter { $0 != " " } ?? ""
        if let requiredKey { return key == requiredKey }
        return provider.authentication == .optional || !key.isEmpty
    }

    private static func lowercasedHeaders(_ fields: HTTPFields) -> [String: String] {
        var headers: [String: String] = [:]
        headers.reserveCapacity(fields.count)
        for field in fields {
            let name = field.name.canonicalName
            if let existing = headers[name] {
                headers[name] = existing + ", " + field.value
            } else {
                headers[name] = field.value
            }
        }
        return headers
    }
}

extension Route.Failure {
    /// The provider the failed path was aimed at, when known.
    var provider: FakeProvider? {
        switch self {
        case .notFound(let provider): return provider
        case .badKnobs(let provider, _): return provider
        case .missingAPIVersion: return .azureOpenAI
        }
    }
}
