import DialectOpenAI
import SwitchyardConfig
import SwitchyardCore

/// Azure OpenAI: OpenAI's wire format under a resource URL, the key in `api-key`. With a dated
/// `api_version` the model is the deployment name in the path; without one, the v1 API is used.
public struct AzureOpenAIAdapter: ProviderAdapter {
    static let kindName = "azure-openai"

    public init() {}

    public var dialect: Dialect { .openai }

    public func passthroughPath(_ operation: ProviderOperation) -> String? {
        OpenAICompatibleAdapter.openAIPath(operation)
    }

    public func codec(maxOutputTokens: Int?) -> any ProviderCodec { OpenAIChatCodec() }

    public func endpoint(_ provider: GatewayConfig.Provider, model: String, path: String) -> ProviderEndpoint {
        let base = provider.effectiveBaseURL ?? ""
        let resource = base.hasSuffix("/openai") ? String(base.dropLast("/openai".count)) : base
        let url: String
        if let version = provider.apiVersion {
            let deployment = PercentEncoding.encodeUnreserved(model)
            url = "\(resource)/openai/deployments/\(deployment)\(path)?api-version=\(PercentEncoding.encodeUnreserved(version))"
        } else {
            url = "\(resource)/openai/v1\(path)"
        }
        return ProviderEndpoint(url: url, provider: provider, auth: .header("api-key"))
    }
}
