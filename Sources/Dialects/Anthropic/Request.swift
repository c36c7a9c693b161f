import SwitchyardCore

/// The Anthropic Messages request codec, both ways. `decode` reads what an Anthropic-dialect client sends to
/// `POST /v1/messages` (liberal: both API versions, every documented block); `encode` writes the body for an
/// Anthropic upstream (strict: only what the target model accepts).
///
/// What `ChatRequest.extra` holds after `decode` (all meant for an Anthropic upstream only; the server clears
/// `extra` of the request and of its messages when the provider speaks another dialect):
/// - every top-level field the canonical types do not model (`service_tier`, `container`, top-level
///   `cache_control`, …), under its own name, forwarded verbatim by `encode`;
/// - `thinking`: the client's thinking object (its `display` survives; an explicit `disabled` is kept);
/// - `output_config`: what remains of it besides `format` and a canonical effort (e.g. effort without thinking);
/// - `metadata`: metadata fields besides `user_id`;
/// - `anthropic_tool_fields` (`{tool name: {fields}}`, e.g. `cache_control`) and `anthropic_server_tools`
///   (Anthropic-executed tools such as `web_search_20250305`, verbatim);
/// - per message, `anthropic_block_fields` (see `BlockFields`).
public enum AnthropicRequest {
    static let modelledFields: Set<String> = [
        "model", "messages", "system", "max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "metadata",
        "tools", "tool_choice", "thinking", "output_config", "output_format", "stream",
    ]
    static let toolFieldsKey = "anthropic_tool_fields"
    static let serverToolsKey = "anthropic_server_tools"

    // MARK: - Decoding (inbound)

    public static func decode(_ bytes: some Collection<UInt8>) throws(GatewayError) -> ChatRequest {
        try decode(RequestBody.parse(bytes))
    }

    /// A canonical request from an Anthropic Messages body. `max_tokens` may be absent (the gateway defaults it),
    /// so the same decoder reads `POST /v1/messages/count_tokens` bodies.
    public static func decode(_ json: JSONValue) throws(GatewayError) -> ChatRequest {
        let body = try RequestBody.object(json)
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError(.invalidRequest, "model: Field required", param: "model")
        }
        guard let rawMessages = body["messages"]?.arrayValue else {
            throw GatewayError(.invalidRequest, "messages: Field required (an array of messages)", param: "messages")
        }
        var request = ChatRequest(model: model, messages: [])
        if let system = nonNull(body["system"]) {
            request.messages.append(try decodeSystem(system, param: "system"))
        }
        for (index, raw) in rawMessages.enumerated() {
            request.messages.append(contentsOf: try decodeMessage(raw, param: "messages.\(index)"))
        }
        try decodeTools(body, into: &request)
        request.maxOutputTokens = body["max_tokens"]?.intValue
        request.temperature = body["temperature"]?.doubleValue
        request.topP = body["top_p"]?.doubleValue
        request.topK = body["top_k"]?.intValue
        request.stop = body["stop_sequences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if var metadata = body["metadata"]?.objectValue {
            request.user = metadata.removeValue(forKey: "user_id")?.stringValue
            metadata = metadata.filter { !$0.value.isNull }
            if !metadata.isEmpty { request.extra["metadata"] = .object(metadata) }
        }
        var outputConfig = body["output_config"]?.objectValue ?? [:]
        // `output_format` is the structured-outputs beta's spelling of `output_config.format`.
        if let format = nonNull(outputConfig.removeValue(forKey: "format")) ?? nonNull(body["output_format"]) {
            request.responseFormat = try decodeFormat(format)
        }
        let thinking = nonNull(body["thinking"])
        if let thinking { request.extra["thinking"] = thinking }
        if AnthropicThinking.decode(thinking: thinking, effort: outputConfig["effort"]?.stringValue, into: &request) {
            outputConfig["effort"] = nil
        }
        outputConfig = outputConfig.filter { !$0.value.isNull }
        if !outputConfig.isEmpty { request.extra["output_config"] = .object(outputConfig) }
        request.stream = body["stream"]?.boolValue ?? false
        // Anthropic streams always end with usage, so the upstream must be asked for it.
        request.includeUsage = true
        for (key, value) in body where !modelledFields.contains(key) {
            request.extra[key] = value
        }
        return request
    }

    static func nonNull(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    static func decodeSystem(_ raw: JSONValue, param: String) throws(GatewayError) -> Message {
        switch raw {
        case .string(let text):
            return .text(.system, text)
        case .array(let blocks):
            var message = Message(role: .system, content: [])
            for (index, block) in blocks.enumerated() {
                let (part, extras) = try AnthropicContent.decodePart(block, param: "\(param).\(index)")
                if !extras.isEmpty { BlockFields.set(&message, .content, message.content.count, extras) }
                message.content.append(part)
            }
            return message
        default:
            throw GatewayError(.invalidRequest, "\(param) must be a string or an array of text blocks.", param: param)
        }
    }

    /// One Anthropic message becomes one canonical message, except that each `tool_result` block of a user
    /// message becomes a `.tool` message of its own, placed before the rest of that message's content.
    static func decodeMessage(_ raw: JSONValue, param: String) throws(GatewayError) -> [Message] {
        guard let fields = raw.objectValue else {
            throw GatewayError(.invalidRequest, "\(param) must be an object.", param: param)
        }
        let content = fields["content"] ?? .null
        switch fields["role"]?.stringValue {
        case "user":
            guard case .array(let blocks) = content else {
                return [try textMessage(.user, content, param: param)]
            }
            var results: [Message] = []
            var user = Message(role: .user, content: [])
            for (index, block) in blocks.enumerated() {
                let blockParam = "\(param).content.\(index)"
                if block["type"]?.stringValue == "tool_result" {
                    results.append(try decodeToolResult(block, param: blockParam))
                    continue
                }
                let (part, extras) = try AnthropicContent.decodePart(block, param: blockParam)
                if !extras.isEmpty { BlockFields.set(&user, .content, user.content.count, extras) }
                user.content.append(part)
            }
            if !user.content.isEmpty || results.isEmpty { results.append(user) }
            return results
        case "assistant":
            guard case .array(let blocks) = content else {
                return [try textMessage(.assistant, content, param: param)]
            }
            var message = Message(role: .assistant, content: [])
            try AnthropicContent.decodeAssistant(blocks, into: &message, param: "\(param).content")
            return [message]
        case "system":
            // Mid-conversation system messages (newer API versions); encoding hoists them to `system`.
            return [try decodeSystem(content, param: "\(param).content")]
        default:
            throw GatewayError(
                .invalidRequest, "\(param).role must be user or assistant.", param: "\(param).role")
        }
    }

    static func textMessage(_ role: Role, _ content: JSONValue, param: String) throws(GatewayError) -> Message {
        guard let text = content.stringValue else {
            throw GatewayError(
                .invalidRequest, "\(param).content must be a string or an array of blocks.", param: "\(param).content")
        }
        return .text(role, text)
    }

    static func decodeToolResult(_ block: JSONValue, param: String) throws(GatewayError) -> Message {
        guard let fields = block.objectValue, let id = fields["tool_use_id"]?.stringValue else {
            throw GatewayError(.invalidRequest, "\(param).tool_use_id is required.", param: param)
        }
        var message: Message
        switch nonNull(fields["content"]) {
        case nil:
            message = Message(role: .tool, content: [])
        case .string(let text):
            message = .text(.tool, text)
        case .array(let blocks):
            message = Message(role: .tool, content: [])
            for (index, inner) in blocks.enumerated() {
                let (part, extras) = try AnthropicContent.decodePart(inner, param: "\(param).content.\(index)")
                if !extras.isEmpty { BlockFields.set(&message, .content, message.content.count, extras) }
                message.content.append(part)
            }
        default:
            throw GatewayError(
                .invalidRequest, "\(param).content must be a string or an array of blocks.", param: "\(param).content")
        }
        message.toolCallId = id
        message.toolResultIsError = fields["is_error"]?.boolValue
        let extras = AnthropicContent.leftovers(fields, known: ["type", "tool_use_id", "content", "is_error"])
        if !extras.isEmpty { BlockFields.setBlock(&message, extras) }
        return message
    }

    static func decodeTools(_ body: [String: JSONValue], into request: inout ChatRequest) throws(GatewayError) {
        var toolFields: [String: JSONValue] = [:]
        var serverTools: [JSONValue] = []
        for (index, raw) in (body["tools"]?.arrayValue ?? []).enumerated() {
            guard let fields = raw.objectValue, let name = fields["name"]?.stringValue, !name.isEmpty else {
                throw GatewayError(.invalidRequest, "tools.\(index).name: Field required", param: "tools.\(index)")
            }
            let type = fields["type"]?.stringValue
            guard type == nil || type == "custom" else {
                serverTools.append(raw)  // executed by Anthropic; no canonical form
                continue
            }
            request.tools.append(
                ToolDefinition(
                    name: name, description: fields["description"]?.stringValue, parameters: nonNull(fields["input_schema"]),
                    strict: fields["strict"]?.boolValue))
            let extras = AnthropicContent.leftovers(fields, known: ["name", "description", "input_schema", "strict"])
            if !extras.isEmpty { toolFields[name] = .object(extras) }
        }
        if !toolFields.isEmpty { request.extra[toolFieldsKey] = .object(toolFields) }
        if !serverTools.isEmpty { request.extra[serverToolsKey] = .array(serverTools) }
        guard let choice = nonNull(body["tool_choice"]) else { return }
        switch choice["type"]?.stringValue {
        case "auto": request.toolChoice = .auto
        case "any": request.toolChoice = .required
        case "none": request.toolChoice = ToolChoice.none
        case "tool":
            guard let name = choice["name"]?.stringValue else {
                throw GatewayError(.invalidRequest, "tool_choice.name is required for type tool.", param: "tool_choice")
            }
            request.toolChoice = .function(name: name)
        default:
            throw GatewayError(
                .invalidRequest, "tool_choice.type must be auto, any, tool or none.", param: "tool_choice")
        }
        if let disable = choice["disable_parallel_tool_use"]?.boolValue { request.parallelToolCalls = !disable }
    }

    static func decodeFormat(_ format: JSONValue) throws(GatewayError) -> ResponseFormat {
        guard format["type"]?.stringValue == "json_schema", let schema = format["schema"] else {
            throw GatewayError(
                .invalidRequest, "output_config.format must be {type: json_schema, schema}.",
                param: "output_config.format")
        }
        // Anthropic names no schema; OpenAI requires a name, so one is made up.
        return .jsonSchema(name: "response", schema: schema, strict: nil, description: nil)
    }

    // MARK: - Encoding (outbound)

    /// The Messages body for `model`. `defaultMaxTokens` fills the required `max_tokens` when the request has
    /// none (pass the catalog's max output for the model). Throws `.invalidRequest` for what Anthropic cannot
    /// carry: audio, `n` > 1, JSON-object mode, tool arguments that are not a JSON object, non-http image URLs.
    ///
    /// Adjustments by model (`AnthropicModel`): thinking in budget or adaptive form; `temperature`/`top_p`/`top_k`
    /// dropped for Opus 4.7 and later, `top_p` dropped next to `temperature` on 4.5/4.6, and with thinking on
    /// `temperature` (unless 1), `top_k` and `top_p` below 0.95 are dropped (the API rejects them).
    /// Silently dropped, having no Anthropic equivalent: `seed`, presence/frequency penalties, Gemini call
    /// signatures, unsigned reasoning. Thinking is left off when the conversation is inside a tool loop whose
    /// last assistant turn has no replayable thinking (the API would answer 400).
    public static func encode(_ request: ChatRequest, model: String, defaultMaxTokens: Int = AnthropicCodec.fallbackMaxTokens)
        throws(GatewayError) -> JSONValue
    {
        if let n = request.choiceCount, n > 1 {
            throw GatewayError(.invalidRequest, "Anthropic returns one answer per request; n must be 1.", param: "n")
        }
        let traits = AnthropicModel(model)
        var body = forwardedExtras(request.extra)
        body["model"] = .string(model)
        if let system = try encodeSystem(request.messages) { body["system"] = system }
        let turns = try encodeTurns(request.messages)
        body["messages"] = .array(turns.map(\.json))

        let maxTokens = request.maxOutputTokens ?? defaultMaxTokens
        var thinking = AnthropicThinking.encode(request, model: traits, maxTokens: maxTokens)
        if thinking.isOn, Turn.lastToolLoopLacksThinking(turns) {
            // Effort alone is still valid on adaptive models; it steers the answer without thinking.
            thinking = AnthropicThinking.Encoded(
                thinking: nil, effort: traits.thinkingForm == .adaptive ? thinking.effort : nil, maxTokens: maxTokens)
        }
        body["max_tokens"] = .int(Int64(thinking.maxTokens))
        if let value = thinking.thinking { body["thinking"] = value }
        encodeSampling(request, traits: traits, thinking: thinking.isOn, into: &body)
        if !request.stop.isEmpty { body["stop_sequences"] = .array(request.stop.map(JSONValue.string)) }
        var metadata = request.extra["metadata"]?.objectValue ?? [:]
        if let user = request.user { metadata["user_id"] = .string(user) }
        if !metadata.isEmpty { body["metadata"] = .object(metadata) }
        try encodeTools(request, into: &body)
        var outputConfig = request.extra["output_config"]?.objectValue ?? [:]
        switch request.responseFormat {
        case .jsonSchema(_, let schema, _, _)?:
            outputConfig["format"] = ["type": "json_schema", "schema": schema]
        case .jsonObject?:
            throw GatewayError(
                .invalidRequest, "Anthropic has no JSON-object mode; use response_format json_schema instead.",
                param: "response_format")
        case .text?, nil:
            break
        }
        if let effort = thinking.effort { outputConfig["effort"] = .string(effort) }
        if !outputConfig.isEmpty { body["output_config"] = .object(outputConfig) }
        if request.stream { body["stream"] = true }
        return .object(body)
    }

    /// The body for `POST /v1/messages/count_tokens`: the Messages body without generation-only fields.
    public static func encodeCountTokens(_ request: ChatRequest, model: String) throws(GatewayError) -> JSONValue {
        let allowed: Set<String> = [
            "model", "messages", "system", "tools", "tool_choice", "thinking", "output_config", "cache_control", "speed",
        ]
        var copy = request
        copy.stream = false
        let full = try encode(copy, model: model)
        return .object((full.objectValue ?? [:]).filter { allowed.contains($0.key) })
    }

    /// Extras that are Anthropic fields of their own; the gateway's bookkeeping keys are applied elsewhere.
    static func forwardedExtras(_ extra: [String: JSONValue]) -> [String: JSONValue] {
        let handled: Set<String> = ["thinking", "output_config", "metadata", toolFieldsKey, serverToolsKey]
        return extra.filter { !handled.contains($0.key) && !modelledFields.contains($0.key) }
    }

    /// System and developer messages, wherever they stand, become the top-level `system` (the API has no
    /// system turns on most models): a string for one plain message, otherwise text blocks.
    static func encodeSystem(_ messages: [Message]) throws(GatewayError) -> JSONValue? {
        let system = messages.enumerated().filter { $0.element.role == .system || $0.element.role == .developer }
        guard !system.isEmpty else { return nil }
        if system.count == 1, let message = system.first?.element, message.contentWasText, message.content.count == 1,
            case .text(let text) = message.content[0], !BlockFields.any(message)
        {
            return text.isEmpty ? nil : .string(text)
        }
        var blocks: [JSONValue] = []
        for (messageIndex, message) in system {
            for (index, part) in message.content.enumerated() {
                let param = "messages[\(messageIndex)].content[\(index)]"
                switch part {
                case .text, .other:
                    let extras = BlockFields.get(message, .content, index)
                    if let block = try AnthropicContent.encodePart(part, extras: extras, param: param) {
                        blocks.append(block)
                    }
                default:
                    throw GatewayError(.invalidRequest, "\(param): system messages take text only.", param: param)
                }
            }
        }
        return blocks.isEmpty ? nil : .array(blocks)
    }

    static func encodeTurns(_ messages: [Message]) throws(GatewayError) -> [Turn] {
        var turns: [Turn] = []
        for (index, message) in messages.enumerated() {
            let param = "messages[\(index)]"
            var turn: Turn
            switch message.role {
            case .system, .developer:
                continue
            case .user:
                turn = Turn(role: "user")
                for (partIndex, part) in message.content.enumerated() {
                    let extras = BlockFields.get(message, .content, partIndex)
                    if let block = try AnthropicContent.encodePart(part, extras: extras, param: "\(param).content[\(partIndex)]") {
                        turn.blocks.append(block)
                    }
                }
                if message.contentWasText, turn.blocks.count == 1, !BlockFields.any(message) {
                    turn.plainText = message.text
                }
            case .assistant:
                turn = Turn(role: "assistant")
                turn.blocks = try AnthropicContent.encodeAssistant(message, param: param, lenient: false)
                // Plain only when nothing but the text survived (unsigned reasoning is dropped, not a block).
                if message.contentWasText, message.content.count == 1, turn.blocks.count == 1,
                    turn.blocks[0]["type"] == "text", !BlockFields.any(message)
                {
                    turn.plainText = message.text
                }
            case .tool:
                turn = Turn(role: "user")
                turn.toolResults = [try encodeToolResult(message, param: param)]
            }
            guard !turn.isEmpty else { continue }  // the API rejects empty turns
            if let last = turns.last, last.role == turn.role {
                turns[turns.count - 1].merge(turn)
            } else {
                turns.append(turn)
            }
        }
        return turns
    }

    static func encodeToolResult(_ message: Message, param: String) throws(GatewayError) -> JSONValue {
        guard let id = message.toolCallId, !id.isEmpty else {
            throw GatewayError(.invalidRequest, "\(param): a tool message needs tool_call_id.", param: param)
        }
        var block: [String: JSONValue] = ["type": "tool_result", "tool_use_id": .string(id)]
        if message.contentWasText, message.content.count == 1, case .text(let text) = message.content[0],
            BlockFields.get(message, .content, 0).isEmpty
        {
            block["content"] = .string(text)
        } else {
            var blocks: [JSONValue] = []
            for (index, part) in message.content.enumerated() {
                let extras = BlockFields.get(message, .content, index)
                if let encoded = try AnthropicContent.encodePart(part, extras: extras, param: "\(param).content[\(index)]") {
                    blocks.append(encoded)
                }
            }
            if !blocks.isEmpty { block["content"] = .array(blocks) }
        }
        if let isError = message.toolResultIsError { block["is_error"] = .bool(isError) }
        for (key, value) in BlockFields.block(message) where block[key] == nil { block[key] = value }
        return .object(block)
    }

    static func encodeSampling(_ request: ChatRequest, traits: AnthropicModel, thinking: Bool, into body: inout [String: JSONValue]) {
        guard traits.acceptsSamplingParameters else { return }
        var temperature = request.temperature
        var topP = request.topP
        var topK = request.topK
        if thinking {
            temperature = temperature == 1 ? temperature : nil
            topK = nil
            topP = topP.flatMap { $0 >= 0.95 ? $0 : nil }
        }
        if traits.rejectsTemperatureWithTopP, temperature != nil { topP = nil }
        if let temperature { body["temperature"] = .double(temperature) }
        if let topP { body["top_p"] = .double(topP) }
        if let topK { body["top_k"] = .int(Int64(topK)) }
    }

    static func encodeTools(_ request: ChatRequest, into body: inout [String: JSONValue]) throws(GatewayError) {
        let toolFields = request.extra[toolFieldsKey]?.objectValue ?? [:]
        var tools: [JSONValue] = request.tools.map { tool in
            var fields: [String: JSONValue] = [
                "name": .string(tool.name),
                // The API requires a schema; a tool without parameters takes an empty object.
                "input_schema": tool.parameters ?? ["type": "object", "properties": [:]],
            ]
            if let description = tool.description { fields["description"] = .string(description) }
            if let strict = tool.strict { fields["strict"] = .bool(strict) }
            for (key, value) in toolFields[tool.name]?.objectValue ?? [:] where fields[key] == nil { fields[key] = value }
            return .object(fields)
        }
        tools.append(contentsOf: request.extra[serverToolsKey]?.arrayValue ?? [])
        // tool_choice without tools is an API error; OpenAI clients send `none` that way.
        guard !tools.isEmpty else { return }
        body["tools"] = .array(tools)
        var choice: [String: JSONValue]?
        switch request.toolChoice {
        case .auto?: choice = ["type": "auto"]
        case ToolChoice.none?: choice = ["type": "none"]
        case .required?: choice = ["type": "any"]
        case .function(let name)?: choice = ["type": "tool", "name": .string(name)]
        case nil: choice = nil
        }
        if let parallel = request.parallelToolCalls, choice?["type"] != "none" {
            if choice == nil, !parallel { choice = ["type": "auto"] }
            choice?["disable_parallel_tool_use"] = .bool(!parallel)
        }
        if let choice { body["tool_choice"] = .object(choice) }
    }
}

/// One Anthropic message being assembled; consecutive canonical messages of one role merge into it, with
/// `tool_result` blocks first as the API requires.
struct Turn {
    var role: String
    var toolResults: [JSONValue] = []
    var blocks: [JSONValue] = []
    /// Set when the turn is a single plain-string message, so it is sent back as a string.
    var plainText: String?

    init(role: String) { self.role = role }

    var isEmpty: Bool { toolResults.isEmpty && blocks.isEmpty }

    mutating func merge(_ other: Turn) {
        toolResults += other.toolResults
        blocks += other.blocks
        plainText = nil
    }

    var json: JSONValue {
        let content: JSONValue
        if let plainText, toolResults.isEmpty, blocks.count == 1 {
            content = .string(plainText)
        } else {
            content = .array(toolResults + blocks)
        }
        return ["role": .string(role), "content": content]
    }

    /// Inside a tool loop (the last turn returns tool results) with thinking on, the API wants the assistant turn
    /// that made the calls to start with its thinking; without it the request fails.
    static func lastToolLoopLacksThinking(_ turns: [Turn]) -> Bool {
        guard let last = turns.last, last.role == "user", !last.toolResults.isEmpty,
            let assistant = turns.last(where: { $0.role == "assistant" })
        else { return false }
        let first = assistant.blocks.first?["type"]?.stringValue
        return first != "thinking" && first != "redacted_thinking"
    }
}
