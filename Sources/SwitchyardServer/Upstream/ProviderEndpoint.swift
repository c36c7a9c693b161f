import SwitchyardCore

/// What the gateway asks a provider for.
enum UpstreamOperation: Sendable {
    case chat
    case completions
    case embeddings

    var pathSuffix: String {
        switch self {
        case .chat: return "/chat/completions"
        case .completions: return "/completions"
        case .embeddings: return "/embeddings"
        }
    }
}

/// The URL and headers for one call to an OpenAI-dialect provider. Only configuration chooses the
/// URL: nothing a client sends reaches it except the model id, which is percent-encoded into Azure's path.
struct ProviderEndpoint: Sendable {
    let url: String
    var headers: [(String, String)]
    /// The configured provider's name (its connection slots are counted by it).
    let provider: String

    /// - Parameter path: below the base URL, as the codec or operation gives it (`/chat/completions`,
    ///   `/v1/messages`, `/models/gemini-2.5-pro:generateContent`).
    init(provider: GatewayConfig.Provider, model: String, path: String) {
        self.provider = provider.name
        let base = provider.effectiveBaseURL ?? ""
        if provider.kind.name == "azure-openai" {
            let resource = base.hasSuffix("/openai") ? String(base.dropLast("/openai".count)) : base
            if let version = provider.apiVersion {
                let deployment = PercentEncoding.encodeUnreserved(model)
                url = "\(resource)/openai/deployments/\(deployment)\(path)?api-version=\(PercentEncoding.encodeUnreserved(version))"
            } else {
                url = "\(resource)/openai/v1\(path)"
            }
        } else {
            url = base + path
        }
        var headers: [(String, String)] = [("content-type", "application/json"), ("user-agent", "switchyard/0.1")]
        if let key = provider.apiKey, !key.isEmpty {
            switch provider.kind.auth {
            case .bearer: headers.append(("authorization", "Bearer \(key)"))
            case .header(let name): headers.append((name, key))
            }
        }
        headers.append(contentsOf: provider.headers)
        self.headers = headers
    }
}
