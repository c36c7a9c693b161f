import SwitchyardCore

/// The Bedrock Converse request codec (bedrock.md §2, §9). Encoding is strict: a canonical feature Converse
/// cannot carry throws `.invalidRequest` naming it. Decoding keeps Converse members without a canonical meaning
/// in `ChatRequest.extra` under their own names, and encoding sends back only real Converse members from there.
public enum BedrockRequest {
    /// Converse top-level members that travel through `ChatRequest.extra` unchanged. The three that encoding
    /// also writes to (`additionalModelRequestFields`, `requestMetadata`, `outputConfig`) are merged.
    static let passthroughMembers: Set<String> = [
        "additionalModelRequestFields", "additionalModelResponseFieldPaths", "guardrailConfig", "performanceConfig",
        "serviceTier", "requestMetadata", "promptVariables", "outputConfig",
    ]
    /// `extra` key for `toolConfig.tools` entries that are not `toolSpec`s (`cachePoint`, `systemTool`).
    static let extraToolsKey = "toolConfig.tools"

    /// The path below the regional runtime host: the model id is one percent-encoded segment (`:` → `%3A`,
    /// ARN `/` → `%2F`).
    public static func path(modelId: String, stream: Bool) -> String {
        "/model/\(PercentEncoding.encodeUnreserved(modelId))/\(stream ? "converse-stream" : "converse")"
    }

    // MARK: - Encoding

    /// The Converse body for `request`, sent to `modelId` (an id, inference profile or ARN; used to pick the
    /// model family's reasoning and `top_k` knobs).
    public static func encode(_ request: ChatRequest, modelId: String) throws(GatewayError) -> JSONValue {
        try rejectUncarried(request)
        let family = ModelFamily(modelId)
        var body: [String: JSONValue] = [:]
        for (key, value) in request.extra where passthroughMembers.contains(key) {
            body[key] = value
        }

        var documents = BedrockContent.DocumentNamer()
        var system: [JSONValue] = []
        var turns: [(role: String, blocks: [JSONValue])] = []
        for (index, message) in request.messages.enumerated() {
            let param = "messages[\(index)]"
            let role: String
            var blocks: [JSONValue] = []
            switch message.role {
            case .system, .developer:
                for (partIndex, part) in message.content.enumerated() {
                    let partParam = "\(param).content[\(partIndex)]"
                    switch part {
                    case .text, .other:
                        if let block = try BedrockContent.encodePart(
                            part, param: partParam, members: BedrockContent.systemMembers, documents: &documents)
                        {
                            system.append(block)
                        }
                    case .image, .audio, .file:
                        throw GatewayError(
                            .invalidRequest, "Bedrock system prompts take text only.", param: partParam,
                            code: "unsupported_content")
                    }
                }
                continue
            case .user:
                role = "user"
                for (partIndex, part) in message.content.enumerated() {
                    if let block = try BedrockContent.encodePart(
                        part, param: "\(param).content[\(partIndex)]", documents: &documents)
                    {
                        blocks.append(block)
                    }
                }
            case .tool:
                role = "user"
                blocks = [try BedrockContent.encodeToolResult(message, param: param, documents: &documents)]
            case .assistant:
                role = "assistant"
                blocks = try BedrockContent.encodeAssistant(
                    message, param: param, keepUnsignedReasoning: family != .anthropic, documents: &documents)
            }
            // A turn left empty (an assistant "" with no calls) would be rejected; dropping it lets its neighbours merge.
            guard !blocks.isEmpty else { continue }
            // Converse wants strict user/assistant alternation, so consecutive same-role turns become one.
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        guard let first = turns.first else {
            throw GatewayError(.invalidRequest, "Bedrock needs at least one user or assistant message.", param: "messages")
        }
        guard first.role == "user" else {
            throw GatewayError(
                .invalidRequest, "Bedrock conversations must start with a user message, not an assistant one.",
                param: "messages")
        }
        if !system.isEmpty { body["system"] = .array(system) }
        body["messages"] = .array(turns.map { ["role": .string($0.role), "content": .array($0.blocks)] })

        if let toolConfig = encodeToolConfig(request, turns: turns.map(\.blocks)) { body["toolConfig"] = toolConfig }

        var inference: [String: JSONValue] = [:]
        if let max = request.maxOutputTokens { inference["maxTokens"] = .int(Int64(max)) }
        if let temperature = request.temperature { inference["temperature"] = .double(temperature) }
        if let topP = request.topP { inference["topP"] = .double(topP) }
        if !request.stop.isEmpty { inference["stopSequences"] = .array(request.stop.map(JSONValue.string)) }
        if !inference.isEmpty { body["inferenceConfig"] = .object(inference) }

        var additional = body["additionalModelRequestFields"]?.objectValue ?? [:]
        var output = body["outputConfig"]?.objectValue ?? [:]
        if let topK = request.topK {
            // Converse has no topK; each family takes it in its native request (bedrock.md §2).
            if family == .nova {
                var nested = additional["inferenceConfig"]?.objectValue ?? [:]
                nested["topK"] = .int(Int64(topK))
                additional["inferenceConfig"] = .object(nested)
            } else {
                additional["top_k"] = .int(Int64(topK))
            }
        }
        try encodeReasoning(request, family: family, additional: &additional, output: &output)
        if let format = request.responseFormat {
            switch format {
            case .text:
                break
            case .jsonObject:
                throw GatewayError(
                    .invalidRequest,
                    "Bedrock has no plain JSON mode; use response_format json_schema with a schema instead.",
                    param: "response_format", code: "unsupported_response_format")
            case .jsonSchema(let name, let schema, _, let description):
                // Converse takes the schema as a JSON string, not an object.
                var spec: [String: JSONValue] = ["schema": .string(JSON.encodeString(schema)), "name": .string(name)]
                if let description { spec["description"] = .string(description) }
                output["textFormat"] = ["type": "json_schema", "structure": ["jsonSchema": .object(spec)]]
            }
        }
        body["additionalModelRequestFields"] = additional.isEmpty ? nil : .object(additional)
        body["outputConfig"] = output.isEmpty ? nil : .object(output)

        if let user = request.user {
            var metadata = body["requestMetadata"]?.objectValue ?? [:]
            metadata["user"] = .string(user)
            body["requestMetadata"] = .object(metadata)
        }
        return .object(body)
    }

    /// The request with what Converse cannot carry but the gateway can honour another way (README "Adjusted
    /// parameters"): `parallel_tool_calls: false` is enforced on the answer (`SingleToolCall`), `json_object`
    /// becomes the schema `{"type": "object"}`, and best-effort knobs without a Converse member (`seed`, the
    /// penalties) are not sent. What is left for `rejectUncarried` would change the answer the client relies on.
    public static func adjust(_ request: ChatRequest, modelId: String) -> (request: ChatRequest, adjustments: [String]) {
        var request = request
        var adjustments: [String] = []
        // Claude on Bedrock, as on Anthropic's API, refuses thinking on a tool loop whose assistant turn lost
        // its signed reasoning (clients that rebuild history drop it): thinking is off for that turn.
        if ModelFamily(modelId) == .anthropic, request.asksForReasoning, request.lastToolLoopLacksSignedReasoning {
            request.reasoningBudget = nil
            request.reasoningEffort = nil
            adjustments.append(Adjustment.thinking)
        }
        if let serial = request.withholdSerialToolCalls() { adjustments.append(serial) }
        if case .jsonObject = request.responseFormat {
            request.responseFormat = .jsonSchema(name: "json_object", schema: ["type": "object"], strict: nil, description: nil)
            adjustments.append(Adjustment.responseFormat)
        }
        if request.seed != nil {
            request.seed = nil
            adjustments.append(Adjustment.seed)
        }
        if let penalty = request.presencePenalty, penalty != 0 {
            request.presencePenalty = nil
            adjustments.append(Adjustment.presencePenalty)
        }
        if let penalty = request.frequencyPenalty, penalty != 0 {
            request.frequencyPenalty = nil
            adjustments.append(Adjustment.frequencyPenalty)
        }
        return (request, adjustments)
    }

    /// Canonical features with no Converse member. Defaults (a zero penalty, parallel calls allowed) pass.
    static func rejectUncarried(_ request: ChatRequest) throws(GatewayError) {
        func unsupported(_ feature: String, _ param: String) -> GatewayError {
            GatewayError(.invalidRequest, "Bedrock Converse does not support \(feature).", param: param, code: "unsupported_parameter")
        }
        if let n = request.choiceCount, n > 1 { throw unsupported("more than one choice (n)", "n") }
        if request.seed != nil { throw unsupported("seed", "seed") }
        if let p = request.presencePenalty, p != 0 { throw unsupported("presence_penalty", "presence_penalty") }
        if let p = request.frequencyPenalty, p != 0 { throw unsupported("frequency_penalty", "frequency_penalty") }
        if request.parallelToolCalls == false {
            throw unsupported("turning parallel tool calls off", "parallel_tool_calls")
        }
    }

    /// `toolConfig`, or nil when no tools go out. Converse has no `none` choice: tools are left out instead,
    /// unless the history holds tool blocks, which Bedrock refuses without a `toolConfig` (bedrock.md §2) —
    /// then the tools go with no choice, and when the client sent none, minimal specs named after the calls.
    static func encodeToolConfig(_ request: ChatRequest, turns: [[JSONValue]]) -> JSONValue? {
        let calledNames = turns.joined().compactMap { $0["toolUse"]?["name"]?.stringValue }
        let historyHasTools = !calledNames.isEmpty || turns.joined().contains { $0["toolResult"] != nil }
        var specs: [JSONValue] = []
        var choice: JSONValue?
        if request.toolChoice != ToolChoice.none || historyHasTools {
            specs = request.tools.map(encodeTool)
        }
        if request.toolChoice != ToolChoice.none, !specs.isEmpty {
            switch request.toolChoice {
            case .some(.auto): choice = ["auto": [:]]
            case .some(.required): choice = ["any": [:]]
            case .some(.function(let name)): choice = ["tool": ["name": .string(name)]]
            case .some(.none), nil: choice = nil
            }
        }
        if specs.isEmpty, historyHasTools {
            var seen: Set<String> = []
            specs = calledNames.filter { seen.insert($0).inserted }.map {
                encodeTool(ToolDefinition(name: $0, parameters: ["type": "object"]))
            }
        }
        specs += request.extra[extraToolsKey]?.arrayValue ?? []
        guard !specs.isEmpty else { return nil }
        var config: [String: JSONValue] = ["tools": .array(specs)]
        if let choice { config["toolChoice"] = choice }
        return .object(config)
    }

    static func encodeTool(_ tool: ToolDefinition) -> JSONValue {
        var spec: [String: JSONValue] = [
            "name": .string(tool.name), "inputSchema": ["json": tool.parameters ?? ["type": "object", "properties": [:]]],
        ]
        if let description = tool.description { spec["description"] = .string(description) }
        if let strict = tool.strict { spec["strict"] = .bool(strict) }
        return ["toolSpec": .object(spec)]
    }

    /// Reasoning controls go in the model's native fields (mapping.md §4): Anthropic `thinking` with a token
    /// budget, Nova `reasoningConfig` with an effort, anything else `outputConfig.effort`.
    static func encodeReasoning(
        _ request: ChatRequest, family: ModelFamily, additional: inout [String: JSONValue],
        output: inout [String: JSONValue]
    ) throws(GatewayError) {
        // Only Anthropic models take a token budget on Bedrock; an explicit budget is sent in that shape.
        if let budget = request.reasoningBudget {
            additional["thinking"] = ["type": "enabled", "budget_tokens": .int(Int64(budget))]
            return
        }
        guard let effort = request.reasoningEffort, effort != "none" else { return }
        let budgets: [String: Int64] = [
            "minimal": 1024, "low": 1024, "medium": 4096, "high": 16384, "xhigh": 32768, "max": 32768,
        ]
        guard let budget = budgets[effort] else {
            throw GatewayError(
                .invalidRequest, "reasoning_effort '\(effort)' is not one of none, minimal, low, medium, high, xhigh, max.",
                param: "reasoning_effort")
        }
        switch family {
        case .anthropic:
            additional["thinking"] = ["type": "enabled", "budget_tokens": .int(budget)]
        case .nova:
            let level = budget <= 1024 ? "low" : budget <= 4096 ? "medium" : "high"
            additional["reasoningConfig"] = ["type": "enabled", "maxReasoningEffort": .string(level)]
        case .other:
            output["effort"] = .string(effort)
        }
    }

    /// The model families whose native knobs differ, told apart by the model id.
    enum ModelFamily {
        case anthropic, nova, other

        init(_ modelId: String) {
            if modelId.contains("anthropic.") {
                self = .anthropic
            } else if modelId.contains("amazon.nova") {
                self = .nova
            } else {
                self = .other
            }
        }
    }

    // MARK: - Decoding

    /// A Converse body as a canonical request. `modelId` and `stream` come from the path, not the body.
    public static func decode(_ bytes: some Collection<UInt8>, modelId: String, stream: Bool) throws(GatewayError)
        -> ChatRequest
    {
        try decode(RequestBody.parse(bytes), modelId: modelId, stream: stream)
    }

    public static func decode(_ json: JSONValue, modelId: String, stream: Bool) throws(GatewayError) -> ChatRequest {
        let body = try RequestBody.object(json)
        guard let rawMessages = body["messages"]?.arrayValue else {
            throw GatewayError(.invalidRequest, "'messages' is required and must be an array.", param: "messages")
        }
        var request = ChatRequest(model: modelId, messages: [])
        request.stream = stream
        if let system = body["system"]?.arrayValue, !system.isEmpty {
            var message = Message(role: .system, content: [])
            for block in system {
                message.content.append(block["text"]?.stringValue.map(ContentPart.text) ?? .other(block))
            }
            message.contentWasText = message.content.count == 1 && message.content.first.map(isText) == true
            request.messages.append(message)
        }
        for (index, raw) in rawMessages.enumerated() {
            request.messages += try BedrockContent.decodeMessage(raw, param: "messages[\(index)]")
        }

        if let inference = body["inferenceConfig"] {
            request.maxOutputTokens = inference["maxTokens"]?.intValue
            request.temperature = inference["temperature"]?.doubleValue
            request.topP = inference["topP"]?.doubleValue
            request.stop = inference["stopSequences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        if let config = body["toolConfig"] {
            try decodeToolConfig(config, into: &request)
        }
        for (key, value) in body where passthroughMembers.contains(key) {
            request.extra[key] = value
        }

        if var additional = body["additionalModelRequestFields"]?.objectValue {
            if let topK = additional["top_k"]?.intValue {
                request.topK = topK
                additional["top_k"] = nil
            }
            if let thinking = additional["thinking"]?.objectValue, thinking.count == 2,
                thinking["type"]?.stringValue == "enabled", let budget = thinking["budget_tokens"]?.intValue
            {
                request.reasoningBudget = budget
                additional["thinking"] = nil
            }
            request.extra["additionalModelRequestFields"] = additional.isEmpty ? nil : .object(additional)
        }
        if var metadata = body["requestMetadata"]?.objectValue, let user = metadata["user"]?.stringValue {
            request.user = user
            metadata["user"] = nil
            request.extra["requestMetadata"] = metadata.isEmpty ? nil : .object(metadata)
        }
        if var output = body["outputConfig"]?.objectValue, let format = output["textFormat"] {
            request.responseFormat = try decodeTextFormat(format)
            output["textFormat"] = nil
            request.extra["outputConfig"] = output.isEmpty ? nil : .object(output)
        }
        return request
    }

    static func decodeToolConfig(_ config: JSONValue, into request: inout ChatRequest) throws(GatewayError) {
        var others: [JSONValue] = []
        for (index, entry) in (config["tools"]?.arrayValue ?? []).enumerated() {
            guard let spec = entry["toolSpec"] else {
                others.append(entry)
                continue
            }
            guard let name = spec["name"]?.stringValue, !name.isEmpty else {
                throw GatewayError(
                    .invalidRequest, "toolConfig.tools[\(index)].toolSpec.name is required.",
                    param: "toolConfig.tools[\(index)]")
            }
            request.tools.append(
                ToolDefinition(
                    name: name, description: spec["description"]?.stringValue,
                    parameters: spec["inputSchema"]?["json"], strict: spec["strict"]?.boolValue))
        }
        if !others.isEmpty { request.extra[extraToolsKey] = .array(others) }
        if let choice = config["toolChoice"] {
            if choice["auto"] != nil {
                request.toolChoice = .auto
            } else if choice["any"] != nil {
                request.toolChoice = .required
            } else if let name = choice["tool"]?["name"]?.stringValue {
                request.toolChoice = .function(name: name)
            } else {
                throw GatewayError(
                    .invalidRequest, "toolConfig.toolChoice must be {auto}, {any} or {tool: {name}}.",
                    param: "toolConfig.toolChoice")
            }
        }
    }

    /// `outputConfig.textFormat` as a response format; the schema arrives as a JSON string.
    static func decodeTextFormat(_ format: JSONValue) throws(GatewayError) -> ResponseFormat {
        let spec = format["structure"]?["jsonSchema"]
        guard format["type"]?.stringValue == "json_schema", let text = spec?["schema"]?.stringValue,
            let schema = try? JSON.parse(text)
        else {
            throw GatewayError(
                .invalidRequest,
                "outputConfig.textFormat must be {type: json_schema, structure: {jsonSchema: {schema: \"<JSON text>\"}}}.",
                param: "outputConfig.textFormat")
        }
        return .jsonSchema(
            name: spec?["name"]?.stringValue ?? "response", schema: schema, strict: nil,
            description: spec?["description"]?.stringValue)
    }

    private static func isText(_ part: ContentPart) -> Bool {
        if case .text = part { return true }
        return false
    }
}
