public enum FinishReason: Sendable, Hashable {
    case stop
    case stopSequence
    case length
    case contextWindow
    case toolCalls
    case contentFilter
    case pause
    /// The model produced unusable output; `native` is the provider's own value.
    case error(native: String)
    /// A value not in the table, kept as sent.
    case other(String)
}

/// Token counts in canonical terms (mapping.md §2): `input` excludes cached tokens, `output` excludes reasoning.
public struct Usage: Sendable, Hashable {
    public private(set) var input: Int
    public private(set) var output: Int
    public private(set) var cacheRead: Int
    public private(set) var cacheWrite: Int
    /// The part of `cacheWrite` cached for an hour (Anthropic's `ephemeral_1h_input_tokens`), priced apart
    /// from five-minute writes.
    public private(set) var cacheWrite1h: Int
    public private(set) var reasoning: Int

    /// Token counts come from providers (external input): each is clamped to `0...maxTokens`, so sums never
    /// overflow and a negative count is never priced (a provider's `9223372036854775807` or `-5` included).
    public static let maxTokens = 1 << 40

    public init(
        input: Int = 0, output: Int = 0, cacheRead: Int = 0, cacheWrite: Int = 0, reasoning: Int = 0, cacheWrite1h: Int = 0
    ) {
        self.input = Self.clamp(input)
        self.output = Self.clamp(output)
        self.cacheRead = Self.clamp(cacheRead)
        self.cacheWrite = Self.clamp(cacheWrite)
        self.cacheWrite1h = min(Self.clamp(cacheWrite1h), self.cacheWrite)
        self.reasoning = Self.clamp(reasoning)
    }

    public static func clamp(_ count: Int) -> Int { min(max(count, 0), maxTokens) }

    public var totalInput: Int { input + cacheRead + cacheWrite }
    public var totalOutput: Int { output + reasoning }
    public var total: Int { totalInput + totalOutput }
}

public struct Choice: Sendable, Hashable {
    public var index: Int
    public var message: Message
    public var finishReason: FinishReason?
    /// The stop sequence that ended the answer, when the provider says which.
    public var stopSequence: String?
    public var extra: [String: JSONValue] = [:]

    public init(index: Int, message: Message, finishReason: FinishReason?) {
        self.index = index
        self.message = message
        self.finishReason = finishReason
    }
}

public struct ChatResponse: Sendable, Hashable {
    public var id: String
    public var model: String
    public var created: Int
    public var choices: [Choice]
    public var usage: Usage?
    public var extra: [String: JSONValue] = [:]

    public init(id: String, model: String, created: Int, choices: [Choice], usage: Usage?) {
        self.id = id
        self.model = model
        self.created = created
        self.choices = choices
        self.usage = usage
    }
}

/// One step of a streamed answer. `choice` is the choice index (0 for providers with one answer);
/// tool call `index` counts the calls of that choice from 0. `.usage` events are cumulative snapshots:
/// the last one wins. A stream ends with `.finish` (then possibly `.usage`), or with `.error`.
public enum StreamEvent: Sendable, Hashable {
    case start(id: String, model: String, created: Int)
    case roleStart(choice: Int)
    case textDelta(choice: Int, text: String)
    case reasoningDelta(choice: Int, text: String)
    case reasoningSignature(choice: Int, signature: String)
    case toolCallStart(choice: Int, index: Int, id: String, name: String)
    /// A signature bound to a tool call (Gemini `thoughtSignature` on a `functionCall` part).
    case toolCallSignature(choice: Int, index: Int, signature: String)
    case toolCallArgumentsDelta(choice: Int, index: Int, fragment: String)
    case refusalDelta(choice: Int, text: String)
    case finish(choice: Int, reason: FinishReason)
    case usage(Usage)
    case error(GatewayError)
}
