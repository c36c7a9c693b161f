#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird
import NIOCore

/// Turns a validated request body into the provider's answer for one endpoint.
struct EndpointHandler {
    let provider: FakeProvider
    let knobs: Knobs
    /// Azure classic: the deployment from the path stands in for `model`.
    let deployment: String?
    let requestID: String
    /// Installed when `hang_after` is set: the stall ends when the client leaves.
    let departure: ClientDepartureWatcher.Wait?

    func chatCompletions(body: ByteBuffer, random: inout RandomIDs) -> Response {
        let parsed: ChatCompletionRequest
        switch self.decode(ChatCompletionRequest.self, body) {
        case .success(let value): parsed = value
        case .failure(let failure): return failure.response
        }
        guard let model = self.deployment ?? parsed.model else { return self.missingModel() }
        guard let messages = parsed.messages else {
            return self.error(
                ProviderErrors.invalidRequest(
                    provider: self.provider,
                    message: "Missing required parameter: 'messages'.",
                    param: "messages",
                    code: "missing_required_parameter",
                    missingField: "messages"
                )
            )
        }
        if let failure = self.validateChoiceCount(parsed.n) { return failure }
        let plan = ChatPlan(
            request: parsed,
            messages: messages,
            model: model,
            provider: self.provider,
            knobs: self.knobs,
            requestID: self.requestID,
            random: &random
        )
        let spacing = self.knobs.jsonSpacing
        guard parsed.stream == true else {
            return self.json(spacing.respell(ChatCompletionEncoder.encode(plan)))
        }
        let encoder = ChatStreamEncoder(plan: plan)
        return self.stream(
            SSEBody(
                preamble: self.provider.streamPreamble,
                events: encoder.events().map(spacing.respellEvent),
                midstreamError: self.knobs.midstreamError == nil
                    ? nil : { let error = encoder.midstreamError(); return (spacing.respellEvent(error.event), error.thenDone) }(),
                knobs: self.knobs,
                departure: self.departure
            )
        )
    }

    func completions(body: ByteBuffer, random: inout RandomIDs) -> Response {
        let parsed: CompletionRequest
        switch self.decode(CompletionRequest.self, body) {
        case .success(let value): parsed = value
        case .failure(let failure): return failure.response
        }
        guard let model = self.deployment ?? parsed.model else { return self.missingModel() }
        guard parsed.prompt != nil else {
            return self.error(
                ProviderErrors.invalidRequest(
                    provider: self.provider,
                    message: "Missing required parameter: 'prompt'.",
                    param: "prompt",
                    code: "missing_required_parameter",
                    missingField: "prompt"
                )
            )
        }
        if let failure = self.validateChoiceCount(parsed.n) { return failure }
        let encoder = CompletionsEncoder(request: parsed, model: model, provider: self.provider, knobs: self.knobs, random: &random)
        guard parsed.stream == true else {
            return self.json(encoder.response())
        }
        return self.stream(
            SSEBody(
                preamble: nil,
                events: encoder.events(),
                midstreamError: (SSEBody.openAIMidstreamError, false),
                knobs: self.knobs,
                departure: self.departure
            )
        )
    }

    func embeddings(body: ByteBuffer) -> Response {
        let parsed: EmbeddingRequest
        switch self.decode(EmbeddingRequest.self, body) {
        case .success(let value): parsed = value
        case .failure(let failure): return failure.response
        }
        guard let model = self.deployment ?? parsed.model else { return self.missingModel() }
        guard let input = parsed.input else {
            return self.error(
                ProviderErrors.invalidRequest(
                    provider: self.provider,
                    message: "Missing required parameter: 'input'.",
                    param: "input",
                    code: "missing_required_parameter",
                    missingField: "input"
                )
            )
        }
        let dimensions = parsed.dimensions ?? EmbeddingsEncoder.defaultDimensions
        guard (1...EmbeddingsEncoder.maxDimensions).contains(dimensions) else {
            return self.error(
                ProviderErrors.invalidRequest(
                    provider: self.provider,
                    message: "Invalid value for 'dimensions': must be between 1 and \(EmbeddingsEncoder.maxDimensions).",
                    param: "dimensions",
                    code: "invalid_value"
                )
            )
        }
        let base64: Bool
        switch parsed.encodingFormat {
        case nil, "float": base64 = false
        case "base64": base64 = true
        case let other?:
            return self.error(
                ProviderErrors.invalidRequest(
                    provider: self.provider,
                    message: "Invalid value for 'encoding_format': '\(other)' is not one of 'float', 'base64'.",
                    param: "encoding_format",
                    code: "invalid_value"
                )
            )
        }
        return self.json(EmbeddingsEncoder.response(texts: input.texts, model: model, dimensions: dimensions, base64: base64))
    }

    // MARK: Shared steps

    /// Bad JSON → 400 in the provider's shape, with OpenAI's wording.
    private func decode<Body: Decodable>(_ type: Body.Type, _ body: ByteBuffer) -> Result<Body, ResponseFailure> {
        do {
            return .success(try JSONDecoder().decode(Body.self, from: Data(body.readableBytesView)))
        } catch {
            return .failure(
                ResponseFailure(
                    response: self.error(
                        ProviderErrors.invalidRequest(
                            provider: self.provider,
                            message: "We could not parse the JSON body of your request. The API expects a JSON payload: \(error)"
                        )
                    )
                )
            )
        }
    }

    private func missingModel() -> Response {
        self.error(
            ProviderErrors.invalidRequest(
                provider: self.provider,
                message: "you must provide a model parameter",
                missingField: "model"
            )
        )
    }

    /// `n` must be 1…128; Groq serves only 1.
    private func validateChoiceCount(_ n: Int?) -> Response? {
        guard let n else { return nil }
        let maximum = self.provider == .groq ? 1 : 128
        guard n < 1 || n > maximum else { return nil }
        return self.error(
            ProviderErrors.invalidRequest(
                provider: self.provider,
                message: "Invalid value for 'n': must be between 1 and \(maximum).",
                param: "n",
                code: "invalid_value"
            )
        )
    }

    private func json(_ body: ByteBuffer) -> Response {
        Response(
            status: .ok,
            headers: ResponseHeaders.make(provider: self.provider, contentType: "application/json", requestID: self.requestID),
            body: .init(byteBuffer: body)
        )
    }

    private func stream(_ body: SSEBody) -> Response {
        Response(
            status: .ok,
            headers: ResponseHeaders.make(
                provider: self.provider,
                contentType: self.provider.streamContentType,
                requestID: self.requestID
            ),
            body: body.responseBody()
        )
    }

    private func error(_ answer: ErrorAnswer) -> Response {
        FakeProviderResponder.response(answer, provider: self.provider, requestID: self.requestID)
    }
}

/// A ready error `Response` carried through `Result`.
struct ResponseFailure: Error {
    let response: Response
}
