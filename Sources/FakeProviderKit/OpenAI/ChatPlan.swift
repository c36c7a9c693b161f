#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// Everything a chat answer will say, decided once from the request so the JSON and the SSE
/// encoders tell the same story.
///
/// The text is `"Echo: <last user message>"` so tests can see their input arrived; token
/// counts are words (`TokenCount`): prompt = words in all messages + 1, completion = words of
/// the answer per choice (plus reasoning, except on xAI).
struct ChatPlan {
    let provider: FakeProvider
    let id: String
    let created: Int
    let model: String
    let choiceCount: Int
    let answer: Answer
    /// Reasoning text, for models whose name contains "reasoner" on providers that expose it.
    let reasoning: String?
    let usage: Usage
    let includeUsage: Bool
    let includeObfuscation: Bool
    let usageStyle: UsageStyle
    /// Groq's `x_groq.id` is the request id.
    let requestID: String

    enum Answer {
        /// The text split into the stream's content chunks; joined it is the message content.
        case text(pieces: [String])
        /// One call per choice (ids differ per choice), arguments streamed in fragments.
        case toolCall(ToolCall)
    }

    struct ToolCall {
        let name: String
        let arguments: String
        let fragments: [String]
        let ids: [String]
    }

    struct Usage {
        let prompt: Int
        /// Visible completion tokens over all choices.
        let answer: Int
        let reasoning: Int
        let completionIncludesReasoning: Bool

        var completion: Int { self.completionIncludesReasoning ? self.answer + self.reasoning : self.answer }
        var total: Int { self.prompt + self.answer + self.reasoning }
    }

    var finishReason: String {
        if case .toolCall = self.answer { return "tool_calls" }
        return "stop"
    }

    var content: String? {
        switch self.answer {
        case .text(let pieces): return pieces.joined()
        case .toolCall: return nil
        }
    }

    static let defaultChunks = 3

    /// - Parameters:
    ///   - model: the model to report (Azure: the deployment).
    init(
        request: ChatCompletionRequest,
        messages: [ChatMessage],
        model: String,
        provider: FakeProvider,
        knobs: Knobs,
        requestID: String,
        random: inout RandomIDs
    ) {
        let created = Int(Date().timeIntervalSince1970)
        self.provider = provider
        self.created = created
        self.id = provider.chatID(&random, created: created)
        self.model = model
        self.requestID = requestID
        self.choiceCount = max(request.n ?? 1, 1)
        self.includeUsage = request.streamOptions?.includeUsage ?? false
        self.includeObfuscation = provider.sendsObfuscation && (request.streamOptions?.includeObfuscation ?? true)
        self.usageStyle = knobs.usageStyle ?? provider.defaultUsageStyle

        let lastUserText = messages.last { $0.role == "user" }?.content?.text ?? ""
        let promptTokens = messages.reduce(1) { $0 + TokenCount.words($1.content?.text ?? "") }

        if provider.reasoningField != nil, model.lowercased().contains("reasoner") {
            self.reasoning = "The user wrote \(TokenCount.words(lastUserText)) words; echo them back."
        } else {
            self.reasoning = nil
        }
        let reasoningTokens = self.reasoning.map(TokenCount.words) ?? 0

        let answerTokens: Int
        if let tool = Self.chosenTool(request, lastRole: messages.last?.role) {
            let arguments = Self.arguments(required: tool.required, value: lastUserText)
            let ids = (0..<self.choiceCount).map { _ in provider.toolCallID(&random, index: 0) }
            self.answer = .toolCall(
                ToolCall(
                    name: tool.name ?? "tool",
                    arguments: arguments,
                    fragments: Self.split(arguments, into: min(3, arguments.count), padding: false),
                    ids: ids
                )
            )
            answerTokens = TokenCount.words(arguments) + 1
        } else {
            let text = "Echo: " + lastUserText
            let pieces = Self.split(text, into: knobs.chunks ?? Self.defaultChunks, padding: true)
            self.answer = .text(pieces: pieces)
            answerTokens = max(TokenCount.words(pieces.joined()), 1)
        }
        self.usage = Usage(
            prompt: promptTokens,
            answer: answerTokens * self.choiceCount,
            reasoning: reasoningTokens * self.choiceCount,
            completionIncludesReasoning: provider.completionTokensIncludeReasoning
        )
    }

    /// A tool call answers when tools are offered, the user spoke last and `tool_choice`
    /// is not `none`; a named `tool_choice` picks that tool, otherwise the first.
    private static func chosenTool(_ request: ChatCompletionRequest, lastRole: String?) -> ToolDefinition? {
        guard let tools = request.tools, !tools.isEmpty, lastRole == "user" else { return nil }
        switch request.toolChoice {
        case .disabled: return nil
        case .named(let name): return tools.first { $0.name == name } ?? tools[0]
        case .auto, nil: return tools[0]
        }
    }

    /// `{}` or `{"<required>":"<last user text>",…}`: valid JSON, deterministic, carries the input.
    private static func arguments(required: [String], value: String) -> String {
        var json = JSONWriter(capacity: 64)
        json.beginObject()
        for key in required {
            json.key(dynamic: key)
            json.string(value)
        }
        json.endObject()
        return String(buffer: json.buffer)
    }

    /// Splits text into `count` pieces of near-equal length (by characters, so mid-word like
    /// real tokens). With `padding`, text shorter than `count` is extended with " ok" so every
    /// requested chunk has content.
    static func split(_ text: String, into count: Int, padding: Bool) -> [String] {
        guard count > 1 else { return [text] }
        var characters = Array(text)
        if padding {
            while characters.count < count {
                characters.append(contentsOf: " ok")
            }
        }
        let total = characters.count
        return (0..<count).map { index in
            String(characters[(index * total / count)..<((index + 1) * total / count)])
        }
    }
}
