// The parts of a Bedrock Converse body the fake reacts to (`bedrock.md` §2). Liberal like the
// other fakes, except for the rules the real API enforces and gateways get wrong: strict
// user/assistant alternation starting with user, non-empty content, and `toolConfig` whenever
// the history holds tool blocks.

struct ConverseRequest: Decodable {
    var messages: [ConverseMessage]?
    var system: [ConverseBlock]?
    var toolConfig: ToolConfig?
    var additionalModelRequestFields: AdditionalFields?

    struct ToolConfig: Decodable {
        var tools: [Tool]?
        var toolChoice: ToolChoice?
    }

    struct Tool: Decodable {
        var toolSpec: ToolSpec?
    }

    struct ToolSpec: Decodable {
        var name: String?
        var inputSchema: InputSchema?
    }

    struct InputSchema: Decodable {
        var json: Schema?
    }

    struct Schema: Decodable {
        var required: [String]?
    }

    /// `{auto:{}} | {any:{}} | {tool:{name}}`.
    struct ToolChoice: Decodable {
        var tool: Named?

        struct Named: Decodable {
            var name: String?
        }
    }

    /// Model-native extras; Anthropic models take `thinking` here.
    struct AdditionalFields: Decodable {
        var thinking: Thinking?

        struct Thinking: Decodable {
            var type: String?
        }
    }

    var thinks: Bool {
        let type = self.additionalModelRequestFields?.thinking?.type
        return type == "enabled" || type == "adaptive"
    }

    /// The text of the last user message that has text (tool results skipped).
    var lastUserText: String {
        (self.messages ?? []).last { $0.role == "user" && $0.hasText }?.text ?? ""
    }

    /// Words of the system blocks and all messages, + 1.
    var promptTokens: Int {
        let system = (self.system ?? []).compactMap(\.text).joined(separator: "\n")
        return (self.messages ?? []).reduce(1 + TokenCount.words(system)) { $0 + TokenCount.words($1.text) }
    }

    /// A tool is used when tools are configured and the last message is a user turn without tool results.
    var chosenTool: NativePlan.ChosenTool? {
        let specs = (self.toolConfig?.tools ?? []).compactMap(\.toolSpec)
        guard let first = specs.first, let last = self.messages?.last, last.role == "user",
            !last.content.contains(where: \.isToolResult)
        else { return nil }
        let named = self.toolConfig?.toolChoice?.tool?.name
        let spec = specs.first { $0.name == named } ?? first
        return NativePlan.ChosenTool(name: spec.name ?? "tool", required: spec.inputSchema?.json?.required ?? [])
    }

    /// The `ValidationException` message the real API answers for a malformed conversation, or nil.
    var validationFailure: String? {
        guard let messages = self.messages else {
            return "1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null"
        }
        guard let first = messages.first, first.role == "user" else {
            return "A conversation must start with a user message. Try again with a conversation that starts with a user message."
        }
        var usesTools = false
        for (index, message) in messages.enumerated() {
            guard message.role == "user" || message.role == "assistant" else {
                return "1 validation error detected: Value '\(message.role ?? "null")' at 'messages.\(index + 1).member.role' "
                    + "failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]"
            }
            if index > 0, messages[index - 1].role == message.role {
                return "A conversation must alternate between user and assistant roles. "
                    + "Make sure the conversation alternates between user and assistant roles and try again."
            }
            if message.content.isEmpty {
                return "The content field in the Message object at messages.\(index) is empty. "
                    + "Add a ContentBlock object to the content field and try again."
            }
            usesTools = usesTools || message.content.contains { $0.isToolUse || $0.isToolResult }
        }
        if usesTools, self.toolConfig == nil {
            return "The toolConfig field must be defined when using toolUse and toolResult content blocks."
        }
        return nil
    }
}

struct ConverseMessage: Decodable {
    var role: String?
    var content: [ConverseBlock]

    enum CodingKeys: String, CodingKey { case role, content }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.role = try? container.decodeIfPresent(String.self, forKey: .role)
        self.content = (try? container.decodeIfPresent([ConverseBlock].self, forKey: .content)) ?? []
    }

    var text: String { self.content.compactMap(\.text).joined(separator: "\n") }
    var hasText: Bool { self.content.contains { $0.text != nil } }
}

/// A content block: a union with exactly one member; only the ones the fake looks at are read.
struct ConverseBlock: Decodable {
    var text: String?
    var isToolUse: Bool
    var isToolResult: Bool

    enum CodingKeys: String, CodingKey { case text, toolUse, toolResult }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.text = try? container.decodeIfPresent(String.self, forKey: .text)
        self.isToolUse = container.contains(.toolUse)
        self.isToolResult = container.contains(.toolResult)
    }
}
