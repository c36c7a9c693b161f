import SwitchyardConfig
import SwitchyardCore

/// The URL and headers for one call to a provider. Only configuration chooses the URL: nothing a client
/// sends reaches it except the model id, which adapters percent-encode where it goes into a path.
public struct ProviderEndpoint: Sendable {
    public let url: String
    public var headers: [(String, String)]
    /// The configured provider's name (its connection slots are counted by it).
    public let provider: String

    public init(url: String, headers: [(String, String)], provider: String) {
        self.url = url
        self.headers = headers
        self.provider = provider
    }

    /// How a provider expects its key.
    public enum Auth: Sendable {
        /// `Authorization: Bearer <key>`.
        case bearer
        /// The key in a header of its own (`api-key` for Azure, `x-api-key` for Anthropic, …).
        case header(String)
        /// Nothing added here (Bedrock signs each request).
        case none
    }

    /// `url` with the headers every call carries: JSON content type, user agent, the key as `auth` says,
    /// and the provider's configured extra headers.
    public init(url: String, provider: GatewayConfig.Provider, auth: Auth) {
        var headers: [(String, String)] = [("content-type", "application/json"), ("user-agent", "switchyard/0.1")]
        if let key = provider.apiKey, !key.isEmpty {
            switch auth {
            case .bearer: headers.append(("authorization", "Bearer \(key)"))
            case .header(let name): headers.append((name, key))
            case .none: break
            }
        }
        headers.append(contentsOf: provider.headers)
        self.init(url: url, headers: headers, provider: provider.name)
    }
}
