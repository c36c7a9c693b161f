/// The wire format a provider speaks.
public enum Dialect: String, Sendable, Hashable {
    case openai
    case anthropic
    case gemini
    case bedrock
    case cohere
}

/// How a provider expects its key.
public enum AuthStyle: Sendable, Hashable {
    /// `Authorization: Bearer <key>`.
    case bearer
    /// The key in a header of its own (`api-key` for Azure, `x-api-key` for Anthropic, `x-goog-api-key` for Gemini).
    case header(String)
}

/// What the gateway knows about one kind of provider: its dialect, default base URL, auth and quirks
/// (openai-compatible.md). Configured providers name a kind; several may share one (two vLLM servers).
public struct ProviderKind: Sendable, Hashable {
    public let name: String
    public let dialect: Dialect
    /// nil where the user must give one (Azure resources, self-hosted servers).
    public let defaultBaseURL: String?
    public let auth: AuthStyle
    /// The environment variable that enables this provider when the gateway starts without a config file.
    public let environmentKey: String?
    /// Whether requests fail without a key (local servers accept none).
    public let requiresKey: Bool
    public let usageFlavor: OpenAIUsage.Flavor
    /// Whether this build can send requests to it (dialect codec and upstream path implemented).
    public let isAvailable: Bool

    init(
        _ name: String, dialect: Dialect = .openai, baseURL: String?, auth: AuthStyle = .bearer, env: String?,
        requiresKey: Bool = true, usageFlavor: OpenAIUsage.Flavor = .standard, available: Bool = true
    ) {
        self.name = name
        self.dialect = dialect
        self.defaultBaseURL = baseURL
        self.auth = auth
        self.environmentKey = env
        self.requiresKey = requiresKey
        self.usageFlavor = usageFlavor
        self.isAvailable = available
    }

    public static let all: [ProviderKind] = [
        ProviderKind("openai", baseURL: "https://api.openai.com/v1", env: "OPENAI_API_KEY"),
        ProviderKind("azure-openai", baseURL: nil, auth: .header("api-key"), env: nil),
        ProviderKind("mistral", baseURL: "https://api.mistral.ai/v1", env: "MISTRAL_API_KEY"),
        ProviderKind("deepseek", baseURL: "https://api.deepseek.com", env: "DEEPSEEK_API_KEY"),
        ProviderKind(
            "qwen", baseURL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", env: "DASHSCOPE_API_KEY"),
        ProviderKind("groq", baseURL: "https://api.groq.com/openai/v1", env: "GROQ_API_KEY"),
        ProviderKind("xai", baseURL: "https://api.x.ai/v1", env: "XAI_API_KEY", usageFlavor: .reasoningExcluded),
        ProviderKind("together", baseURL: "https://api.together.xyz/v1", env: "TOGETHER_API_KEY"),
        ProviderKind("fireworks", baseURL: "https://api.fireworks.ai/inference/v1", env: "FIREWORKS_API_KEY"),
        ProviderKind("perplexity", baseURL: "https://api.perplexity.ai", env: "PERPLEXITY_API_KEY"),
        ProviderKind("openrouter", baseURL: "https://openrouter.ai/api/v1", env: "OPENROUTER_API_KEY"),
        ProviderKind("ollama", baseURL: "http://localhost:11434/v1", env: nil, requiresKey: false),
        ProviderKind("vllm", baseURL: "http://localhost:8000/v1", env: nil, requiresKey: false),
        ProviderKind("openai-compatible", baseURL: nil, env: nil, requiresKey: false),
        // Native dialects: configurable now, routable once their codecs land.
        ProviderKind(
            "anthropic", dialect: .anthropic, baseURL: "https://api.anthropic.com", auth: .header("x-api-key"),
            env: "ANTHROPIC_API_KEY"),
        ProviderKind(
            "gemini", dialect: .gemini, baseURL: "https://generativelanguage.googleapis.com/v1beta",
            auth: .header("x-goog-api-key"), env: "GEMINI_API_KEY"),
        ProviderKind("bedrock", dialect: .bedrock, baseURL: nil, env: nil),
        ProviderKind("cohere", dialect: .cohere, baseURL: "https://api.cohere.com", env: "COHERE_API_KEY"),
    ]

    static let byName: [String: ProviderKind] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func named(_ name: String) -> ProviderKind? { byName[name] }
}
