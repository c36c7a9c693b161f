public enum Role: String, Sendable, Hashable {
    case system
    /// OpenAI's newer name for a system message; kept apart so an OpenAI round trip is exact.
    case developer
    case user
    case assistant
    case tool
}

public struct Message: Sendable, Hashable {
    public var role: Role
    public var content: [ContentPart]
    /// True when the sender gave content as a plain string rather than parts; encoders may honour it.
    public var contentWasText: Bool
    public var name: String?
    public var toolCalls: [ToolCall] = []
    /// For `role == .tool`: which call this answers.
    public var toolCallId: String?
    /// For `role == .tool`: the tool reported a failure (Anthropic `is_error`, Bedrock `status: error`).
    public var toolResultIsError: Bool?
    public var reasoning: [ReasoningBlock] = []
    public var refusal: String?
    /// Message fields of the inbound dialect with no canonical meaning.
    public var extra: [String: JSONValue] = [:]

    public init(role: Role, content: [ContentPart], contentWasText: Bool = false) {
        self.role = role
        self.content = content
        self.contentWasText = contentWasText
    }

    public static func text(_ role: Role, _ text: String) -> Message {
        Message(role: role, content: [.text(text)], contentWasText: true)
    }

    /// All text parts joined; what providers with string-only content receive.
    public var text: String {
        content.compactMap { if case .text(let t) = $0 { return t } else { return nil } }.joined()
    }
}

public enum ContentPart: Sendable, Hashable {
    case text(String)
    /// An image by URL or `data:` URI; `detail` is OpenAI's resolution hint.
    case image(url: String, detail: String?)
    case audio(data: String, format: String)
    /// A file by inline data (`data:` URI) or by provider file id.
    case file(data: String?, fileId: String?, filename: String?)
    /// A part type the canonical model does not know, kept verbatim for same-dialect providers.
    case other(JSONValue)
}

/// Model reasoning: visible text with an optional signature, or an opaque redacted blob.
/// Order within `Message.reasoning` is the order the provider produced them.
public enum ReasoningBlock: Sendable, Hashable {
    case text(String, signature: String?)
    case redacted(data: String)
}
