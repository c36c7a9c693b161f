import SwitchyardCore

/// The Cohere v2 Chat response codec.
///
/// - `message.content` text parts become one text part (Cohere sends one; clients of other dialects expect a
///   string); `thinking` parts, then `tool_plan`, become reasoning (see `CohereRequest` for the way back).
/// - `citations` stay on the message's `extra`, `logprobs` on the response's `extra`.
/// - The choice's `extra["native_finish_reason"]` keeps Cohere's own value (mapping.md §1.1 note).
/// - Usage is billed on `billed_units`; see `decodeUsage`. The raw `tokens` counts (which include Cohere's
///   hidden preamble) and billed extras such as `search_units` ride in `extra["usage_extra"]`, the key the
///   OpenAI encoder merges into its `usage` object.
/// - Cohere answers name no model and no creation time: `model` is "" and `created` 0, for the gateway to fill.
public enum CohereResponse {
    public static func decode(_ bytes: some Collection<UInt8>) throws(GatewayError) -> ChatResponse {
        guard let json = try? JSON.parse(bytes), json.objectValue != nil else {
            throw GatewayError(.upstreamError, "Cohere returned a response that is not a JSON object.")
        }
        return try decode(json)
    }

    public static func decode(_ json: JSONValue) throws(GatewayError) -> ChatResponse {
        guard let body = json.objectValue else {
            throw GatewayError(.upstreamError, "Cohere returned a response that is not a JSON object.")
        }
        var rawMessage = body["message"]?.objectValue ?? [:]
        // Lenient: a message without a role is still the assistant's.
        if rawMessage["role"] == nil { rawMessage["role"] = "assistant" }
        var message: Message
        do {
            message = try CohereRequest.decodeMessage(.object(rawMessage), param: "message")
        } catch {
            throw GatewayError(.upstreamError, "Cohere returned a malformed message: \(error.message)")
        }
        message.contentWasText = true
        let texts = message.content.compactMap { part -> String? in
            if case .text(let text) = part { return text }
            return nil
        }
        if texts.count > 1, texts.count == message.content.count {
            message.content = [.text(texts.joined())]
        }
        let native = body["finish_reason"]?.stringValue
        var choice = Choice(index: 0, message: message, finishReason: native.map(decodeFinishReason))
        if let native { choice.extra["native_finish_reason"] = .string(native) }
        var response = ChatResponse(
            id: body["id"]?.stringValue ?? "", model: "", created: 0, choices: [choice],
            usage: body["usage"].flatMap(decodeUsage))
        if let logprobs = CohereRequest.nonNull(body["logprobs"]) { response.extra["logprobs"] = logprobs }
        if let extras = usageExtras(body["usage"]) { response.extra["usage_extra"] = extras }
        return response
    }

    public static func decodeFinishReason(_ value: String) -> FinishReason {
        switch value {
        case "COMPLETE": return .stop
        case "STOP_SEQUENCE": return .stopSequence
        case "MAX_TOKENS": return .length
        case "TOOL_CALL": return .toolCalls
        case "ERROR", "TIMEOUT": return .error(native: value)
        // v1 values, still seen from older deployments.
        case "ERROR_TOXIC": return .contentFilter
        case "ERROR_LIMIT": return .contextWindow
        default: return .other(value)
        }
    }

    /// Cohere has no words for a content filter or a context-window stop: a filtered answer is incomplete, so
    /// it reads as `ERROR`; running out of context is `MAX_TOKENS`.
    public static func encodeFinishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .stop, .pause: return "COMPLETE"
        case .stopSequence: return "STOP_SEQUENCE"
        case .length, .contextWindow: return "MAX_TOKENS"
        case .toolCalls: return "TOOL_CALL"
        case .contentFilter: return "ERROR"
        case .error(let native): return native == "TIMEOUT" ? "TIMEOUT" : "ERROR"
        case .other(let value): return value
        }
    }

    /// Billed tokens in canonical terms. `totalInput` always equals `billed_units.input_tokens`; the part of it
    /// that hit Cohere's cache (`cached_tokens`, clamped, since it may count hidden preamble tokens that are not
    /// billed) is `cacheRead`. Cohere does not split reasoning out of `output_tokens`.
    public static func decodeUsage(_ usage: JSONValue) -> Usage? {
        let billed = usage["billed_units"]
        guard let input = billed?["input_tokens"]?.tokenCount ?? usage["tokens"]?["input_tokens"]?.tokenCount else {
            return nil
        }
        let output = billed?["output_tokens"]?.tokenCount ?? usage["tokens"]?["output_tokens"]?.tokenCount ?? 0
        let cached = min(max(0, usage["cached_tokens"]?.tokenCount ?? 0), input)
        return Usage(input: input - cached, output: output, cacheRead: cached)
    }

    /// `tokens` and billed extras (`search_units`, `classifications`), or nil when there are none.
    static func usageExtras(_ usage: JSONValue?) -> JSONValue? {
        var extras: [String: JSONValue] = [:]
        if let tokens = usage?["tokens"]?.objectValue { extras["tokens"] = .object(tokens) }
        let billed = (usage?["billed_units"]?.objectValue ?? [:]).filter {
            $0.key != "input_tokens" && $0.key != "output_tokens" && !$0.value.isNull
        }
        if !billed.isEmpty { extras["billed_units"] = .object(billed) }
        return extras.isEmpty ? nil : .object(extras)
    }

    /// A Cohere `usage` object; `extras` is what `usageExtras` kept (only its Cohere keys are used).
    public static func encodeUsage(_ usage: Usage, extras: JSONValue? = nil) -> JSONValue {
        var billed = extras?["billed_units"]?.objectValue ?? [:]
        billed["input_tokens"] = .int(Int64(usage.totalInput))
        billed["output_tokens"] = .int(Int64(usage.totalOutput))
        var encoded: [String: JSONValue] = ["billed_units": .object(billed)]
        if let tokens = extras?["tokens"], tokens.objectValue != nil { encoded["tokens"] = tokens }
        if usage.cacheRead > 0 { encoded["cached_tokens"] = .int(Int64(usage.cacheRead)) }
        return .object(encoded)
    }

    /// The Cohere body for a canonical answer; only the first choice is sent (Cohere has one).
    /// Throws `.invalidRequest` when the message holds something Cohere cannot carry (an audio part).
    public static func encode(_ response: ChatResponse) throws(GatewayError) -> JSONValue {
        var body: [String: JSONValue] = ["id": .string(response.id)]
        let choice = response.choices.first
        var message = choice?.message ?? Message(role: .assistant, content: [])
        message.role = .assistant
        body["message"] = try CohereRequest.encodeMessage(message, param: "message", forceParts: true)
        body["finish_reason"] = .string(choice?.finishReason.map(encodeFinishReason) ?? "COMPLETE")
        if let usage = response.usage {
            body["usage"] = encodeUsage(usage, extras: response.extra["usage_extra"])
        }
        if let logprobs = response.extra["logprobs"] { body["logprobs"] = logprobs }
        return .object(body)
    }
}
