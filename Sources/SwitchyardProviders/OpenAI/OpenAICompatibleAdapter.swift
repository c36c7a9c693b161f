import DialectOpenAI
import SwitchyardConfig
import SwitchyardCore

/// OpenAI and every provider that speaks its Chat Completions API (openai-compatible.md): base URL plus
/// the operation's path, `Authorization: Bearer`.
public struct OpenAICompatibleAdapter: ProviderAdapter {
    /// How the provider counts reasoning tokens in `usage` (xAI leaves them out of `completion_tokens`).
    public let usageFlavor: OpenAIUsage.Flavor

    public init(kind: ProviderKind) {
        usageFlavor = kind.name == "xai" ? .reasoningExcluded : .standard
    }

    public var dialect: Dialect { .openai }

    public func passthroughPath(_ operation: ProviderOperation) -> String? {
        Self.openAIPath(operation)
    }

    /// The OpenAI API's path for an operation (shared with Azure's).
    static func openAIPath(_ operation: ProviderOperation) -> String? {
        switch operation {
        case .chatCompletions: return "/chat/completions"
        case .completions: return "/completions"
        case .embeddings: return "/embeddings"
        case .messages, .countTokens: return nil
        }
    }

    public func codec(maxOutputTokens: Int?) -> any ProviderCodec { OpenAIChatCodec(usageFlavor: usageFlavor) }

    public func endpoint(_ provider: GatewayConfig.Provider, model: String, path: String) -> ProviderEndpoint {
        ProviderEndpoint(url: (provider.effectiveBaseURL ?? "") + path, provider: provider, auth: .bearer)
    }
}
