/// An OpenAI-family provider the fake server imitates; the raw value is its URL path prefix.
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

    /// The path a gateway's `base_url` should end with, relative to the server root, in the
    /// shape the real provider's base URL has: `/openai/v1`, `/perplexity` (no `/v1` there),
    /// `/azure-openai` (the resource root; the caller appends `/openai/deployments/…`).
    ///
    /// - Parameter knobs: an optional knob segment such as `"latency=50,status=429"`.
    public func basePath(knobs: String? = nil) -> String {
        var path = "/" + self.rawValue
        if let knobs, !knobs.isEmpty {
            path += "/" + knobs
        }
        switch self {
        case .azureOpenAI, .perplexity: return path
        default: return path + "/v1"
        }
    }
}
