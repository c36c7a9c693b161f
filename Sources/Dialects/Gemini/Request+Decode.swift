import SwitchyardCore

extension GeminiRequest {
    /// Top-level fields mapped to canonical ones; the rest are kept in `ChatRequest.extra` (camelCased).
    static let modelledFields: Set<String> = ["contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "model"]

    /// `generationConfig` fields mapped to canonical ones; the rest are kept in `extra["generationConfig"]`.
    static let modelledGenerationFields: Set<String> = [
        "maxOutputTokens", "temperature", "topP", "topK", "stopSequences", "seed", "candidateCount",
        "presencePenalty", "frequencyPenalty",
    ]

    /// A Gemini client's request. Gemini names the model and streaming in the URL, so the caller passes them.
    public static func decode(_ bytes: some Collection<UInt8>, model: String, stream: Bool) throws(GatewayError)
        -> ChatRequest
    {
        try decode(RequestBody.parse(bytes), model: model, stream: stream)
    }

    public static func decode(_ json: JSONValue, model: String, stream: Bool) throws(GatewayError) -> ChatRequest {
        let body = try RequestBody.object(json)
        guard let contents = json.field("contents")?.arrayValue, !contents.isEmpty else {
            throw GatewayError(.invalidRequest, "* GenerateContentRequest.contents: contents is not specified", param: "contents")
        }
        var request = ChatRequest(model: model, messages: [])
        request.stream = stream
        // Gemini reports usage on every chunk, so a Gemini client always gets it.
        request.includeUsage = stream
        if let system = json.field("systemInstruction") {
            request.messages.append(try decodeSystem(system))
        }
        request.messages.append(contentsOf: try decodeContents(contents))
        if let tools = json.field("tools")?.arrayValue { try decodeTools(tools, into: &request) }
        if let toolConfig = json.field("toolConfig")?.objectValue { decodeToolConfig(toolConfig, into: &request) }
        if let generation = json.field("generationConfig")?.objectValue {
            decodeGenerationConfig(generation, into: &request)
        }
        for (key, value) in GeminiKeys.camelCased(body) where !modelledFields.contains(key) {
            request.extra[key] = value
        }
        return request
    }

    /// `systemInstruction` as one system message; a bare string is accepted as the SDKs accept it.
    static func decodeSystem(_ system: JSONValue) throws(GatewayError) -> Message {
        if let text = system.stringValue { return .text(.system, text) }
        let parts = system.field("parts")?.arrayValue ?? []
        var texts: [ContentPart] = []
        for (index, part) in parts.enumerated() {
            guard let text = part.field("text")?.stringValue else {
                throw GatewayError(
                    .invalidRequest, "systemInstruction.parts[\(index)] must be a text part.",
                    param: "systemInstruction.parts[\(index)]")
            }
            texts.append(.text(text))
        }
        return Message(role: .system, content: texts, contentWasText: texts.count == 1)
    }

    /// `contents` as canonical messages. A user turn splits into tool messages (its `functionResponse` parts) and
    /// user messages (everything else), in order. Results without an id are matched to the earliest unanswered
    /// call of the same name (gemini.md §2.1: Gemini matches by name).
    static func decodeContents(_ contents: [JSONValue]) throws(GatewayError) -> [Message] {
        var messages: [Message] = []
        var unanswered: [(id: String, name: String)] = []
        for (turnIndex, content) in contents.enumerated() {
            let param = "contents[\(turnIndex)]"
            let parts = content.field("parts")?.arrayValue ?? []
            switch content.field("role")?.stringValue ?? "user" {
            case "model":
                let turn = GeminiParts.decodeModelTurn(parts) { partIndex, _, name, arguments in
                    GeminiToolCallID.forRequest(turn: turnIndex, part: partIndex, name: name, arguments: arguments)
                }
                unanswered.append(contentsOf: turn.toolCalls.map { ($0.id, $0.name) })
                messages.append(turn.message)
            case "user", "function":
                var pending: [ContentPart] = []
                func flushUser() {
                    guard !pending.isEmpty else { return }
                    let allText = pending.count == 1 && { if case .text = pending[0] { return true } else { return false } }()
                    messages.append(Message(role: .user, content: pending, contentWasText: allText))
                    pending = []
                }
                for (partIndex, part) in parts.enumerated() {
                    guard let response = part.field("functionResponse") else {
                        pending.append(GeminiParts.decode(part))
                        continue
                    }
                    flushUser()
                    messages.append(
                        try decodeFunctionResponse(
                            response, unanswered: &unanswered, param: "\(param).parts[\(partIndex)].functionResponse"))
                }
                flushUser()
            case let role:
                throw GatewayError(
                    .invalidRequest, "\(param).role must be 'user' or 'model', not '\(role)'.", param: "\(param).role")
            }
        }
        return messages
    }

    /// A `functionResponse` as a tool message: `{output: x}` carries the result, `{error: x}` a failure; any other
    /// object is the result as a whole. Strings stay text; other values become their JSON text.
    static func decodeFunctionResponse(
        _ response: JSONValue, unanswered: inout [(id: String, name: String)], param: String
    ) throws(GatewayError) -> Message {
        guard let name = response.field("name")?.stringValue else {
            throw GatewayError(.invalidRequest, "\(param).name is required.", param: "\(param).name")
        }
        let payload = response.field("response") ?? [:]
        var isError = false
        var result = payload
        if let fields = payload.objectValue, fields.count == 1 {
            if let output = fields["output"] {
                result = output
            } else if let error = fields["error"] {
                result = error
                isError = true
            }
        }
        var message = Message(role: .tool, content: [.text(result.stringValue ?? JSON.encodeString(result))], contentWasText: true)
        if isError { message.toolResultIsError = true }
        for part in response.field("parts")?.arrayValue ?? [] {
            message.content.append(GeminiParts.decode(part))
        }
        if let id = response.field("id")?.stringValue {
            message.toolCallId = id
            unanswered.removeAll { $0.id == id }
        } else if let match = unanswered.firstIndex(where: { $0.name == name }) {
            message.toolCallId = unanswered[match].id
            unanswered.remove(at: match)
        } else {
            // No call to answer: keep the name so the result can still be sent back to Gemini.
            message.toolCallId = GeminiToolCallID.forRequest(turn: -1, part: unanswered.count, name: name, arguments: param)
            message.name = name
        }
        return message
    }

    /// `functionDeclarations` become canonical tools (an OpenAPI-subset `parameters` schema is converted to JSON
    /// Schema); server-side tools (`googleSearch`, `codeExecution`, …) are kept in `extra["tools"]`.
    static func decodeTools(_ tools: [JSONValue], into request: inout ChatRequest) throws(GatewayError) {
        var serverTools: [JSONValue] = []
        for (toolIndex, tool) in tools.enumerated() {
            guard let fields = tool.objectValue else { continue }
            for (key, value) in GeminiKeys.camelCased(fields) {
                guard key == "functionDeclarations" else {
                    serverTools.append(.object([key: value]))
                    continue
                }
                for (index, declaration) in (value.arrayValue ?? []).enumerated() {
                    guard let name = declaration.field("name")?.stringValue, !name.isEmpty else {
                        throw GatewayError(
                            .invalidRequest, "tools[\(toolIndex)].functionDeclarations[\(index)].name is required.",
                            param: "tools[\(toolIndex)].functionDeclarations[\(index)]")
                    }
                    let parameters =
                        declaration.field("parametersJsonSchema")
                        ?? declaration.field("parameters").map(OpenAPISchema.toJSONSchema)
                    request.tools.append(
                        ToolDefinition(name: name, description: declaration.field("description")?.stringValue, parameters: parameters))
                }
            }
        }
        if !serverTools.isEmpty { request.extra["tools"] = .array(serverTools) }
    }

    /// `functionCallingConfig.mode` as a tool choice; what has no canonical form (`VALIDATED`, several allowed
    /// names, `retrievalConfig`) is kept in `extra["toolConfig"]`.
    static func decodeToolConfig(_ config: [String: JSONValue], into request: inout ChatRequest) {
        var rest = GeminiKeys.camelCased(config)
        if var calling = rest["functionCallingConfig"].flatMap(\.objectValue).map(GeminiKeys.camelCased) {
            let names = calling["allowedFunctionNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
            switch calling["mode"]?.stringValue {
            case "AUTO":
                request.toolChoice = .auto
                calling["mode"] = nil
            case "NONE":
                request.toolChoice = ToolChoice.none
                calling["mode"] = nil
            case "ANY" where names.count == 1:
                request.toolChoice = .function(name: names[0])
                calling["mode"] = nil
                calling["allowedFunctionNames"] = nil
            case "ANY":
                request.toolChoice = .required
                calling["mode"] = nil
            default:
                break
            }
            rest["functionCallingConfig"] = calling.isEmpty ? nil : .object(calling)
        }
        if !rest.isEmpty { request.extra["toolConfig"] = .object(rest) }
    }

    static func decodeGenerationConfig(_ config: [String: JSONValue], into request: inout ChatRequest) {
        var rest = GeminiKeys.camelCased(config)
        request.maxOutputTokens = rest["maxOutputTokens"]?.intValue
        request.temperature = rest["temperature"]?.doubleValue
        request.topP = rest["topP"]?.doubleValue
        request.topK = rest["topK"]?.intValue
        request.stop = rest["stopSequences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        request.seed = rest["seed"]?.intValue
        request.choiceCount = rest["candidateCount"]?.intValue
        request.presencePenalty = rest["presencePenalty"]?.doubleValue
        request.frequencyPenalty = rest["frequencyPenalty"]?.doubleValue
        for key in modelledGenerationFields { rest[key] = nil }
        let schema = rest["responseJsonSchema"] ?? rest["responseSchema"].map(OpenAPISchema.toJSONSchema)
        switch rest["responseMimeType"]?.stringValue {
        case "application/json":
            request.responseFormat = schema.map { .jsonSchema(name: "response", schema: $0, strict: nil, description: nil) } ?? .jsonObject
            rest["responseMimeType"] = nil
            rest["responseJsonSchema"] = nil
            rest["responseSchema"] = nil
        case "text/plain":
            request.responseFormat = .text
            rest["responseMimeType"] = nil
        default:
            break  // `text/x.enum` and the like stay Gemini-only
        }
        if let thinking = rest["thinkingConfig"]?.objectValue {
            let unmodelled = GeminiThinking.decode(thinking, into: &request)
            rest["thinkingConfig"] = unmodelled.isEmpty ? nil : .object(unmodelled)
        }
        if !rest.isEmpty { request.extra["generationConfig"] = .object(rest) }
    }
}
