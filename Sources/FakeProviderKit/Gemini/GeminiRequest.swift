// The parts of a Gemini `generateContent` body the fake reacts to (`gemini.md` §2), read in
// either key spelling (see `KeyedDecodingContainer.proto`).

struct GeminiRequest: Decodable {
    var contents: [GeminiContent]?
    var systemInstruction: GeminiContent?
    var functions: [GeminiFunction]
    /// `toolConfig.functionCallingConfig.mode`: AUTO, ANY, NONE, VALIDATED.
    var mode: String?
    var allowedFunctionNames: [String]
    var thinkingConfig: ThinkingConfig?

    struct ThinkingConfig: Decodable {
        var thinkingBudget: Int?
        var includeThoughts: Bool?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            self.thinkingBudget = container.proto(Int.self, "thinkingBudget")
            self.includeThoughts = container.proto(Bool.self, "includeThoughts")
        }
    }

    private struct Tool: Decodable {
        var functionDeclarations: [GeminiFunction]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyCodingKey.self)
            self.functionDeclarations = container.proto([GeminiFunction].self, "functionDeclarations") ?? []
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        self.contents = container.proto([GeminiContent].self, "contents")
        self.systemInstruction = container.proto(GeminiContent.self, "systemInstruction")
        self.functions = (container.proto([Tool].self, "tools") ?? []).flatMap(\.functionDeclarations)
        let toolConfig = try? container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("toolConfig"))
        let snakeToolConfig = try? container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("tool_config"))
        let functionCalling = (toolConfig ?? snakeToolConfig).flatMap { config in
            (try? config.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("functionCallingConfig")))
                ?? (try? config.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("function_calling_config")))
        }
        self.mode = functionCalling?.proto(String.self, "mode")
        self.allowedFunctionNames = functionCalling?.proto([String].self, "allowedFunctionNames") ?? []
        let generation =
            (try? container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("generationConfig")))
            ?? (try? container.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("generation_config")))
        self.thinkingConfig = generation?.proto(ThinkingConfig.self, "thinkingConfig")
    }

    /// Thinking happens when `thinkingConfig` is present and does not set a zero budget.
    var thinks: Bool {
        guard let config = self.thinkingConfig else { return false }
        return config.thinkingBudget != 0
    }

    /// Thought summaries (`thought: true` parts) come back only with `includeThoughts`.
    var includesThoughts: Bool {
        self.thinks && self.thinkingConfig?.includeThoughts == true
    }

    /// The text of the last user turn that has text (function responses skipped). A missing
    /// role means `user`, as the API reads single-turn requests.
    var lastUserText: String {
        (self.contents ?? []).last { $0.isUser && $0.hasText }?.text ?? ""
    }

    /// Words of the system instruction and all contents, + 1.
    var promptTokens: Int {
        (self.contents ?? []).reduce(1 + TokenCount.words(self.systemInstruction?.text ?? "")) { $0 + TokenCount.words($1.text) }
    }

    /// A function is called when declarations are offered, the mode is not NONE and the last
    /// turn is the user's without function responses; ANY with `allowedFunctionNames` picks the
    /// first allowed one.
    var chosenTool: NativePlan.ChosenTool? {
        guard let first = self.functions.first, self.mode?.uppercased() != "NONE",
            let last = self.contents?.last, last.isUser, !last.parts.contains(where: \.isFunctionResponse)
        else { return nil }
        let allowed = self.allowedFunctionNames.lazy.compactMap { name in self.functions.first { $0.name == name } }.first
        let function = allowed ?? first
        return NativePlan.ChosenTool(name: function.name, required: function.required)
    }

    /// Gemini 3 rejects a replayed turn whose first `functionCall` part lost its `thoughtSignature`
    /// (`error-400-missing-thought-signature.json`); only turns after the last plain user message
    /// (the current turn) are checked, as the API does. Every model turn (step) there is checked,
    /// and only its first call: parallel calls after it never carry one.
    var lacksThoughtSignature: Bool {
        let contents = self.contents ?? []
        let start = (contents.lastIndex { $0.isUser && $0.hasText }).map { $0 + 1 } ?? 0
        return contents[start...].contains { content in
            guard !content.isUser, let call = content.parts.first(where: \.isFunctionCall) else { return false }
            return call.thoughtSignature?.isEmpty ?? true
        }
    }
}

struct GeminiContent: Decodable {
    var role: String?
    var parts: [GeminiPart]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        self.role = container.proto(String.self, "role")
        self.parts = container.proto([GeminiPart].self, "parts") ?? []
    }

    var isUser: Bool { self.role == nil || self.role == "user" }

    /// Text parts that are not thought summaries, joined by newlines.
    var text: String {
        self.parts.filter { $0.thought != true }.compactMap(\.text).joined(separator: "\n")
    }

    var hasText: Bool { self.parts.contains { $0.text != nil && $0.thought != true } }
}

struct GeminiPart: Decodable {
    var text: String?
    var thought: Bool?
    var thoughtSignature: String?
    var isFunctionCall: Bool
    var isFunctionResponse: Bool

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        self.text = container.proto(String.self, "text")
        self.thought = container.proto(Bool.self, "thought")
        self.thoughtSignature = container.proto(String.self, "thoughtSignature")
        self.isFunctionCall = container.has("functionCall")
        self.isFunctionResponse = container.has("functionResponse")
    }
}

/// A function declaration: its name and required parameters, from `parameters` (OpenAPI
/// subset) or `parametersJsonSchema` (plain JSON Schema).
struct GeminiFunction: Decodable {
    var name: String
    var required: [String]

    private struct Schema: Decodable {
        var required: [String]?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        self.name = container.proto(String.self, "name") ?? "function"
        let schema = container.proto(Schema.self, "parametersJsonSchema") ?? container.proto(Schema.self, "parameters")
        self.required = schema?.required ?? []
    }
}
