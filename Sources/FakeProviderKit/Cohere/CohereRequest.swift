// The parts of a Cohere v2 chat body the fake reacts to (`openai-compatible.md` §4): messages
// with roles system/user/assistant/tool, OpenAI-shaped tools, `tool_choice` REQUIRED|NONE.

struct CohereRequest: Decodable {
    var model: String?
    var messages: [CohereMessage]?
    var stream: Bool?
    /// Same shape as OpenAI's `{"type":"function","function":{name, parameters}}`.
    var tools: [ToolDefinition]?
    var toolChoice: String?
    var thinking: Thinking?

    struct Thinking: Decodable {
        var type: String?
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, tools, thinking
        case toolChoice = "tool_choice"
    }

    var thinks: Bool { self.thinking?.type == "enabled" }

    /// The last user message's text (tool messages skipped, as for the OpenAI fakes).
    var lastUserText: String {
        (self.messages ?? []).last { $0.role == "user" }?.content?.text ?? ""
    }

    /// Words of all messages (system included), + 1.
    var promptTokens: Int {
        (self.messages ?? []).reduce(1) { $0 + TokenCount.words($1.content?.text ?? "") }
    }

    /// A tool is called when tools are offered, `tool_choice` is not NONE and the user spoke last.
    var chosenTool: NativePlan.ChosenTool? {
        guard let tools = self.tools, let first = tools.first, self.toolChoice?.uppercased() != "NONE",
            self.messages?.last?.role == "user"
        else { return nil }
        return NativePlan.ChosenTool(name: first.name ?? "tool", required: first.required)
    }

    /// Cohere's 400 for nothing to answer (`error-400.json`): no messages, or a last user
    /// message without text.
    var isEmpty: Bool {
        guard let last = self.messages?.last else { return true }
        return last.role == "user" && (last.content?.text ?? "").isEmpty
    }
}

struct CohereMessage: Decodable {
    var role: String?
    /// A string or `[{type:"text",text}|{type:"document",…}]`; documents contribute no text.
    var content: MessageText?
}
