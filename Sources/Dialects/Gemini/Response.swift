import SwitchyardCore

/// The Gemini `GenerateContentResponse` codec.
public enum GeminiResponse {
    /// Candidate fields with no canonical meaning, kept in `Choice.extra` under their Gemini names (and written
    /// back to Gemini clients); other dialects' choice extras are not.
    static let candidateExtras: Set<String> = [
        "safetyRatings", "citationMetadata", "groundingMetadata", "avgLogprobs", "logprobsResult", "finishMessage",
        "urlContextMetadata", "tokenCount", "groundingAttributions",
    ]
    /// Top-level response fields kept in `ChatResponse.extra` the same way.
    static let responseExtras: Set<String> = ["promptFeedback", "createTime", "modelStatus"]
    /// Where decoders keep the provider's own finish value (mapping.md §1.1 asks answers to carry it).
    public static let nativeFinishReasonKey = "native_finish_reason"

    public static func decode(_ bytes: some Collection<UInt8>) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSON.parse(bytes), json.objectValue != nil else {
            throw GatewayError(.upstreamError, "The provider returned a response that is not a JSON object.")
        }
        return try decode(json)
    }

    /// Candidates become choices. Gemini has no creation time, so `created` is 0 for the gateway to fill in.
    /// A prompt blocked before generation (HTTP 200, no candidates, `promptFeedback.blockReason`) becomes one
    /// empty choice finished by `.contentFilter`.
    public static func decode(_ json: JSONValue) throws(GatewayError) -> ChatResponse {
        guard let body = json.objectValue else {
            throw GatewayError(.upstreamError, "The provider returned a response that is not a JSON object.")
        }
        if let error = body["error"], !error.isNull {
            throw GeminiErrors.decode(error: error, status: nil, retryAfterHeader: nil)
        }
        let responseId = json.field("responseId")?.stringValue ?? ""
        var choices: [Choice] = []
        for (position, candidate) in (json.field("candidates")?.arrayValue ?? []).enumerated() {
            choices.append(decodeCandidate(candidate, position: position, responseId: responseId))
        }
        if choices.isEmpty, json.field("promptFeedback")?.field("blockReason")?.stringValue != nil {
            choices.append(Choice(index: 0, message: Message(role: .assistant, content: [], contentWasText: true), finishReason: .contentFilter))
        }
        var response = ChatResponse(
            id: responseId, model: json.field("modelVersion")?.stringValue ?? "", created: 0, choices: choices,
            usage: json.field("usageMetadata").flatMap(GeminiUsage.decode))
        for (key, value) in GeminiKeys.camelCased(body) where responseExtras.contains(key) && !value.isNull {
            response.extra[key] = value
        }
        return response
    }

    static func decodeCandidate(_ candidate: JSONValue, position: Int, responseId: String) -> Choice {
        let index = candidate.field("index")?.intValue ?? position
        let parts = candidate.field("content")?.field("parts")?.arrayValue ?? []
        let turn = GeminiParts.decodeModelTurn(parts, idsCarrySignatures: true) { _, callIndex, name, arguments in
            GeminiToolCallID.forResponse(
                responseId: responseId, choice: index, index: callIndex, name: name, arguments: arguments)
        }
        let native = candidate.field("finishReason")?.stringValue
        var choice = Choice(
            index: index, message: turn.message,
            finishReason: native.map { GeminiFinishReason.decode($0, hasToolCalls: !turn.toolCalls.isEmpty) })
        if let native { choice.extra[nativeFinishReasonKey] = .string(native) }
        for (key, value) in GeminiKeys.camelCased(candidate.objectValue ?? [:]) where candidateExtras.contains(key) && !value.isNull {
            choice.extra[key] = value
        }
        return choice
    }

    /// A Gemini answer for a Gemini-speaking client. Throws when a tool call's arguments are not a JSON object
    /// (Gemini's `args` must be one), rather than inventing arguments.
    public static func encode(_ response: ChatResponse) throws(GatewayError) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (key, value) in response.extra where responseExtras.contains(key) { body[key] = value }
        body["responseId"] = .string(response.id)
        body["modelVersion"] = .string(response.model)
        let promptBlocked =
            response.extra["promptFeedback"]?["blockReason"] != nil
            && response.choices.allSatisfy { $0.message.content.isEmpty && $0.message.toolCalls.isEmpty }
        if !promptBlocked {
            var candidates: [JSONValue] = []
            for choice in response.choices { candidates.append(try encodeCandidate(choice)) }
            body["candidates"] = .array(candidates)
        }
        if let usage = response.usage { body["usageMetadata"] = GeminiUsage.encode(usage) }
        return .object(body)
    }

    static func encodeCandidate(_ choice: Choice) throws(GatewayError) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        for (key, value) in choice.extra where candidateExtras.contains(key) { fields[key] = value }
        let parts: [JSONValue]
        do {
            parts = try GeminiParts.encodeModelTurn(choice.message, param: "choices[\(choice.index)].message")
        } catch {
            throw GatewayError(.upstreamError, error.message, param: error.param)
        }
        var content: [String: JSONValue] = ["role": "model"]
        // A candidate stopped before any output has a content with no `parts` (gemini.md §4).
        if !parts.isEmpty { content["parts"] = .array(parts) }
        fields["content"] = .object(content)
        fields["index"] = .int(Int64(choice.index))
        if let reason = choice.finishReason {
            let native = choice.extra[nativeFinishReasonKey]?.stringValue
            fields["finishReason"] = .string(GeminiFinishReason.encode(reason, native: native))
        }
        return .object(fields)
    }
}
