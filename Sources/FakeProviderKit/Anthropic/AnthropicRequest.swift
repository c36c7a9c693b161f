// The parts of an Anthropic Messages body the fake reacts to (`anthropic.md` §2). Decoding is
// liberal: unknown fields are ignored and odd content shapes degrade to empty text.

struct AnthropicRequest: Decodable {
    var model: String?
    var maxTokens: Int?
    var messages: [AnthropicMessage]?
    var system: AnthropicContent?
    var stream: Bool?
    var tools: [AnthropicTool]?
    var toolChoice: AnthropicToolChoice?
    var thinking: AnthropicThinking?
    /// Sampling parameters, removed in API version `2026-10-21`: which of them were sent.
    var samplingParameters: [String]

    enum CodingKeys: String, CodingKey {
        case model, messages, system, stream, tools, thinking
        case maxTokens = "max_tokens"
        case toolChoice = "tool_choice"
        case temperature
        case topP = "top_p"
        case topK = "top_k"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.model = try container.decodeIfPresent(String.self, forKey: .model)
        self.maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        self.messages = try container.decodeIfPresent([AnthropicMessage].self, forKey: .messages)
        self.system = try container.decodeIfPresent(AnthropicContent.self, forKey: .system)
        self.stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        self.tools = try container.decodeIfPresent([AnthropicTool].self, forKey: .tools)
        self.toolChoice = try container.decodeIfPresent(AnthropicToolChoice.self, forKey: .toolChoice)
        self.thinking = try container.decodeIfPresent(AnthropicThinking.self, forKey: .thinking)
        // `contains` is true for an explicit `null` too, which the API rejects just the same.
        self.samplingParameters = [(CodingKeys.temperature, "temperature"), (.topP, "top_p"), (.topK, "top_k")]
            .filter { container.contains($0.0) }
            .map(\.1)
    }

    /// Thinking is on for `enabled` (budget) and `adaptive`.
    var thinks: Bool {
        self.thinking?.type == "enabled" || self.thinking?.type == "adaptive"
    }

    /// With thinking on, the API requires the final assistant turn of a tool loop (the one whose `tool_use`
    /// blocks the last user turn answers) to start with its thinking block, replayed unchanged (anthropic.md,
    /// extended thinking with tool use): true when a client dropped it.
    var toolLoopLacksThinking: Bool {
        guard self.thinks, let messages = self.messages, let last = messages.last, last.role == "user",
            last.content?.hasToolResult == true,
            let assistant = messages.last(where: { $0.role == "assistant" }), assistant.content?.hasToolUse == true
        else { return false }
        let first = assistant.content?.firstBlockType
        return first != "thinking" && first != "redacted_thinking"
    }

    /// The text of the last user turn that has any (a turn of only tool results is skipped,
    /// as the OpenAI fakes skip `tool` messages).
    var lastUserText: String {
        self.messages?.last { $0.role == "user" && $0.content?.hasText == true }?.content?.text ?? ""
    }

    /// Words of the system prompt and all messages, + 1.
    var promptTokens: Int {
        (self.messages ?? []).reduce(1 + TokenCount.words(self.system?.text ?? "")) { $0 + TokenCount.words($1.content?.text ?? "") }
    }

    /// A tool is called when tools are offered, `tool_choice` is not `none` and the last
    /// message is a user turn that does not answer an earlier call.
    var chosenTool: NativePlan.ChosenTool? {
        guard let tools = self.tools?.filter({ $0.name != nil }), let first = tools.first,
            let last = self.messages?.last, last.role == "user", last.content?.hasToolResult != true
        else { return nil }
        let tool: AnthropicTool
        switch self.toolChoice?.type {
        case "none": return nil
        case "tool": tool = tools.first { $0.name == self.toolChoice?.name } ?? first
        default: tool = first
        }
        return NativePlan.ChosenTool(name: tool.name ?? "tool", required: tool.required)
    }
}

struct AnthropicMessage: Decodable {
    var role: String?
    var content: AnthropicContent?
}

/// A string, or content blocks: text blocks joined by newlines; whether a `tool_result` is among them.
struct AnthropicContent: Decodable {
    var text: String
    var hasText: Bool
    var hasToolResult: Bool
    var hasToolUse = false
    /// The first block's type (`thinking`, `redacted_thinking`, `text`, `tool_use`, …); nil for a string.
    var firstBlockType: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            self.text = string
            self.hasText = true
            self.hasToolResult = false
        } else if let blocks = try? container.decode([Block].self) {
            let texts = blocks.filter { $0.type == "text" }.compactMap(\.text)
            self.text = texts.joined(separator: "\n")
            self.hasText = !texts.isEmpty
            self.hasToolResult = blocks.contains { $0.type == "tool_result" }
            self.hasToolUse = blocks.contains { $0.type == "tool_use" }
            self.firstBlockType = blocks.first?.type
        } else {
            self.text = ""
            self.hasText = false
            self.hasToolResult = false
        }
    }

    struct Block: Decodable {
        var type: String?
        var text: String?
    }
}

/// A client tool: its name and the required properties of its `input_schema`.
struct AnthropicTool: Decodable {
    var name: String?
    var required: [String]

    enum CodingKeys: String, CodingKey {
        case name
        case inputSchema = "input_schema"
    }

    enum SchemaKeys: String, CodingKey { case required }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try? container.decodeIfPresent(String.self, forKey: .name)
        let schema = try? container.nestedContainer(keyedBy: SchemaKeys.self, forKey: .inputSchema)
        self.required = (try? schema?.decodeIfPresent([String].self, forKey: .required)) ?? []
    }
}

/// `{"type":"auto"|"any"|"tool"|"none","name"?}`.
struct AnthropicToolChoice: Decodable {
    var type: String?
    var name: String?
}

struct AnthropicThinking: Decodable {
    var type: String?
}
