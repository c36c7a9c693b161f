/// The per-provider differences, read off the fixtures in `shared/fixtures/providers/<name>/`
/// and `docs/providers/openai-compatible.md`. Everything that varies by provider is a property
/// here, so the encoders only ask questions and never switch on provider names themselves.
extension FakeProvider {
    enum Authentication {
        /// `Authorization: Bearer <non-empty>` required.
        case bearer
        /// Azure: `api-key: <key>` required.
        case apiKeyHeader
        /// Ollama and vLLM run without keys unless configured; any or none is accepted.
        case optional
    }

    var authentication: Authentication {
        switch self {
        case .azureOpenAI: return .apiKeyHeader
        case .ollama, .vllm: return .optional
        default: return .bearer
        }
    }

    /// A JSON scalar that is either left out, `null`, or a string — fixtures differ on all three.
    enum OptionalField {
        case absent
        case null
        case value(String)
    }

    var systemFingerprint: OptionalField {
        switch self {
        case .openai, .openaiCompatible: return .value("fp_7a4b329686")
        case .azureOpenAI: return .value("fp_eb947bccd0")
        case .deepseek: return .value("fp_29fa6b669d")
        case .groq: return .value("fp_3f3b593e33")
        case .xai: return .value("fp_627f93f259")
        case .fireworks: return .value("fp_fireworks")
        case .ollama: return .value("fp_ollama")
        case .qwen, .openrouter, .vllm: return .null
        // Native dialects never reach the OpenAI-family encoders.
        case .mistral, .together, .perplexity, .anthropic, .gemini, .bedrock, .cohere: return .absent
        }
    }

    var serviceTier: OptionalField {
        switch self {
        case .openai, .openaiCompatible: return .value("default")
        case .groq: return .value("on_demand")
        case .vllm: return .null
        default: return .absent
        }
    }

    /// Chat completion id, e.g. `chatcmpl-` + 29 alphanumerics for OpenAI.
    func chatID(_ random: inout RandomIDs, created: Int) -> String {
        switch self {
        case .openai, .azureOpenAI, .openaiCompatible, .fireworks: return "chatcmpl-" + random.alphanumeric(29)
        case .deepseek, .xai, .perplexity: return random.uuid()
        case .mistral: return random.hex(32)
        case .groq, .qwen: return "chatcmpl-" + random.uuid()
        case .together: return random.hex(16) + "-IAD"
        case .openrouter: return "gen-\(created)-" + random.alphanumeric(20)
        case .ollama: return "chatcmpl-" + String(random.next() % 1000)
        case .vllm: return "chatcmpl-" + random.hex(32)
        case .anthropic, .gemini, .bedrock, .cohere: return random.uuid()
        }
    }

    /// Tool-call id: Mistral insists on exactly 9 alphanumerics, DeepSeek numbers its calls.
    func toolCallID(_ random: inout RandomIDs, index: Int) -> String {
        switch self {
        case .mistral: return random.alphanumeric(9)
        case .deepseek: return "call_0\(index)_" + random.alphanumeric(24)
        default: return "call_" + random.alphanumeric(24)
        }
    }

    /// Field carrying reasoning text, for models whose name contains "reasoner"; nil when the
    /// provider's chat API has none (OpenAI hides it, Mistral uses content arrays, Perplexity
    /// mixes it into content).
    var reasoningField: StaticString? {
        switch self {
        case .deepseek, .qwen, .xai, .fireworks: return "reasoning_content"
        case .groq, .openrouter, .ollama, .vllm, .together: return "reasoning"
        case .openai, .azureOpenAI, .openaiCompatible, .mistral, .perplexity, .anthropic, .gemini, .bedrock, .cohere: return nil
        }
    }

    /// xAI reports `completion_tokens` without the reasoning tokens (total = prompt + completion + reasoning).
    var completionTokensIncludeReasoning: Bool { self != .xai }

    var defaultUsageStyle: UsageStyle {
        switch self {
        case .deepseek, .mistral, .together, .perplexity: return .finish
        case .groq: return .xGroq
        default: return .separate
        }
    }

    /// Whether stream chunks carry `"usage": null` while usage is still to come.
    var nullUsageOnChunks: Bool {
        switch self {
        case .openai, .azureOpenAI, .openaiCompatible, .qwen, .xai, .fireworks, .together: return true
        default: return false
        }
    }

    /// Choices carry `"logprobs": null` (Mistral, xAI, Ollama and Perplexity leave it out).
    var choiceHasLogprobs: Bool {
        switch self {
        case .mistral, .xai, .ollama, .perplexity: return false
        default: return true
        }
    }

    /// OpenAI's `obfuscation` padding on stream chunks (Azure passes it through).
    var sendsObfuscation: Bool { self == .openai || self == .azureOpenAI }

    var streamContentType: String {
        self == .openai || self == .openaiCompatible ? "text/event-stream; charset=utf-8" : "text/event-stream"
    }

    /// SSE comment lines some providers send before the first event (keep-alives while queued).
    var streamPreamble: StaticString? {
        switch self {
        case .openrouter: return ": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n"
        case .deepseek: return ": keep-alive\n\n"
        default: return nil
        }
    }

    /// How stream deltas are spelled; see `ChatStreamEncoder`.
    enum StreamDialect {
        /// Role chunk `{"role","content":"","refusal":null}`, then `{"content"}`, finish `{}`.
        case openai
        /// DeepSeek/Qwen: `content` and `reasoning_content` side by side, the idle one `null`.
        case reasoningContent
        /// Role chunk without refusal; finish delta `{"content":""}`; tool calls in one piece.
        case mistral
        /// Role chunk without refusal; finish delta `{}` (Groq, vLLM).
        case plain
        /// No role chunk; every delta has `token_id`, `role`, `tool_calls: null`; choice `text`; finish `eos`.
        case together
        /// No role chunk; `object: "chat.completion"`; choices hold `message` (text so far) and `delta`.
        case perplexity
        /// Every delta repeats `role` (OpenRouter, Ollama).
        case roleOnEveryDelta
    }

    var streamDialect: StreamDialect {
        switch self {
        case .openai, .azureOpenAI, .openaiCompatible, .xai, .fireworks: return .openai
        case .deepseek, .qwen: return .reasoningContent
        case .mistral: return .mistral
        case .groq, .vllm: return .plain
        case .together: return .together
        case .perplexity: return .perplexity
        case .openrouter, .ollama: return .roleOnEveryDelta
        case .anthropic, .gemini, .bedrock, .cohere: return .plain
        }
    }

    /// Which optional keys a non-streamed `message` carries.
    enum MessageStyle {
        /// `refusal: null, annotations: []` (OpenAI, Azure).
        case openai
        /// `refusal: null` only (xAI, OpenRouter).
        case refusal
        /// `tool_calls` always present (null without calls) — Mistral.
        case mistral
        /// vLLM's full pydantic dump: refusal, annotations, audio, function_call null; tool_calls [].
        case vllm
        /// Just role and content (+ reasoning / tool calls).
        case plain
    }

    var messageStyle: MessageStyle {
        switch self {
        case .openai, .azureOpenAI, .openaiCompatible, .fireworks: return .openai
        case .xai, .openrouter: return .refusal
        case .mistral: return .mistral
        case .vllm: return .vllm
        case .deepseek, .qwen, .groq, .together, .perplexity, .ollama, .anthropic, .gemini, .bedrock, .cohere: return .plain
        }
    }

    /// Model ids listed by `GET /v1/models` (from the provider directory).
    var modelIDs: [String] {
        switch self {
        case .openai, .openaiCompatible: return ["gpt-4.1", "gpt-4o-mini", "gpt-5-mini", "text-embedding-3-small"]
        case .azureOpenAI: return ["gpt-4o", "gpt-5-mini", "text-embedding-3-small"]
        case .mistral: return ["mistral-large-latest", "mistral-medium-latest", "mistral-small-latest", "mistral-embed"]
        case .deepseek: return ["deepseek-chat", "deepseek-reasoner", "deepseek-v4-flash", "deepseek-v4-pro"]
        case .qwen: return ["qwen-plus", "qwen-max", "qwen-flash", "qwen3-max"]
        case .groq: return ["llama-3.3-70b-versatile", "llama-3.1-8b-instant", "openai/gpt-oss-120b"]
        case .xai: return ["grok-4", "grok-3-mini", "grok-code-fast-1"]
        case .together: return ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "deepseek-ai/DeepSeek-V3"]
        case .fireworks: return ["accounts/fireworks/models/deepseek-v3p1", "accounts/fireworks/models/gpt-oss-120b"]
        case .perplexity: return ["sonar", "sonar-pro", "sonar-reasoning-pro"]
        case .openrouter: return ["openai/gpt-5-mini", "anthropic/claude-sonnet-4.6", "openrouter/auto"]
        case .ollama: return ["llama3.2", "qwen3:8b", "gpt-oss:20b"]
        case .vllm: return ["Qwen/Qwen3-8B"]
        // Native dialects list their models from their own fixtures (`NativeModels`).
        case .anthropic, .gemini, .bedrock, .cohere: return []
        }
    }

    /// `owned_by` in the models list.
    var modelOwner: String {
        switch self {
        case .openai, .openaiCompatible, .azureOpenAI: return "system"
        default: return self.rawValue
        }
    }
}
