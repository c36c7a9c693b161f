import SwitchyardConfig
import SwitchyardCore

/// What a client asks for, as an operation a provider may serve with the client's own bytes.
public enum ProviderOperation: Sendable, Hashable {
    /// OpenAI `POST /chat/completions`, `/completions`, `/embeddings`.
    case chatCompletions, completions, embeddings
    /// Anthropic `POST /v1/messages` and `/v1/messages/count_tokens`.
    case messages, countTokens
}

/// Everything the gateway knows about reaching one family of providers (DESIGN.md "Providers"): the wire
/// format it speaks, the path of each operation it serves, its auth and request signing, and the codec
/// requests from another dialect are translated with. One folder per family; adding a provider means
/// copying one of them and naming it in `ProviderAdapters`.
public protocol ProviderAdapter: Sendable {
    /// The wire format it speaks: a client speaking the same one has its own bytes forwarded.
    var dialect: Dialect { get }
    /// Where `operation` is served with the client's bytes, below the base URL; nil when it is not.
    func passthroughPath(_ operation: ProviderOperation) -> String?
    /// The codec for requests translated from another dialect, also used to read same-dialect answers.
    /// - Parameter maxOutputTokens: the catalog's output limit, for wire formats that require one.
    func codec(maxOutputTokens: Int?) -> any ProviderCodec
    /// The URL and headers (auth included) for a call to `path` below the provider's base URL.
    func endpoint(_ provider: GatewayConfig.Provider, model: String, path: String) -> ProviderEndpoint
    /// The endpoint with whatever must be computed over the final body (Bedrock's SigV4 signature).
    func sign(_ endpoint: ProviderEndpoint, body: [UInt8], provider: GatewayConfig.Provider) throws(GatewayError)
        -> ProviderEndpoint
}

extension ProviderAdapter {
    public func sign(_ endpoint: ProviderEndpoint, body: [UInt8], provider: GatewayConfig.Provider) throws(GatewayError)
        -> ProviderEndpoint
    { endpoint }
}

/// The adapter for each provider kind.
public enum ProviderAdapters {
    public static func adapter(for kind: ProviderKind) -> any ProviderAdapter {
        switch kind.dialect {
        case .openai: return kind.name == AzureOpenAIAdapter.kindName ? AzureOpenAIAdapter() : OpenAICompatibleAdapter(kind: kind)
        case .anthropic: return AnthropicAdapter()
        case .gemini: return GeminiAdapter()
        case .bedrock: return BedrockAdapter()
        case .cohere: return CohereAdapter()
        }
    }
}
