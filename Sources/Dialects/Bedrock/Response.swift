import SwitchyardCore

/// The Converse response codec (bedrock.md §3), plus the stop-reason and usage mappings the stream shares.
/// The body has no id, model or timestamp: the gateway takes the id from `x-amzn-RequestId` and knows the model.
public enum BedrockResponse {
    /// Converse response members kept in `ChatResponse.extra` under their own names and written back by `encode`.
    static let passthroughMembers: Set<String> = [
        "metrics", "trace", "additionalModelResponseFields", "performanceConfig", "serviceTier",
    ]
    /// `Choice.extra` key holding Bedrock's own stop reason, which several canonical reasons merge (mapping.md §1).
    public static let nativeFinishReasonKey = "native_finish_reason"

    public static func decode(_ bytes: some Collection<UInt8>) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSON.parse(bytes) else {
            throw GatewayError(.upstreamError, "Bedrock returned a response that is not JSON.")
        }
        return try decode(json)
    }

    public static func decode(_ json: JSONValue) throws(GatewayError) -> ChatResponse {
        guard let body = json.objectValue, let blocks = body["output"]?["message"]?["content"]?.arrayValue else {
            throw GatewayError(.upstreamError, "Bedrock's response has no output.message.content.")
        }
        let message: Message
        do {
            message = try BedrockContent.decodeAssistant(blocks, param: "output.message")
        } catch {
            throw GatewayError(.upstreamError, "Bedrock's response is malformed: \(error.message)")
        }
        let stopReason = body["stopReason"]?.stringValue
        var choice = Choice(index: 0, message: message, finishReason: stopReason.map(decodeStopReason))
        if let stopReason { choice.extra[nativeFinishReasonKey] = .string(stopReason) }
        // Anthropic models report the matched sequence when asked via additionalModelResponseFieldPaths.
        choice.stopSequence = body["additionalModelResponseFields"]?["stop_sequence"]?.stringValue
        var response = ChatResponse(id: "", model: "", created: 0, choices: [choice], usage: body["usage"].flatMap(decodeUsage))
        for (key, value) in body where passthroughMembers.contains(key) {
            response.extra[key] = value
        }
        return response
    }

    /// A canonical answer as a Converse body (for the fake upstream and golden tests). Only the first choice
    /// is written: Converse has one.
    public static func encode(_ response: ChatResponse) throws(GatewayError) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (key, value) in response.extra where passthroughMembers.contains(key) {
            body[key] = value
        }
        let choice = response.choices.first
        var documents = BedrockContent.DocumentNamer()
        let blocks = try BedrockContent.encodeAssistant(
            choice?.message ?? Message(role: .assistant, content: []), param: "choices[0].message",
            keepUnsignedReasoning: true, documents: &documents)
        body["output"] = ["message": ["role": "assistant", "content": .array(blocks)]]
        body["stopReason"] = .string(
            encodeStopReason(choice?.finishReason ?? .stop, native: choice?.extra[nativeFinishReasonKey]?.stringValue))
        body["usage"] = encodeUsage(response.usage ?? Usage())
        // `metrics` is a required member of the response.
        if body["metrics"] == nil { body["metrics"] = ["latencyMs": 0] }
        return .object(body)
    }

    /// mapping.md §1.1: `malformed_*` are the model failing, not a normal end.
    public static func decodeStopReason(_ value: String) -> FinishReason {
        switch value {
        case "end_turn": return .stop
        case "stop_sequence": return .stopSequence
        case "max_tokens": return .length
        case "model_context_window_exceeded": return .contextWindow
        case "tool_use": return .toolCalls
        case "guardrail_intervened", "content_filtered": return .contentFilter
        case "malformed_model_output", "malformed_tool_use": return .error(native: value)
        default: return .other(value)
        }
    }

    /// The Bedrock stop reason for a canonical one; `native` (Bedrock's own value, when the answer came from
    /// Bedrock) wins when it maps to the same reason, so `guardrail_intervened` survives a round trip.
    public static func encodeStopReason(_ reason: FinishReason, native: String? = nil) -> String {
        if let native, decodeStopReason(native) == reason { return native }
        switch reason {
        case .stop, .pause: return "end_turn"
        case .stopSequence: return "stop_sequence"
        case .length: return "max_tokens"
        case .contextWindow: return "model_context_window_exceeded"
        case .toolCalls: return "tool_use"
        case .contentFilter: return "content_filtered"
        case .error(let native): return native
        case .other(let value): return value
        }
    }

    /// Bedrock counts as Anthropic does (mapping.md §2): `inputTokens` excludes cache reads and writes, and
    /// `outputTokens` includes reasoning, which Bedrock does not break out (so canonical `reasoning` stays 0).
    public static func decodeUsage(_ usage: JSONValue) -> Usage? {
        guard usage.objectValue != nil else { return nil }
        return Usage(
            input: usage["inputTokens"]?.tokenCount ?? 0, output: usage["outputTokens"]?.tokenCount ?? 0,
            cacheRead: usage["cacheReadInputTokens"]?.tokenCount ?? 0,
            cacheWrite: usage["cacheWriteInputTokens"]?.tokenCount ?? 0)
    }

    public static func encodeUsage(_ usage: Usage) -> JSONValue {
        [
            "inputTokens": .int(Int64(usage.input)), "outputTokens": .int(Int64(usage.totalOutput)),
            "totalTokens": .int(Int64(usage.total)), "cacheReadInputTokens": .int(Int64(usage.cacheRead)),
            "cacheWriteInputTokens": .int(Int64(usage.cacheWrite)),
        ]
    }
}
