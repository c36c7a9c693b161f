import DialectAnthropic
import SwitchyardConfig
import SwitchyardCore

/// Anthropic's Messages API: `x-api-key`, messages and token counting served with the client's bytes.
public struct AnthropicAdapter: ProviderAdapter {
    public init() {}

    public var dialect: Dialect { .anthropic }

    public func passthroughPath(_ operation: ProviderOperation) -> String? {
        switch operation {
        case .messages: return AnthropicCodec.messagesPath
        case .countTokens: return AnthropicCodec.countTokensPath
        case .chatCompletions, .completions, .embeddings: return nil
        }
    }

    /// Anthropic requires `max_tokens`; the catalog's output limit is the natural default.
    public func codec(maxOutputTokens: Int?) -> any ProviderCodec {
        AnthropicCodec(defaultMaxTokens: maxOutputTokens ?? AnthropicCodec.fallbackMaxTokens)
    }

    public func endpoint(_ provider: GatewayConfig.Provider, model: String, path: String) -> ProviderEndpoint {
        ProviderEndpoint(url: (provider.effectiveBaseURL ?? "") + path, provider: provider, auth: .header("x-api-key"))
    }
}
