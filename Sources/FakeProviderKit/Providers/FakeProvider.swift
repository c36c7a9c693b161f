/// A provider the fake server imitates; the raw value is its URL path prefix.
///
/// The OpenAI family shares one wire format with per-provider quirks; `anthropic`, `gemini`,
/// `bedrock` and `cohere` speak their own native dialects (see `dialect`).
public enum FakeProvider: String, CaseIterable, Sendable {
    case openai
    case azureOpenAI = "azure-openai"
    case mistral
    case deepseek
    case qwen
    case groq
    case xai
    case together
    case fireworks
    case perplexity
    case openrouter
    case ollama
    case vllm
    case openaiCompatible = "openai-compatible"
    /// Anthropic Messages (`/v1/messages`).
    case anthropic
    /// Gemini Developer API (`/v1beta/models/{model}:generateContent`).
    case gemini
    /// AWS Bedrock Runtime Converse (`/model/{modelId}/converse`).
    case bedrock
    /// Cohere v2 chat (`/v2/chat`).
    case cohere

    /// The path a gateway's `base_url` should end with, relative to the server root, in the
    /// shape the real provider's base URL has: `/openai/v1`, `/perplexity` (no `/v1` there),
    /// `/azure-openai` (the resource root; the caller appends `/openai/deployments/…`),
    /// `/anthropic` (`https://api.anthropic.com`), `/gemini/v1beta`, `/bedrock`
    /// (`https://bedrock-runtime.{region}.amazonaws.com`), `/cohere` (`https://api.cohere.com`).
    ///
    /// - Parameter knobs: an optional knob segment such as `"latency=50,status=429"`.
    public func basePath(knobs: String? = nil) -> String {
        var path = "/" + self.rawValue
        if let knobs, !knobs.isEmpty {
            path += "/" + knobs
        }
        switch self {
        case .azureOpenAI, .perplexity, .anthropic, .bedrock, .cohere: return path
        case .gemini: return path + "/v1beta"
        default: return path + "/v1"
        }
    }

    /// The wire format family a provider speaks.
    public enum Dialect: Sendable {
        /// Chat Completions and friends, with the quirks in `FakeProvider+Traits.swift`.
        case openAI
        case anthropic
        case gemini
        case bedrock
        case cohere
    }

    public var dialect: Dialect {
        switch self {
        case .anthropic: return .anthropic
        case .gemini: return .gemini
        case .bedrock: return .bedrock
        case .cohere: return .cohere
        default: return .openAI
        }
    }
}
