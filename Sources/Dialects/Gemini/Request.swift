import SwitchyardCore

/// The Gemini `generateContent` request codec. Encoding writes camelCase and only documented shapes; decoding
/// (for Gemini-speaking clients) accepts both key spellings and keeps unmodelled fields in `extra`.
public enum GeminiRequest {
    /// Top-level request fields passed through from `ChatRequest.extra` when present. Only Gemini's own names:
    /// another dialect's extras (`logit_bias`, `metadata`, …) mean nothing here and are dropped.
    static let passthroughFields = ["safetySettings", "cachedContent", "labels"]

    /// Server-side tools (gemini.md §2.2) a Gemini client may list beside `functionDeclarations`; carried in
    /// `extra["tools"]`.
    static let serverToolKinds: Set<String> = [
        "googleSearch", "googleSearchRetrieval", "codeExecution", "urlContext", "googleMaps", "fileSearch",
        "computerUse", "retrieval", "enterpriseWebSearch", "mcpServers",
    ]

    /// The path below the base URL (`…/v1beta`): `/models/{model}:generateContent`, or
    /// `:streamGenerateContent?alt=sse` (without `alt=sse` Gemini streams one big JSON array). The model is one
    /// percent-encoded path segment; a `models/` prefix is dropped and `tunedModels/…` keeps its collection. The API
    /// key is never put in the URL (the gateway sends `x-goog-api-key`).
    public static func path(model: String, stream: Bool) -> String {
        var collection = "models"
        var name = model
        if name.hasPrefix("models/") {
            name.removeFirst("models/".count)
        } else if name.hasPrefix("tunedModels/") {
            collection = "tunedModels"
            name.removeFirst("tunedModels/".count)
        }
        let method = stream ? "streamGenerateContent?alt=sse" : "generateContent"
        return "/\(collection)/\(PercentEncoding.encodeUnreserved(name)):\(method)"
    }

    // MARK: Encoding

    /// The request body for `upstreamModel` (which decides how reasoning effort is expressed).
    public static func encode(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> JSONValue {
        var body: [String: JSONValue] = [:]
        for key in passthroughFields {
            if let value = request.extra[key] { body[key] = value }
        }
        let system = try systemParts(request.messages)
        if !system.isEmpty { body["systemInstruction"] = ["parts": .array(system)] }
        let contents = try encodeContents(request.messages)
        guard !contents.isEmpty else {
            throw GatewayError(
                .invalidRequest, "Gemini needs at least one user or assistant message besides system messages.",
                param: "messages")
        }
        body["contents"] = .array(contents)
        if let tools = encodeTools(request) { body["tools"] = tools }
        if let toolConfig = encodeToolConfig(request) { body["toolConfig"] = toolConfig }
        let generation = try encodeGenerationConfig(request, model: upstreamModel)
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        return .object(body)
    }

    /// System and developer messages, wherever they stand, become `systemInstruction` (Gemini has no system role
    /// in `contents`); only text is meaningful there.
    static func systemParts(_ messages: [Message]) throws(GatewayError) -> [JSONValue] {
        var parts: [JSONValue] = []
        for (index, message) in messages.enumerated() where message.role == .system || message.role == .developer {
            for (partIndex, part) in message.content.enumerated() {
                guard case .text(let text) = part else {
                    throw GatewayError(
                        .invalidRequest, "Gemini system instructions can only hold text.",
                        param: "messages[\(index)].content[\(partIndex)]")
                }
                parts.append(["text": .string(text)])
            }
        }
        return parts
    }

    /// `contents`: user turns, model turns, and tool results as `functionResponse` parts of a user turn
    /// (consecutive results share one turn). A result's function name is found from its call id in an earlier
    /// assistant message, since Gemini matches results by name.
    static func encodeContents(_ messages: [Message]) throws(GatewayError) -> [JSONValue] {
        var contents: [(role: String, parts: [JSONValue], holdsResults: Bool)] = []
        var callNames: [String: String] = [:]
        for (index, message) in messages.enumerated() {
            let param = "messages[\(index)]"
            switch message.role {
            case .system, .developer:
                continue
            case .user:
                var parts: [JSONValue] = []
                for (partIndex, part) in message.content.enumerated() {
                    parts.append(try GeminiParts.encode(part, param: "\(param).content[\(partIndex)]"))
                }
                // Gemini rejects a turn without parts; an empty message says nothing to carry.
                if !parts.isEmpty { contents.append(("user", parts, false)) }
            case .assistant:
                for call in message.toolCalls { callNames[call.id] = call.name }
                let parts = try GeminiParts.encodeModelTurn(message, param: param)
                if !parts.isEmpty { contents.append(("model", parts, false)) }
            case .tool:
                let part = try functionResponse(message, callNames: callNames, param: param)
                if let last = contents.indices.last, contents[last].holdsResults {
                    contents[last].parts.append(part)
                } else {
                    contents.append(("user", [part], true))
                }
            }
        }
        return contents.map { ["role": .string($0.role), "parts": .array($0.parts)] }
    }

    /// One tool result. The response must be an object (gemini.md §2.1): the result goes under `output`, or
    /// `error` when the tool failed; text that is a JSON object or array is sent parsed. Media in the result
    /// travels as the response's own `parts` (multimodal function responses).
    static func functionResponse(_ message: Message, callNames: [String: String], param: String) throws(GatewayError)
        -> JSONValue
    {
        let id = message.toolCallId ?? ""
        guard let name = callNames[id] ?? message.name else {
            throw GatewayError(
                .invalidRequest,
                "The tool result for call '\(id)' answers no tool call in an earlier assistant message; Gemini needs "
                    + "the function's name.", param: "\(param).tool_call_id")
        }
        var text = ""
        var media: [JSONValue] = []
        for (partIndex, part) in message.content.enumerated() {
            if case .text(let piece) = part {
                text += piece
            } else {
                media.append(try GeminiParts.encode(part, param: "\(param).content[\(partIndex)]"))
            }
        }
        var result: JSONValue = .string(text)
        if let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[",
            let parsed = try? JSON.parse(text)
        {
            result = parsed
        }
        var response: [String: JSONValue] = ["name": .string(name)]
        response["response"] = [message.toolResultIsError == true ? "error" : "output": result]
        // The id proper: a signature the id carries belongs on the call, not the result.
        let base = GeminiToolCallID.split(id).base
        if GeminiToolCallID.isSendable(base) { response["id"] = .string(base) }
        if !media.isEmpty { response["parts"] = .array(media) }
        return ["functionResponse": .object(response)]
    }

    static func encodeTools(_ request: ChatRequest) -> JSONValue? {
        var entries: [JSONValue] = []
        if !request.tools.isEmpty {
            // `strict` has no Gemini counterpart: Gemini validates calls against the schema in any case.
            let declarations = request.tools.map { tool -> JSONValue in
                var declaration: [String: JSONValue] = ["name": .string(tool.name)]
                if let description = tool.description { declaration["description"] = .string(description) }
                if let parameters = tool.parameters { declaration["parametersJsonSchema"] = parameters }
                return .object(declaration)
            }
            entries.append(["functionDeclarations": .array(declarations)])
        }
        for entry in request.extra["tools"]?.arrayValue ?? [] {
            if let fields = entry.objectValue, fields.count == 1, let kind = fields.keys.first,
                serverToolKinds.contains(kind)
            {
                entries.append(entry)
            }
        }
        return entries.isEmpty ? nil : .array(entries)
    }

    /// `toolChoice` → `functionCallingConfig.mode` (`auto` AUTO, `none` NONE, `required` ANY, a named function ANY
    /// restricted to it), over any `toolConfig` a Gemini client sent (`retrievalConfig`, `VALIDATED`, a list of
    /// allowed names).
    static func encodeToolConfig(_ request: ChatRequest) -> JSONValue? {
        var config = request.extra["toolConfig"]?.objectValue ?? [:]
        if let choice = request.toolChoice, !request.tools.isEmpty {
            var calling = config["functionCallingConfig"]?.objectValue ?? [:]
            switch choice {
            case .auto:
                calling["mode"] = "AUTO"
                calling["allowedFunctionNames"] = nil
            case .none:
                calling["mode"] = "NONE"
                calling["allowedFunctionNames"] = nil
            case .required:
                calling["mode"] = "ANY"
            case .function(let name):
                calling["mode"] = "ANY"
                calling["allowedFunctionNames"] = [.string(name)]
            }
            config["functionCallingConfig"] = .object(calling)
        }
        return config.isEmpty ? nil : .object(config)
    }

    static func encodeGenerationConfig(_ request: ChatRequest, model: String) throws(GatewayError) -> [String: JSONValue] {
        var config = request.extra["generationConfig"]?.objectValue ?? [:]
        if let value = request.maxOutputTokens { config["maxOutputTokens"] = .int(Int64(value)) }
        if let value = request.temperature { config["temperature"] = .double(value) }
        if let value = request.topP { config["topP"] = .double(value) }
        if let value = request.topK { config["topK"] = .int(Int64(value)) }
        if !request.stop.isEmpty { config["stopSequences"] = .array(request.stop.map(JSONValue.string)) }
        if let value = request.seed { config["seed"] = .int(Int64(value)) }
        if let value = request.choiceCount { config["candidateCount"] = .int(Int64(value)) }
        if let value = request.presencePenalty { config["presencePenalty"] = .double(value) }
        if let value = request.frequencyPenalty { config["frequencyPenalty"] = .double(value) }
        switch request.responseFormat {
        case nil: break
        case .text: config["responseMimeType"] = "text/plain"
        case .jsonObject: config["responseMimeType"] = "application/json"
        case .jsonSchema(_, let schema, _, _):
            // Name, strictness and description have no Gemini field; the schema itself is what constrains output.
            config["responseMimeType"] = "application/json"
            config["responseJsonSchema"] = schema
        }
        if let thinking = try GeminiThinking.config(for: request, model: model) {
            var fields = config["thinkingConfig"]?.objectValue ?? [:]
            for (key, value) in thinking.fields { fields[key] = value }
            // A Gemini client's own `includeThoughts` (kept in extra) wins over the gateway's default.
            if thinking.thinking, fields["includeThoughts"] == nil { fields["includeThoughts"] = true }
            config["thinkingConfig"] = .object(fields)
        }
        return config
    }
}
