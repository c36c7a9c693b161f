import SwitchyardCore
/// The OpenAI Chat Completions request codec. Decoding is liberal (every documented form, unknown fields
/// kept in `extra`); encoding emits the documented shapes only.
public enum OpenAIRequest {
    /// Top-level fields mapped to canonical ones; everything else is carried in `ChatRequest.extra`.
    static let modelledFields: Set<String> = [
        "model", "messages", "tools", "tool_choice", "parallel_tool_calls", "max_tokens", "max_completion_tokens",
        "temperature", "top_p", "stop", "seed", "n", "presence_penalty", "frequency_penalty", "response_format",
        "reasoning_effort", "user", "stream", "stream_options", "functions", "function_call",
    ]

    public static func decode(_ bytes: some Collection<UInt8>) throws(GatewayError) -> ChatRequest {
        try decode(RequestBody.parse(bytes))
    }

    public static func decode(_ json: JSONValue) throws(GatewayError) -> ChatRequest {
        let body = try RequestBody.object(json)
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError(.invalidRequest, "You must provide a model parameter.", param: "model")
        }
        guard let rawMessages = body["messages"]?.arrayValue else {
            throw GatewayError(.invalidRequest, "'messages' is a required property and must be an array.", param: "messages")
        }
        var request = ChatRequest(model: model, messages: [])
        for (index, raw) in rawMessages.enumerated() {
            request.messages.append(try decodeMessage(raw, param: "messages[\(index)]"))
        }
        if let tools = body["tools"]?.arrayValue {
            request.tools = try tools.enumerated().map { index, tool throws(GatewayError) in
                try decodeTool(tool["function"] ?? .null, param: "tools[\(index)].function")
            }
        } else if let functions = body["functions"]?.arrayValue {
            request.tools = try functions.enumerated().map { index, function throws(GatewayError) in
                try decodeTool(function, param: "functions[\(index)]")
            }
        }
        if let choice = nonNull(body["tool_choice"]) ?? nonNull(body["function_call"]) {
            request.toolChoice = try decodeToolChoice(choice)
        }
        request.parallelToolCalls = body["parallel_tool_calls"]?.boolValue
        request.maxOutputTokens = body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue
        request.temperature = body["temperature"]?.doubleValue
        request.topP = body["top_p"]?.doubleValue
        switch nonNull(body["stop"]) {
        case .string(let s): request.stop = [s]
        case .array(let items): request.stop = items.compactMap(\.stringValue)
        default: break
        }
        request.seed = body["seed"]?.intValue
        request.choiceCount = body["n"]?.intValue
        request.presencePenalty = body["presence_penalty"]?.doubleValue
        request.frequencyPenalty = body["frequency_penalty"]?.doubleValue
        if let format = nonNull(body["response_format"]) {
            request.responseFormat = try decodeResponseFormat(format)
        }
        request.reasoningEffort = body["reasoning_effort"]?.stringValue
        request.user = body["user"]?.stringValue
        request.stream = body["stream"]?.boolValue ?? false
        request.includeUsage = body["stream_options"]?["include_usage"]?.boolValue ?? false
        for (key, value) in body where !modelledFields.contains(key) {
            request.extra[key] = value
        }
        if let options = body["stream_options"]?.objectValue, options.keys.contains(where: { $0 != "include_usage" }) {
            request.extra["stream_options"] = .object(options.filter { $0.key != "include_usage" })
        }
        return request
    }

    static func nonNull(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    static func decodeMessage(_ raw: JSONValue, param: String) throws(GatewayError) -> Message {
        guard let fields = raw.objectValue else {
            throw GatewayError(.invalidRequest, "\(param) must be an object.", param: param)
        }
        let roleName = fields["role"]?.stringValue ?? ""
        let role: Role
        switch roleName {
        case "system": role = .system
        case "developer": role = .developer
        case "user": role = .user
        case "assistant": role = .assistant
        case "tool", "function": role = .tool
        default:
            throw GatewayError(
                .invalidRequest, "\(param).role must be one of system, developer, user, assistant, tool.",
                param: "\(param).role")
        }
        var message: Message
        switch nonNull(fields["content"]) {
        case nil:
            message = Message(role: role, content: [])
        case .string(let text):
            message = Message(role: role, content: [.text(text)], contentWasText: true)
        case .array(let parts):
            message = Message(role: role, content: [])
            for (index, part) in parts.enumerated() {
                if part["type"]?.stringValue == "thinking" {
                    // Mistral's Magistral models return reasoning as a content part holding text parts.
                    let text = (part["thinking"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                    message.reasoning.append(.text(text, signature: nil))
                } else {
                    message.content.append(try decodePart(part, param: "\(param).content[\(index)]"))
                }
            }
        default:
            throw GatewayError(.invalidRequest, "\(param).content must be a string or an array.", param: "\(param).content")
        }
        message.name = fields["name"]?.stringValue
        message.refusal = fields["refusal"]?.stringValue
        message.toolCallId = fields["tool_call_id"]?.stringValue
        if roleName == "function" {
            // Legacy function results carry the function name where tool results carry the call id.
            message.toolCallId = message.toolCallId ?? message.name
        }
        if let calls = fields["tool_calls"]?.arrayValue {
            message.toolCalls = try calls.enumerated().map { index, call throws(GatewayError) in
                let function = call["function"]
                guard let name = function?["name"]?.stringValue else {
                    throw GatewayError(
                        .invalidRequest, "\(param).tool_calls[\(index)].function.name is required.",
                        param: "\(param).tool_calls[\(index)]")
                }
                return ToolCall(
                    id: call["id"]?.stringValue ?? "", name: name,
                    arguments: function?["arguments"]?.stringValue ?? "{}",
                    signature: call["extra_content"]?["google"]?["thought_signature"]?.stringValue)
            }
        } else if let call = fields["function_call"]?.objectValue, let name = call["name"]?.stringValue {
            message.toolCalls = [ToolCall(id: "", name: name, arguments: call["arguments"]?.stringValue ?? "{}")]
        }
        if let details = fields["reasoning_details"]?.arrayValue, !details.isEmpty {
            // The signed form wins: it is what a provider needs to replay its thinking in a tool loop.
            message.reasoning.append(contentsOf: OpenAIReasoning.decodeDetails(details))
        } else if let reasoning = fields["reasoning_content"]?.stringValue ?? fields["reasoning"]?.stringValue {
            message.reasoning.append(.text(reasoning, signature: nil))
        }
        let modelled: Set<String> = [
            "role", "content", "name", "refusal", "tool_call_id", "tool_calls", "function_call", "reasoning_content",
            "reasoning", "reasoning_details",
        ]
        for (key, value) in fields where !modelled.contains(key) {
            message.extra[key] = value
        }
        return message
    }

    static func decodePart(_ raw: JSONValue, param: String) throws(GatewayError) -> ContentPart {
        switch raw["type"]?.stringValue {
        case "text":
            guard let text = raw["text"]?.stringValue else {
                throw GatewayError(.invalidRequest, "\(param).text must be a string.", param: param)
            }
            return .text(text)
        case "image_url":
            let image = raw["image_url"]
            guard let url = image?["url"]?.stringValue ?? image?.stringValue else {
                throw GatewayError(.invalidRequest, "\(param).image_url.url is required.", param: param)
            }
            return .image(url: url, detail: image?["detail"]?.stringValue)
        case "input_audio":
            guard let data = raw["input_audio"]?["data"]?.stringValue else {
                throw GatewayError(.invalidRequest, "\(param).input_audio.data is required.", param: param)
            }
            return .audio(data: data, format: raw["input_audio"]?["format"]?.stringValue ?? "wav")
        case "file":
            let file = raw["file"]
            return .file(
                data: file?["file_data"]?.stringValue, fileId: file?["file_id"]?.stringValue,
                filename: file?["filename"]?.stringValue)
        case nil:
            throw GatewayError(.invalidRequest, "\(param).type is required.", param: param)
        default:
            return .other(raw)
        }
    }

    static func decodeTool(_ raw: JSONValue, param: String) throws(GatewayError) -> ToolDefinition {
        guard let name = raw["name"]?.stringValue, !name.isEmpty else {
            throw GatewayError(.invalidRequest, "\(param).name is required.", param: param)
        }
        return ToolDefinition(
            name: name, description: raw["description"]?.stringValue, parameters: nonNull(raw["parameters"]),
            strict: raw["strict"]?.boolValue)
    }

    static func decodeToolChoice(_ raw: JSONValue) throws(GatewayError) -> ToolChoice {
        switch raw {
        case .string("auto"): return .auto
        case .string("none"): return .none
        case .string("required"), .string("any"): return .required
        default:
            if let name = raw["function"]?["name"]?.stringValue ?? raw["name"]?.stringValue {
                return .function(name: name)
            }
            throw GatewayError(
                .invalidRequest, "tool_choice must be auto, none, required or {type: function, function: {name}}.",
                param: "tool_choice")
        }
    }

    static func decodeResponseFormat(_ raw: JSONValue) throws(GatewayError) -> ResponseFormat {
        switch raw["type"]?.stringValue {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            let schema = raw["json_schema"]
            return .jsonSchema(
                name: schema?["name"]?.stringValue ?? "response", schema: schema?["schema"] ?? .object([:]),
                strict: schema?["strict"]?.boolValue, description: schema?["description"]?.stringValue)
        default:
            throw GatewayError(
                .invalidRequest, "response_format.type must be text, json_object or json_schema.",
                param: "response_format")
        }
    }

    // MARK: - Encoding

    public static func encode(_ request: ChatRequest) -> JSONValue {
        var body = request.extra
        body["model"] = .string(request.model)
        // OpenAI refuses tool-call ids over 40 characters (a Gemini-signed id after a failover is one); the
        // answer side (`encodeMessage` for responses) keeps ids whole.
        body["messages"] = .array(request.messages.map { encodeMessage($0.fittingToolCallIDs(maxLength: 40)) })
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(encodeTool))
        }
        if let choice = request.toolChoice { body["tool_choice"] = encodeToolChoice(choice) }
        if let parallel = request.parallelToolCalls { body["parallel_tool_calls"] = .bool(parallel) }
        if let max = request.maxOutputTokens { body["max_completion_tokens"] = .int(Int64(max)) }
        if let t = request.temperature { body["temperature"] = .double(t) }
        if let p = request.topP { body["top_p"] = .double(p) }
        if !request.stop.isEmpty { body["stop"] = .array(request.stop.map(JSONValue.string)) }
        if let seed = request.seed { body["seed"] = .int(Int64(seed)) }
        if let n = request.choiceCount { body["n"] = .int(Int64(n)) }
        if let p = request.presencePenalty { body["presence_penalty"] = .double(p) }
        if let p = request.frequencyPenalty { body["frequency_penalty"] = .double(p) }
        if let format = request.responseFormat { body["response_format"] = encodeResponseFormat(format) }
        if let effort = request.reasoningEffort { body["reasoning_effort"] = .string(effort) }
        if let user = request.user { body["user"] = .string(user) }
        if request.stream {
            body["stream"] = true
            var options = request.extra["stream_options"]?.objectValue ?? [:]
            if request.includeUsage { options["include_usage"] = true }
            if !options.isEmpty { body["stream_options"] = .object(options) }
        } else {
            body["stream_options"] = nil
        }
        return .object(body)
    }

    static func encodeMessage(_ message: Message) -> JSONValue {
        var fields = message.extra
        fields["role"] = .string(message.role.rawValue)
        if message.contentWasText, message.content.count == 1, case .text(let text) = message.content[0] {
            fields["content"] = .string(text)
        } else if message.content.isEmpty {
            fields["content"] = .null
        } else {
            fields["content"] = .array(message.content.map(encodePart))
        }
        if let name = message.name { fields["name"] = .string(name) }
        if let refusal = message.refusal { fields["refusal"] = .string(refusal) }
        if let id = message.toolCallId { fields["tool_call_id"] = .string(id) }
        if !message.toolCalls.isEmpty {
            fields["tool_calls"] = .array(message.toolCalls.map(encodeToolCall))
        }
        if let text = reasoningText(message.reasoning) { fields["reasoning_content"] = .string(text) }
        if let details = OpenAIReasoning.encodeDetails(message.reasoning) { fields["reasoning_details"] = details }
        return .object(fields)
    }

    /// The visible reasoning of a message as one string, or nil when there is none.
    static func reasoningText(_ blocks: [ReasoningBlock]) -> String? {
        let texts = blocks.compactMap { block -> String? in
            if case .text(let text, _) = block { return text }
            return nil
        }
        return texts.isEmpty ? nil : texts.joined()
    }

    static func encodeToolCall(_ call: ToolCall) -> JSONValue {
        var encoded: [String: JSONValue] = [
            "id": .string(call.id), "type": "function",
            "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
        ]
        if let signature = call.signature { encoded["extra_content"] = OpenAIReasoning.toolSignature(signature) }
        return .object(encoded)
    }

    static func encodePart(_ part: ContentPart) -> JSONValue {
        switch part {
        case .text(let text):
            return ["type": "text", "text": .string(text)]
        case .image(let url, let detail):
            var image: [String: JSONValue] = ["url": .string(url)]
            if let detail { image["detail"] = .string(detail) }
            return ["type": "image_url", "image_url": .object(image)]
        case .audio(let data, let format):
            return ["type": "input_audio", "input_audio": ["data": .string(data), "format": .string(format)]]
        case .file(let data, let fileId, let filename):
            var file: [String: JSONValue] = [:]
            if let data { file["file_data"] = .string(data) }
            if let fileId { file["file_id"] = .string(fileId) }
            if let filename { file["filename"] = .string(filename) }
            return ["type": "file", "file": .object(file)]
        case .other(let raw):
            return raw
        }
    }

    static func encodeTool(_ tool: ToolDefinition) -> JSONValue {
        var function: [String: JSONValue] = ["name": .string(tool.name)]
        if let description = tool.description { function["description"] = .string(description) }
        if let parameters = tool.parameters { function["parameters"] = parameters }
        if let strict = tool.strict { function["strict"] = .bool(strict) }
        return ["type": "function", "function": .object(function)]
    }

    static func encodeToolChoice(_ choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: return "auto"
        case .none: return "none"
        case .required: return "required"
        case .function(let name): return ["type": "function", "function": ["name": .string(name)]]
        }
    }

    static func encodeResponseFormat(_ format: ResponseFormat) -> JSONValue {
        switch format {
        case .text: return ["type": "text"]
        case .jsonObject: return ["type": "json_object"]
        case .jsonSchema(let name, let schema, let strict, let description):
            var spec: [String: JSONValue] = ["name": .string(name), "schema": schema]
            if let strict { spec["strict"] = .bool(strict) }
            if let description { spec["description"] = .string(description) }
            return ["type": "json_schema", "json_schema": .object(spec)]
        }
    }
}
