import SwitchyardCore

/// The Anthropic `message` response codec: `decode` reads an Anthropic upstream's answer, `encode` writes the
/// answer an Anthropic-dialect client receives, whichever provider produced it.
public enum AnthropicResponse {
    static let modelledFields: Set<String> = [
        "id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "stop_details", "usage",
    ]

    public static func decode(_ bytes: some Collection<UInt8>) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSON.parse(bytes) else {
            throw GatewayError(.upstreamError, "The provider returned a response that is not JSON.")
        }
        return try decode(json)
    }

    /// Content blocks keep their order within each kind: text and media → content, thinking → reasoning (with
    /// signatures), `tool_use` → tool calls (ids unchanged). `created` is 0: Anthropic sends no timestamp, the
    /// server stamps its own.
    public static func decode(_ json: JSONValue) throws(GatewayError) -> ChatResponse {
        guard let body = json.objectValue else {
            throw GatewayError(.upstreamError, "The provider returned a response that is not a JSON object.")
        }
        if body["type"]?.stringValue == "error" {
            // An error body delivered with a success status (seen behind some proxies).
            throw AnthropicErrors.decode(json: json, status: 500)
        }
        var message = Message(role: .assistant, content: [], contentWasText: true)
        do {
            try AnthropicContent.decodeAssistant(body["content"]?.arrayValue ?? [], into: &message, param: "content")
        } catch {
            throw GatewayError(.upstreamError, "The provider's answer has a malformed block: \(error.message)")
        }
        var choice = Choice(
            index: 0, message: message, finishReason: body["stop_reason"]?.stringValue.map(decodeStopReason))
        choice.stopSequence = body["stop_sequence"]?.stringValue
        if let details = body["stop_details"], !details.isNull { choice.extra["stop_details"] = details }
        let usage = body["usage"] ?? .null
        var response = ChatResponse(
            id: body["id"]?.stringValue ?? "", model: body["model"]?.stringValue ?? "", created: 0, choices: [choice],
            usage: AnthropicUsage.decode(usage))
        for (key, value) in body where !modelledFields.contains(key) && !value.isNull {
            response.extra[key] = value
        }
        let extras = AnthropicUsage.extras(usage)
        // Same key as the OpenAI codec uses, so each encoder knows to fold it into its own usage object.
        if !extras.isEmpty { response.extra["usage_extra"] = .object(extras) }
        return response
    }

    public static func decodeStopReason(_ value: String) -> FinishReason {
        switch value {
        case "end_turn": return .stop
        case "stop_sequence": return .stopSequence
        case "max_tokens": return .length
        case "model_context_window_exceeded": return .contextWindow
        case "tool_use": return .toolCalls
        case "refusal": return .contentFilter
        case "pause_turn": return .pause
        default: return .other(value)
        }
    }

    static let stopReasons: Set<String> = [
        "end_turn", "stop_sequence", "max_tokens", "model_context_window_exceeded", "tool_use", "refusal", "pause_turn",
    ]

    /// Canonical → Anthropic `stop_reason` (mapping.md §1.2). A natural stop with tool calls is `tool_use`
    /// (some OpenAI-compatible servers say `stop` there, and Anthropic clients run tools only on `tool_use`);
    /// a stop sequence the provider did not name is `end_turn`; context-window stops are
    /// `model_context_window_exceeded` only for clients that sent that beta; an `.error` end (only reachable
    /// once streaming began) is `end_turn`.
    public static func encodeStopReason(
        _ reason: FinishReason?, stopSequence: String?, hasToolCalls: Bool, contextWindowStopReason: Bool = false
    ) -> String {
        switch reason {
        case .stop?, nil: return hasToolCalls ? "tool_use" : "end_turn"
        case .stopSequence?: return stopSequence == nil ? "end_turn" : "stop_sequence"
        case .length?: return "max_tokens"
        case .contextWindow?: return contextWindowStopReason ? "model_context_window_exceeded" : "max_tokens"
        case .toolCalls?: return "tool_use"
        case .contentFilter?: return "refusal"
        case .pause?: return "pause_turn"
        case .error?: return "end_turn"
        case .other(let value)?: return stopReasons.contains(value) ? value : "end_turn"
        }
    }

    /// The `message` object for an Anthropic-dialect client, shaped to parse with the official SDK's strict
    /// models. `model` is the public model name; the id gets the `msg_` prefix when it lacks one. Only the first
    /// choice is sent (Anthropic has no `n`).
    public static func encode(_ response: ChatResponse, model: String, contextWindowStopReason: Bool = false) -> JSONValue {
        var body = response.extra
        body["usage_extra"] = nil
        body["id"] = .string(response.id.hasPrefix("msg_") ? response.id : "msg_" + response.id)
        body["type"] = "message"
        body["role"] = "assistant"
        body["model"] = .string(model)
        let choice = response.choices.first
        let message = choice?.message ?? Message(role: .assistant, content: [])
        // Lenient encoding cannot throw for want of a request to blame; `try?` only satisfies the signature.
        let content = (try? AnthropicContent.encodeAssistant(message, param: "content", lenient: true)) ?? []
        body["content"] = .array(content)
        let stopReason = encodeStopReason(
            choice?.finishReason, stopSequence: choice?.stopSequence, hasToolCalls: !message.toolCalls.isEmpty,
            contextWindowStopReason: contextWindowStopReason)
        body["stop_reason"] = .string(stopReason)
        body["stop_sequence"] = stopReason == "stop_sequence" ? choice?.stopSequence.map(JSONValue.string) ?? .null : .null
        if let details = choice?.extra["stop_details"] { body["stop_details"] = details }
        body["usage"] = AnthropicUsage.encode(
            response.usage ?? Usage(), extras: response.extra["usage_extra"]?.objectValue ?? [:])
        return .object(body)
    }
}
