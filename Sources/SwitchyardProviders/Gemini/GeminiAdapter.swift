import DialectGemini
import SwitchyardConfig
import SwitchyardCore

/// Google's Gemini API: `x-goog-api-key`; the codec puts the model and the method in the path.
public struct GeminiAdapter: ProviderAdapter {
    public init() {}

    public var dialect: Dialect { .gemini }

    public func passthroughPath(_ operation: ProviderOperation) -> String? { nil }

    public func codec(maxOutputTokens: Int?) -> any ProviderCodec { GeminiCodec() }

    public func endpoint(_ provider: GatewayConfig.Provider, model: String, path: String) -> ProviderEndpoint {
        ProviderEndpoint(
            url: (provider.effectiveBaseURL ?? "") + path, provider: provider, auth: .header("x-goog-api-key"))
    }
}
