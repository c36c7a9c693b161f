/// A chat request in the gateway's own terms, independent of any wire format.
public struct ChatRequest: Sendable, Hashable {
    public var model: String
    public var messages: [Message]
    public var tools: [ToolDefinition] = []
    public var toolChoice: ToolChoice?
    public var parallelToolCalls: Bool?
    public var maxOutputTokens: Int?
    public var temperature: Double?
    public var topP: Double?
    public var stop: [String] = []
    public var seed: Int?
    public var choiceCount: Int?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var responseFormat: ResponseFormat?
    public var topK: Int?
    /// `none|minimal|low|medium|high|xhigh|max`, as OpenAI names it; codecs map it to the provider's control.
    public var reasoningEffort: String?
    /// An explicit thinking budget in tokens (Anthropic `budget_tokens`, Gemini `thinkingBudget`).
    public var reasoningBudget: Int?
    public var user: String?
    public var stream: Bool = false
    /// The client asked for token usage at the end of a stream.
    public var includeUsage: Bool = false
    /// Fields of the inbound dialect with no canonical meaning (`logit_bias`, vendor extensions, …).
    /// They travel unchanged to providers of the same dialect and are dropped for others.
    public var extra: [String: JSONValue] = [:]

    public init(model: String, messages: [Message]) {
        self.model = model
        self.messages = messages
    }
}

public enum ToolChoice: Sendable, Hashable {
    case auto
    case none
    case required
    case function(name: String)
}

public enum ResponseFormat: Sendable, Hashable {
    case text
    case jsonObject
    case jsonSchema(name: String, schema: JSONValue, strict: Bool?, description: String?)
}

/// A function the model may call.
public struct ToolDefinition: Sendable, Hashable {
    public var name: String
    public var description: String?
    /// JSON Schema of the arguments.
    public var parameters: JSONValue?
    public var strict: Bool?

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }
}

/// A call the model made. `arguments` is the JSON text exactly as produced, never re-serialised.
public struct ToolCall: Sendable, Hashable {
    public var id: String
    public var name: String
    public var arguments: String
    /// A provider signature bound to this call that must be replayed with it (Gemini `thoughtSignature`).
    public var signature: String?

    public init(id: String, name: String, arguments: String, signature: String? = nil) {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.signature = signature
    }
}
