/// The provider API a request is aimed at.
enum Endpoint: Sendable, Equatable {
    case chatCompletions
    case completions
    case embeddings
    case models
    case anthropicMessages
    case anthropicCountTokens
    case anthropicModels
    /// `stream` nil: `:generateContent`.
    case geminiGenerate(model: String, stream: GeminiStreamMode?)
    case geminiModels
    /// The model id percent-decoded.
    case bedrockConverse(modelID: String, stream: Bool)
    case cohereChat
}

/// A request path taken apart: `/{provider}/{knobs?}/{provider's own path}`.
struct Route: Sendable, Equatable {
    let provider: FakeProvider
    /// `/{provider}/{knobs}` exactly as sent: the key of the `fail_first` counter.
    let prefix: Substring
    let knobs: Knobs
    let endpoint: Endpoint
    /// Azure classic URLs name the deployment in the path; it stands in for the model.
    let deployment: String?

    enum Failure: Error, Equatable {
        /// Not a path any provider serves (404 in the provider's shape, or OpenAI's if unknown).
        case notFound(FakeProvider?)
        case badKnobs(FakeProvider, String)
        /// Azure classic URLs need `?api-version=`; real Azure answers 404 without it.
        case missingAPIVersion
    }

    /// - Parameters:
    ///   - path: the URL path, without the query.
    ///   - query: the query string, if any.
    static func parse(method: String, path: Substring, query: Substring?) throws(Failure) -> Route {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true)[...]
        guard let providerName = segments.popFirst(), let provider = FakeProvider(rawValue: String(providerName)) else {
            throw .notFound(nil)
        }
        var knobs = Knobs.none
        var prefixEnd = providerName.endIndex
        // A knob segment is recognised by its `=`; no provider path segment contains one.
        if let candidate = segments.first, candidate.contains("=") {
            do {
                knobs = try Knobs(segment: candidate)
            } catch {
                throw .badKnobs(provider, error.message)
            }
            prefixEnd = candidate.endIndex
            segments = segments.dropFirst()
            if let name = knobs.errorName {
                let known =
                    provider.dialect == .openAI
                    ? ErrorFixture.fixtures(for: provider).map(\.name)
                    : NativeErrors.fixtures(for: provider.dialect).map(\.name)
                guard known.contains(name) else {
                    throw .badKnobs(provider, "knob error=\(name) has no fixture for \(provider.rawValue) (known: \(known))")
                }
            }
            if knobs.sigV4Secret != nil, provider != .bedrock {
                throw .badKnobs(provider, "knob sigv4_secret only applies to bedrock")
            }
        }
        let prefix = path[path.startIndex..<prefixEnd]
        let rest = Array(segments)

        if provider.dialect != .openAI {
            guard let endpoint = Self.nativeEndpoint(provider: provider, method: method, rest: rest, query: query) else {
                throw .notFound(provider)
            }
            return Route(provider: provider, prefix: prefix, knobs: knobs, endpoint: endpoint, deployment: nil)
        }
        if provider == .azureOpenAI {
            return try Self.parseAzure(method: method, rest: rest, query: query, prefix: prefix, knobs: knobs)
        }
        let endpoint: Endpoint?
        switch (method, rest) {
        case ("POST", ["v1", "chat", "completions"]): endpoint = .chatCompletions
        case ("POST", ["v1", "completions"]): endpoint = .completions
        case ("POST", ["v1", "embeddings"]): endpoint = .embeddings
        case ("GET", ["v1", "models"]): endpoint = .models
        // Perplexity's real base URL has no `/v1`.
        case ("POST", ["chat", "completions"]) where provider == .perplexity: endpoint = .chatCompletions
        default: endpoint = nil
        }
        guard let endpoint else { throw .notFound(provider) }
        return Route(provider: provider, prefix: prefix, knobs: knobs, endpoint: endpoint, deployment: nil)
    }

    private static func parseAzure(
        method: String,
        rest: [Substring],
        query: Substring?,
        prefix: Substring,
        knobs: Knobs
    ) throws(Failure) -> Route {
        func endpoint(_ tail: ArraySlice<Substring>) -> Endpoint? {
            switch (method, Array(tail)) {
            case ("POST", ["chat", "completions"]): return .chatCompletions
            case ("POST", ["completions"]): return .completions
            case ("POST", ["embeddings"]): return .embeddings
            case ("GET", ["models"]): return .models
            default: return nil
            }
        }
        guard rest.first == "openai" else { throw .notFound(.azureOpenAI) }
        // v1 API: `/openai/v1/chat/completions`, model in the body, no api-version.
        if rest.count >= 2, rest[1] == "v1", let endpoint = endpoint(rest[2...]) {
            return Route(provider: .azureOpenAI, prefix: prefix, knobs: knobs, endpoint: endpoint, deployment: nil)
        }
        // Classic: `/openai/deployments/{deployment}/chat/completions?api-version=…`, or `/openai/models`.
        let found: (Endpoint, String?)?
        if rest.count >= 4, rest[1] == "deployments", let endpoint = endpoint(rest[3...]), endpoint != .models {
            found = (endpoint, String(rest[2]))
        } else if rest.count == 2, let endpoint = endpoint(rest[1...]), endpoint == .models {
            found = (endpoint, nil)
        } else {
            found = nil
        }
        guard let (endpoint, deployment) = found else { throw .notFound(.azureOpenAI) }
        guard let query, Self.queryHasAPIVersion(query) else { throw .missingAPIVersion }
        return Route(provider: .azureOpenAI, prefix: prefix, knobs: knobs, endpoint: endpoint, deployment: deployment)
    }

    private static func queryHasAPIVersion(_ query: Substring) -> Bool {
        query.split(separator: "&").contains { $0.hasPrefix("api-version=") && $0.count > "api-version=".count }
    }
}
