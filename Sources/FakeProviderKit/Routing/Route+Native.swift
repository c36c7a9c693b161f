/// How Gemini was asked to stream.
enum GeminiStreamMode: Sendable, Equatable {
    /// `?alt=sse`: CRLF-framed SSE, what every client should use.
    case sse
    /// No `alt=sse`: one JSON array whose elements arrive over time.
    case jsonArray
}

extension Route {
    /// The native dialects' own paths, after `/{provider}/{knobs?}`:
    /// - Anthropic: `POST /v1/messages`, `POST /v1/messages/count_tokens`, `GET /v1/models`
    /// - Gemini: `POST /v1beta/models/{model}:generateContent`, `…:streamGenerateContent[?alt=sse]`,
    ///   `GET /v1beta/models` (`v1` too)
    /// - Bedrock: `POST /model/{modelId}/converse`, `POST /model/{modelId}/converse-stream`
    ///   (the model id percent-encoded as one segment)
    /// - Cohere: `POST /v2/chat`
    static func nativeEndpoint(
        provider: FakeProvider,
        method: String,
        rest: [Substring],
        query: Substring?
    ) -> Endpoint? {
        switch (provider.dialect, method) {
        case (.anthropic, "POST"):
            switch rest {
            case ["v1", "messages"]: return .anthropicMessages
            case ["v1", "messages", "count_tokens"]: return .anthropicCountTokens
            default: return nil
            }
        case (.anthropic, "GET"):
            return rest == ["v1", "models"] ? .anthropicModels : nil
        case (.gemini, "GET"):
            return rest.count == 2 && Self.isGeminiVersion(rest[0]) && rest[1] == "models" ? .geminiModels : nil
        case (.gemini, "POST"):
            guard rest.count == 3, Self.isGeminiVersion(rest[0]), rest[1] == "models",
                let call = PercentEncoding.decode(rest[2]), let colon = call.lastIndex(of: ":")
            else { return nil }
            let model = String(call[..<colon])
            guard !model.isEmpty else { return nil }
            switch call[call.index(after: colon)...] {
            case "generateContent":
                return .geminiGenerate(model: model, stream: nil)
            case "streamGenerateContent":
                let sse = query?.split(separator: "&").contains("alt=sse") ?? false
                return .geminiGenerate(model: model, stream: sse ? .sse : .jsonArray)
            default:
                return nil
            }
        case (.bedrock, "POST"):
            guard rest.count == 3, rest[0] == "model", let modelID = PercentEncoding.decode(rest[1]), !modelID.isEmpty else {
                return nil
            }
            switch rest[2] {
            case "converse": return .bedrockConverse(modelID: modelID, stream: false)
            case "converse-stream": return .bedrockConverse(modelID: modelID, stream: true)
            default: return nil
            }
        case (.cohere, "POST"):
            return rest == ["v2", "chat"] ? .cohereChat : nil
        default:
            return nil
        }
    }

    private static func isGeminiVersion(_ segment: Substring) -> Bool {
        segment == "v1beta" || segment == "v1"
    }
}
