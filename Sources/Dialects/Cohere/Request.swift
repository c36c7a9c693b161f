import SwitchyardCore

/// The Cohere v2 Chat request codec (`POST /v2/chat`, openai-compatible.md §4).
///
/// Mapping choices (each one reverses in `decode`):
/// - `developer` messages become `system` (Cohere has no developer role).
/// - An assistant message's reasoning goes out as `thinking` content parts, except that when the message
///   calls tools its last reasoning block is the `tool_plan` (that is where `decode` puts a plan).
/// - `tool_choice`: auto → omitted, none → `NONE`, required → `REQUIRED`; a named function is only
///   expressible when it is the sole tool (then `REQUIRED` means the same), otherwise it is refused.
/// - Per-tool `strict` becomes the request-wide `strict_tools` (true when any tool asks for it).
/// - `response_format` json_schema becomes `{type: json_object, json_schema}`; the schema's name,
///   description and strictness have no Cohere field and are dropped.
/// - Reasoning control becomes `thinking`: an explicit budget wins (0 disables); effort none → disabled,
///   minimal/low → 1024 tokens, medium → 4096, high/xhigh/max → enabled with no budget (the model's own).
/// - Of `ChatRequest.extra`, only `passthroughFields` are sent: `extra` also carries other dialects'
///   fields (OpenAI `logit_bias`, `store`, …) that Cohere would reject.
/// - Dropped because Cohere has no place for them and they do not change the answer: `user`, message
///   `name`, assistant `refusal`, tool-call signatures, redacted reasoning, a tool result's error flag.
public enum CohereRequest {
    /// The path below the base URL (`https://api.cohere.com`).
    public static let path = "/v2/chat"

    /// Cohere request fields with no canonical meaning that travel in `ChatRequest.extra` and are sent on.
    public static let passthroughFields: Set<String> = [
        "documents", "citation_options", "safety_mode", "logprobs", "priority",
    ]

    /// Message fields with no canonical meaning that travel in `Message.extra` and are sent on.
    static let messagePassthroughFields: Set<String> = ["citations"]

    static let modelledFields: Set<String> = [
        "model", "messages", "tools", "strict_tools", "tool_choice", "max_tokens", "stop_sequences", "temperature",
        "p", "k", "seed", "frequency_penalty", "presence_penalty", "response_format", "thinking", "stream",
    ]

    /// Content part types Cohere accepts; an `.other` part of another type cannot be sent.
    static let cohereContentTypes: Set<String> = ["text", "image_url", "document", "thinking"]

    // MARK: - Decoding

    public static func decode(_ bytes: some Collection<UInt8>) throws(GatewayError) -> ChatRequest {
        try decode(RequestBody.parse(bytes))
    }

    public static func decode(_ json: JSONValue) throws(GatewayError) -> ChatRequest {
        let body = try RequestBody.object(json)
        guard let model = body["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError(.invalidRequest, "model is required.", param: "model")
        }
        guard let rawMessages = body["messages"]?.arrayValue else {
            throw GatewayError(.invalidRequest, "messages is required and must be an array.", param: "messages")
        }
        var request = ChatRequest(model: model, messages: [])
        for (index, raw) in rawMessages.enumerated() {
            request.messages.append(try decodeMessage(raw, param: "messages[\(index)]"))
        }
        let strict = body["strict_tools"]?.boolValue
        for (index, tool) in (body["tools"]?.arrayValue ?? []).enumerated() {
            var decoded = try decodeTool(tool["function"] ?? .null, param: "tools[\(index)].function")
            decoded.strict = strict
            request.tools.append(decoded)
        }
        switch nonNull(body["tool_choice"]) {
        case nil: break
        case .string(let value) where value.uppercased() == "REQUIRED": request.toolChoice = .required
        case .string(let value) where value.uppercased() == "NONE": request.toolChoice = ToolChoice.none
        default:
            throw GatewayError(.invalidRequest, "tool_choice must be REQUIRED or NONE.", param: "tool_choice")
        }
        request.maxOutputTokens = body["max_tokens"]?.intValue
        request.stop = (body["stop_sequences"]?.arrayValue ?? []).compactMap(\.stringValue)
        request.temperature = body["temperature"]?.doubleValue
        request.topP = body["p"]?.doubleValue
        request.topK = body["k"]?.intValue
        request.seed = body["seed"]?.intValue
        request.frequencyPenalty = body["frequency_penalty"]?.doubleValue
        request.presencePenalty = body["presence_penalty"]?.doubleValue
        if let format = nonNull(body["response_format"]) {
            request.responseFormat = try decodeResponseFormat(format)
        }
        if let thinking = nonNull(body["thinking"]) {
            switch thinking["type"]?.stringValue {
            case "disabled": request.reasoningEffort = "none"
            case "enabled":
                if let budget = thinking["token_budget"]?.intValue {
                    request.reasoningBudget = budget
                } else {
                    request.reasoningEffort = "high"
                }
            default:
                throw GatewayError(.invalidRequest, "thinking.type must be enabled or disabled.", param: "thinking.type")
            }
        }
        request.stream = body["stream"]?.boolValue ?? false
        // Cohere always reports usage at the end of a stream.
        request.includeUsage = request.stream
        for (key, value) in body where !modelledFields.contains(key) {
            request.extra[key] = value
        }
        return request
    }

    static func nonNull(_ value: JSONValue?) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        return value
    }

    /// One message, request or response side. Thinking parts and the tool plan become reasoning (in that
    /// order); document and other non-canonical parts are kept verbatim as `.other`.
    static func decodeMessage(_ raw: JSONValue, param: String) throws(GatewayError) -> Message {
        guard let fields = raw.objectValue else {
            throw GatewayError(.invalidRequest, "\(param) must be an object.", param: param)
        }
        let role: Role
        switch fields["role"]?.stringValue {
        case "system": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        case "tool": role = .tool
        default:
            throw GatewayError(
                .invalidRequest, "\(param).role must be one of system, user, assistant, tool.", param: "\(param).role")
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
                let partParam = "\(param).content[\(index)]"
                switch part["type"]?.stringValue {
                case "text":
                    guard let text = part["text"]?.stringValue else {
                        throw GatewayError(.invalidRequest, "\(partParam).text must be a string.", param: partParam)
                    }
                    message.content.append(.text(text))
                case "thinking":
                    message.reasoning.append(.text(part["thinking"]?.stringValue ?? "", signature: nil))
                case "image_url":
                    let image = part["image_url"]
                    guard let url = image?["url"]?.stringValue ?? image?.stringValue else {
                        throw GatewayError(.invalidRequest, "\(partParam).image_url.url is required.", param: partParam)
                    }
                    message.content.append(.image(url: url, detail: image?["detail"]?.stringValue))
                case nil:
                    throw GatewayError(.invalidRequest, "\(partParam).type is required.", param: partParam)
                default:
                    // Tool-result documents have no canonical form; kept whole so a Cohere round trip is exact.
                    message.content.append(.other(part))
                }
            }
        default:
            throw GatewayError(
                .invalidRequest, "\(param).content must be a string or an array.", param: "\(param).content")
        }
        if let plan = fields["tool_plan"]?.stringValue, !plan.isEmpty {
            message.reasoning.append(.text(plan, signature: nil))
        }
        for (index, call) in (fields["tool_calls"]?.arrayValue ?? []).enumerated() {
            let function = call["function"]
            guard let name = function?["name"]?.stringValue else {
                throw GatewayError(
                    .invalidRequest, "\(param).tool_calls[\(index)].function.name is required.",
                    param: "\(param).tool_calls[\(index)]")
            }
            // Arguments are a JSON string on the wire; an object (seen from lenient clients) is serialised.
            let arguments: String
            switch nonNull(function?["arguments"]) {
            case .string(let text): arguments = text
            case nil: arguments = "{}"
            case let value?: arguments = JSON.encodeString(value)
            }
            message.toolCalls.append(ToolCall(id: call["id"]?.stringValue ?? "", name: name, arguments: arguments))
        }
        message.toolCallId = fields["tool_call_id"]?.stringValue
        let modelled: Set<String> = ["role", "content", "tool_plan", "tool_calls", "tool_call_id"]
        for (key, value) in fields where !modelled.contains(key) && !value.isNull {
            message.extra[key] = value
        }
        return message
    }

    static func decodeTool(_ raw: JSONValue, param: String) throws(GatewayError) -> ToolDefinition {
        guard let name = raw["name"]?.stringValue, !name.isEmpty else {
            throw GatewayError(.invalidRequest, "\(param).name is required.", param: param)
        }
        return ToolDefinition(
            name: name, description: raw["description"]?.stringValue, parameters: nonNull(raw["parameters"]))
    }

    static func decodeResponseFormat(_ raw: JSONValue) throws(GatewayError) -> ResponseFormat {
        switch raw["type"]?.stringValue {
        case "text":
            return .text
        case "json_object":
            // v2 names the schema `json_schema`; v1 and some guides say `schema`.
            guard let schema = nonNull(raw["json_schema"]) ?? nonNull(raw["schema"]) else { return .jsonObject }
            return .jsonSchema(name: "response", schema: schema, strict: nil, description: nil)
        default:
            throw GatewayError(
                .invalidRequest, "response_format.type must be text or json_object.", param: "response_format.type")
        }
    }

    // MARK: - Encoding

    /// The request with what Cohere cannot carry but the gateway can honour another way (README "Adjusted
    /// parameters"): `parallel_tool_calls: false` is enforced on the answer (`SingleToolCall`), and a forced
    /// function among several tools offers only that tool with `REQUIRED` (the same constraint: that tool is
    /// called). A forced function the client did not offer stays an error.
    public static func adjust(_ request: ChatRequest) -> (request: ChatRequest, adjustments: [String]) {
        var request = request
        var adjustments: [String] = []
        if let serial = request.withholdSerialToolCalls() { adjustments.append(serial) }
        if case .function(let name)? = request.toolChoice, request.tools.count > 1,
            request.tools.contains(where: { $0.name == name })
        {
            request.tools = request.tools.filter { $0.name == name }
            adjustments.append(Adjustment.toolChoice)
        }
        return (request, adjustments)
    }

    /// The Cohere body for `request`, sent to `model`. Throws `.invalidRequest` naming any feature Cohere
    /// cannot carry.
    public static func encode(_ request: ChatRequest, model: String) throws(GatewayError) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for (key, value) in request.extra where passthroughFields.contains(key) {
            body[key] = value
        }
        body["model"] = .string(model)
        var messages: [JSONValue] = []
        for (index, message) in request.messages.enumerated() {
            messages.append(try encodeMessage(message, param: "messages[\(index)]"))
        }
        body["messages"] = .array(messages)
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(encodeTool))
            if request.tools.contains(where: { $0.strict == true }) {
                body["strict_tools"] = true
            } else if request.tools.contains(where: { $0.strict == false }) {
                body["strict_tools"] = false
            }
            if request.parallelToolCalls == false {
                throw GatewayError(
                    .invalidRequest, "Cohere cannot turn off parallel tool calls (parallel_tool_calls: false).",
                    param: "parallel_tool_calls")
            }
        }
        if let choice = request.toolChoice {
            switch choice {
            case .auto: break  // Cohere's default; it has no word for it.
            case .none: body["tool_choice"] = "NONE"
            case .required: body["tool_choice"] = "REQUIRED"
            case .function(let name):
                guard request.tools.count == 1, request.tools[0].name == name else {
                    throw GatewayError(
                        .invalidRequest,
                        "Cohere cannot force a particular tool (tool_choice function \(name)); "
                            + "use required, or offer only that tool.",
                        param: "tool_choice")
                }
                body["tool_choice"] = "REQUIRED"
            }
        }
        if let count = request.choiceCount, count > 1 {
            throw GatewayError(.invalidRequest, "Cohere returns one answer per request; n must be 1.", param: "n")
        }
        if let max = request.maxOutputTokens { body["max_tokens"] = .int(Int64(max)) }
        if !request.stop.isEmpty { body["stop_sequences"] = .array(request.stop.map(JSONValue.string)) }
        if let t = request.temperature { body["temperature"] = .double(t) }
        if let p = request.topP { body["p"] = .double(p) }
        if let k = request.topK { body["k"] = .int(Int64(k)) }
        if let seed = request.seed { body["seed"] = .int(Int64(seed)) }
        if let penalty = request.frequencyPenalty { body["frequency_penalty"] = .double(penalty) }
        if let penalty = request.presencePenalty { body["presence_penalty"] = .double(penalty) }
        if let format = request.responseFormat { body["response_format"] = encodeResponseFormat(format) }
        if let thinking = try encodeThinking(effort: request.reasoningEffort, budget: request.reasoningBudget) {
            body["thinking"] = thinking
        }
        // The official SDK always states `stream`, false included.
        body["stream"] = .bool(request.stream)
        return .object(body)
    }

    /// `forceParts`: response messages always carry a content list; request messages may be a plain string.
    static func encodeMessage(_ message: Message, param: String, forceParts: Bool = false) throws(GatewayError)
        -> JSONValue
    {
        var fields: [String: JSONValue] = [:]
        for (key, value) in message.extra where messagePassthroughFields.contains(key) {
            fields[key] = value
        }
        switch message.role {
        case .system, .developer:
            fields["role"] = "system"
            fields["content"] = try encodeContent(message, allowing: [], param: param)
        case .user:
            fields["role"] = "user"
            fields["content"] = try encodeContent(message, allowing: ["text", "image_url", "document"], param: param)
        case .tool:
            fields["role"] = "tool"
            guard let id = message.toolCallId else {
                throw GatewayError(.invalidRequest, "\(param).tool_call_id is required.", param: "\(param).tool_call_id")
            }
            fields["tool_call_id"] = .string(id)
            fields["content"] = try encodeContent(message, allowing: ["text", "document"], param: param)
        case .assistant:
            fields["role"] = "assistant"
            var thoughts = message.reasoning.compactMap { block -> String? in
                if case .text(let text, _) = block { return text }
                return nil  // Redacted reasoning is Anthropic's opaque blob; Cohere could not read it.
            }
            if !message.toolCalls.isEmpty, let plan = thoughts.popLast() {
                fields["tool_plan"] = .string(plan)
            }
            var parts: [JSONValue] = thoughts.map { ["type": "thinking", "thinking": .string($0)] }
            let content = try encodeContent(message, allowing: ["text", "thinking"], param: param)
            switch content {
            case .array(let items): parts.append(contentsOf: items)
            case .string(let text) where parts.isEmpty && !forceParts: fields["content"] = .string(text)
            case .string(let text): parts.append(["type": "text", "text": .string(text)])
            default: break
            }
            if !parts.isEmpty { fields["content"] = .array(parts) }
            if !message.toolCalls.isEmpty {
                fields["tool_calls"] = .array(message.toolCalls.map(encodeToolCall))
            }
        }
        return .object(fields)
    }

    /// A string when the sender gave one (or for an empty non-assistant message), otherwise parts.
    /// `allowing` lists the part types this role takes besides text; `.other` parts of those types pass verbatim.
    static func encodeContent(_ message: Message, allowing: Set<String>, param: String) throws(GatewayError)
        -> JSONValue?
    {
        if message.content.isEmpty {
            return message.role == .assistant ? nil : ""
        }
        if message.contentWasText, message.content.count == 1, case .text(let text) = message.content[0] {
            return .string(text)
        }
        var parts: [JSONValue] = []
        for (index, part) in message.content.enumerated() {
            let partParam = "\(param).content[\(index)]"
            switch part {
            case .text(let text):
                parts.append(["type": "text", "text": .string(text)])
            case .image(let url, let detail) where allowing.contains("image_url"):
                var image: [String: JSONValue] = ["url": .string(url)]
                if let detail { image["detail"] = .string(detail) }
                parts.append(["type": "image_url", "image_url": .object(image)])
            case .other(let raw):
                let type = raw["type"]?.stringValue ?? ""
                guard allowing.contains(type) || type == "text", cohereContentTypes.contains(type) else {
                    throw unsupported("a \(type.isEmpty ? "typeless" : type) content part", message.role, partParam)
                }
                parts.append(raw)
            case .image:
                throw unsupported("images", message.role, partParam)
            case .audio:
                throw unsupported("audio", message.role, partParam)
            case .file:
                throw unsupported("files", message.role, partParam)
            }
        }
        return .array(parts)
    }

    static func unsupported(_ feature: String, _ role: Role, _ param: String) -> GatewayError {
        GatewayError(.invalidRequest, "Cohere does not accept \(feature) in \(role.rawValue) messages.", param: param)
    }

    static func encodeToolCall(_ call: ToolCall) -> JSONValue {
        [
            "id": .string(call.id), "type": "function",
            "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
        ]
    }

    static func encodeTool(_ tool: ToolDefinition) -> JSONValue {
        var function: [String: JSONValue] = ["name": .string(tool.name)]
        if let description = tool.description { function["description"] = .string(description) }
        if let parameters = tool.parameters { function["parameters"] = parameters }
        return ["type": "function", "function": .object(function)]
    }

    static func encodeResponseFormat(_ format: ResponseFormat) -> JSONValue {
        switch format {
        case .text: return ["type": "text"]
        case .jsonObject: return ["type": "json_object"]
        case .jsonSchema(_, let schema, _, _): return ["type": "json_object", "json_schema": schema]
        }
    }

    /// Thinking budgets for OpenAI effort words (mapping.md §4 suggests Anthropic's; Cohere takes any budget).
    /// nil means enabled without a budget: the model thinks as much as it needs.
    static let effortBudgets: [String: Int?] = [
        "minimal": 1024, "low": 1024, "medium": 4096, "high": nil, "xhigh": nil, "max": nil,
    ]

    static func encodeThinking(effort: String?, budget: Int?) throws(GatewayError) -> JSONValue? {
        if let budget {
            return budget <= 0 ? ["type": "disabled"] : ["type": "enabled", "token_budget": .int(Int64(budget))]
        }
        guard let effort else { return nil }
        if effort == "none" { return ["type": "disabled"] }
        guard let mapped = effortBudgets[effort] else {
            throw GatewayError(
                .invalidRequest, "reasoning_effort must be one of none, minimal, low, medium, high, xhigh, max.",
                param: "reasoning_effort")
        }
        guard let tokens = mapped else { return ["type": "enabled"] }
        return ["type": "enabled", "token_budget": .int(Int64(tokens))]
    }
}
