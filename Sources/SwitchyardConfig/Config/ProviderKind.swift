import SwitchyardCore
/// The wire format a provider speaks.
public enum Dialect: String, Sendable, Hashable {
    case openai
    case anthropic
    case gemini
    case bedrock
    case cohere
}

/// What configuration knows about one kind of provider: its name, the family (wire format) that serves
/// it, its default base URL and how it is enabled from the environment. How to reach it (URLs per
/// operation, auth, signing, codec, quirks) is its adapter's (SwitchyardProviders). Configured providers
/// name a kind; several may share one (two vLLM servers).
public struct ProviderKind: Sendable, Hashable {
    public let name: String
    public let dialect: Dialect
    /// nil where the user must give one (Azure resources, self-hosted servers).
    public let defaultBaseURL: String?
    /// The environment variable that enables this provider when the gateway starts without a config file.
    public let environmentKey: String?
    /// Whether requests fail without a key (local servers accept none).
    public let requiresKey: Bool

    init(
        _ name: String, dialect: Dialect = .openai, baseURL: String?, env: String?, requiresKey: Bool = true
    ) {
        self.name = name
        self.dialect = dialect
        self.defaultBaseURL = baseURL
        self.environmentKey = env
        self.requiresKey = requiresKey
    }

    public static let all: [ProviderKind] = [
        ProviderKind("openai", baseURL: "https://api.openai.com/v1", env: "OPENAI_API_KEY"),
        ProviderKind("azure-openai", baseURL: nil, env: nil),
        ProviderKind("mistral", baseURL: "https://api.mistral.ai/v1", env: "MISTRAL_API_KEY"),
        ProviderKind("deepseek", baseURL: "https://api.deepseek.com", env: "DEEPSEEK_API_KEY"),
        ProviderKind(
            "qwen", baseURL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1", env: "DASHSCOPE_API_KEY"),
        ProviderKind("groq", baseURL: "https://api.groq.com/openai/v1", env: "GROQ_API_KEY"),
        ProviderKind("xai", baseURL: "https://api.x.ai/v1", env: "XAI_API_KEY"),
        ProviderKind("together", baseURL: "https://api.together.xyz/v1", env: "TOGETHER_API_KEY"),
        ProviderKind("fireworks", baseURL: "https://api.fireworks.ai/inference/v1", env: "FIREWORKS_API_KEY"),
        ProviderKind("perplexity", baseURL: "https://api.perplexity.ai", env: "PERPLEXITY_API_KEY"),
        ProviderKind("openrouter", baseURL: "https://openrouter.ai/api/v1", env: "OPENROUTER_API_KEY"),
        ProviderKind("ollama", baseURL: "http://localhost:11434/v1", env: nil, requiresKey: false),
        ProviderKind("vllm", baseURL: "http://localhost:8000/v1", env: nil, requiresKey: false),
        ProviderKind("openai-compatible", baseURL: nil, env: nil, requiresKey: false),
        // Native wire formats, each with an adapter of its own.
        ProviderKind(
            "anthropic", dialect: .anthropic, baseURL: "https://api.anthropic.com",
            env: "ANTHROPIC_API_KEY"),
        ProviderKind(
            "gemini", dialect: .gemini, baseURL: "https://generativelanguage.googleapis.com/v1beta", env: "GEMINI_API_KEY"),
        ProviderKind("bedrock", dialect: .bedrock, baseURL: nil, env: nil),
        ProviderKind("cohere", dialect: .cohere, baseURL: "https://api.cohere.com", env: "COHERE_API_KEY"),
    ]

    static let byName: [String: ProviderKind] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    public static func named(_ name: String) -> ProviderKind? { byName[name] }
}
