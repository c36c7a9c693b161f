import SwitchyardCore
/// The OpenAI `chat.completion` response codec.
public enum OpenAIResponse {
    public static func decode(_ bytes: some Collection<UInt8>, flavor: OpenAIUsage.Flavor = .standard) throws(GatewayError)
        -> ChatResponse
    {
        guard let json = try? JSON.parse(bytes), let body = json.objectValue else {
            throw GatewayError(.upstreamError, "The provider returned a response that is not a JSON object.")
        }
        let choices = try (body["choices"]?.arrayValue ?? []).enumerated().map { position, raw throws(GatewayError) in
            guard let message = raw["message"] else {
                throw GatewayError(.upstreamError, "The provider's choice \(position) has no message.")
            }
            var decoded = try OpenAIRequest.decodeMessage(message, param: "choices[\(position)].message")
            decoded.contentWasText = true
            var choice = Choice(
                index: raw["index"]?.intValue ?? position, message: decoded,
                finishReason: raw["finish_reason"]?.stringValue.map(decodeFinishReason))
            // Null and absent mean the same here; keeping nulls would make re-encoding unstable.
            for (key, value) in raw.objectValue ?? [:] where !["index", "message", "finish_reason"].contains(key) && !value.isNull {
                choice.extra[key] = value
            }
            return choice
        }
        var response = ChatResponse(
            id: body["id"]?.stringValue ?? "", model: body["model"]?.stringValue ?? "",
            created: body["created"]?.intValue ?? 0, choices: choices,
            usage: body["usage"].flatMap { OpenAIUsage.decode($0, flavor: flavor) })
        for (key, value) in body where !["id", "object", "model", "created", "choices", "usage"].contains(key) && !value.isNull {
            response.extra[key] = value
        }
        if let usage = body["usage"]?.objectValue {
            // Provider extras such as OpenRouter's `cost` survive a same-dialect round trip.
            let known: Set<String> = [
                "prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details",
                "completion_tokens_details",
            ]
            let extras = usage.filter { !known.contains($0.key) }
            if !extras.isEmpty { response.extra["usage_extra"] = .object(extras) }
        }
        return response
    }

    public static func decodeFinishReason(_ value: String) -> FinishReason {
        switch value {
        case "stop", "eos", "end_turn": return .stop
        case "length", "model_length", "max_tokens": return .length
        case "tool_calls", "function_call": return .toolCalls
        case "content_filter": return .contentFilter
        case "error": return .error(native: value)
        default: return .other(value)
        }
    }

    public static func encodeFinishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .stop, .stopSequence, .pause: return "stop"
        case .length, .contextWindow: return "length"
        case .toolCalls: return "tool_calls"
        case .contentFilter: return "content_filter"
        case .error(let native): return native
        case .other(let value): return value
        }
    }

    public static func encode(_ response: ChatResponse) -> JSONValue {
        var body = response.extra
        body["usage_extra"] = nil
        body["id"] = .string(response.id)
        body["object"] = "chat.completion"
        body["created"] = .int(Int64(response.created))
        body["model"] = .string(response.model)
        body["choices"] = .array(response.choices.map { choice in
            var assistant = choice.message
            // Response content is a string in OpenAI's schema: several text blocks (Anthropic citations)
            // are joined rather than sent as an array clients do not expect.
            if !assistant.content.isEmpty, assistant.content.allSatisfy({ if case .text = $0 { true } else { false } }) {
                assistant.content = [.text(assistant.text)]
                assistant.contentWasText = true
            }
            var message = OpenAIRequest.encodeMessage(assistant).objectValue ?? [:]
            // The published schema marks `refusal` required (nullable) on response messages.
            if message["refusal"] == nil { message["refusal"] = .null }
            if message["content"] == nil { message["content"] = .null }
            var fields = choice.extra
            fields["index"] = .int(Int64(choice.index))
            fields["message"] = .object(message)
            fields["finish_reason"] = choice.finishReason.map { .string(encodeFinishReason($0)) } ?? .null
            if fields["logprobs"] == nil { fields["logprobs"] = .null }
            return .object(fields)
        })
        if let usage = response.usage {
            var encoded = OpenAIUsage.encode(usage).objectValue ?? [:]
            for (key, value) in response.extra["usage_extra"]?.objectValue ?? [:] { encoded[key] = value }
            body["usage"] = .object(encoded)
        }
        return .object(body)
    }
}
