import DialectCohere
import SwitchyardConfig
import SwitchyardCore

/// Cohere's v2 Chat API: `Authorization: Bearer`.
public struct CohereAdapter: ProviderAdapter {
    public init() {}

    public var dialect: Dialect { .cohere }

    public func passthroughPath(_ operation: ProviderOperation) -> String? { nil }

    public func codec(maxOutputTokens: Int?) -> any ProviderCodec { CohereCodec() }

    public func endpoint(_ provider: GatewayConfig.Provider, model: String, path: String) -> ProviderEndpoint {
        ProviderEndpoint(url: (provider.effectiveBaseURL ?? "") + path, provider: provider, auth: .bearer)
    }
}
