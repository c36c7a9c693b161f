import SwitchyardConfig
import SwitchyardCore
/// One place a request can be sent: a configured provider and the model id it knows.
public struct Deployment: Sendable {
    public let provider: GatewayConfig.Provider
    public let upstreamModel: String
    public let timeouts: GatewayConfig.Timeouts
    public let price: CatalogEntry.Price?
    /// The catalog's output limit for the model, where known (Anthropic requires `max_tokens`).
    public let maxOutputTokens: Int?

    /// `provider/model`, as logs and headers name it.
    public var label: String { "\(provider.name)/\(upstreamModel)" }
}

/// The ordered deployments to try for one request, and how to retry.
public struct RoutePlan: Sendable {
    public let publicName: String
    public let deployments: [Deployment]
    public let retry: GatewayConfig.Retry
}

/// Resolves the model a client names into a plan (DESIGN.md "Routing").
///
/// Names resolve in this order: a configured public name (`models[].name`); `provider/model` where
/// `provider` is configured; a catalog id whose provider is configured.
public struct ModelRouter: Sendable {
    struct ResolvedModel: Sendable {
        let entry: GatewayConfig.ModelEntry
        let split: [(deployment: Deployment, weight: Double)]
        let fallbacks: [Deployment]
    }

    let config: GatewayConfig
    public let catalog: Catalog
    let models: [String: ResolvedModel]
    /// Configured providers by name, and the first configured provider of each kind.
    let providersByName: [String: GatewayConfig.Provider]
    let providersByKind: [String: GatewayConfig.Provider]

    public init(config: GatewayConfig, catalog: Catalog) throws(ConfigError) {
        var catalog = catalog
        for entry in config.catalog { catalog.upsert(entry) }
        self.config = config
        self.catalog = catalog
        var byName: [String: GatewayConfig.Provider] = [:]
        var byKind: [String: GatewayConfig.Provider] = [:]
        for provider in config.providers {
            byName[provider.name] = provider
            if byKind[provider.kind.name] == nil { byKind[provider.kind.name] = provider }
        }
        providersByName = byName
        providersByKind = byKind
        var resolved: [String: ResolvedModel] = [:]
        // Split targets first, so fallbacks may name another public model.
        var primaries: [String: [(Deployment, Double)]] = [:]
        for (index, entry) in config.models.enumerated() {
            var split: [(Deployment, Double)] = []
            for (position, target) in entry.split.enumerated() {
                guard
                    let deployment = Self.resolveTarget(
                        target.to, timeouts: entry.timeouts, config: config, catalog: catalog, byName: byName,
                        byKind: byKind)
                else {
                    throw ConfigError(
                        path: "models[\(index)]" + (entry.split.count > 1 ? ".split[\(position)].to" : ".to"),
                        line: entry.targetLines.indices.contains(position) ? entry.targetLines[position] : entry.line,
                        message: "'\(target.to)' does not name a configured provider (write provider/model) or a catalog model of one")
                }
                split.append((deployment, target.weight))
            }
            primaries[entry.name] = split
        }
        for (index, entry) in config.models.enumerated() {
            var fallbacks: [Deployment] = []
            for (position, name) in entry.fallbacks.enumerated() {
                if let other = primaries[name], name != entry.name {
                    fallbacks.append(contentsOf: other.map(\.0))
                } else if let deployment = Self.resolveTarget(
                    name, timeouts: entry.timeouts, config: config, catalog: catalog, byName: byName, byKind: byKind)
                {
                    fallbacks.append(deployment)
                } else {
                    throw ConfigError(
                        path: "models[\(index)].fallbacks[\(position)]",
                        line: entry.fallbackLines.indices.contains(position) ? entry.fallbackLines[position] : entry.line,
                        message: "'\(name)' is not a configured model, a provider/model of a configured provider, or a catalog model of one")
                }
            }
            resolved[entry.name] = ResolvedModel(
                entry: entry, split: (primaries[entry.name] ?? []).map { (deployment: $0.0, weight: $0.1) },
                fallbacks: fallbacks)
        }
        models = resolved
    }

    static func resolveTarget(
        _ target: String, timeouts: GatewayConfig.TimeoutOverrides?, config: GatewayConfig, catalog: Catalog,
        byName: [String: GatewayConfig.Provider], byKind: [String: GatewayConfig.Provider]
    ) -> Deployment? {
        func deployment(_ provider: GatewayConfig.Provider, _ model: String) -> Deployment {
            let entry = catalog.entry(provider: provider.kind.name, model: model)
            return Deployment(
                provider: provider, upstreamModel: model,
                timeouts: config.timeouts.applying(provider.timeouts).applying(timeouts),
                price: entry?.price, maxOutputTokens: entry?.maxOutput)
        }
        if let slash = target.firstIndex(of: "/"), let provider = byName[String(target[..<slash])] {
            let model = String(target[target.index(after: slash)...])
            guard !model.isEmpty else { return nil }
            return deployment(provider, model)
        }
        for entry in catalog.entries(id: target) {
            if let provider = byKind[entry.provider] {
                return Deployment(
                    provider: provider, upstreamModel: entry.upstreamModel,
                    timeouts: config.timeouts.applying(provider.timeouts).applying(timeouts), price: entry.price,
                    maxOutputTokens: entry.maxOutput)
            }
        }
        return nil
    }

    /// The plan for a model name a client sent.
    public func plan(model: String, using generator: inout some RandomNumberGenerator) throws(GatewayError) -> RoutePlan {
        if let resolved = models[model] {
            var ordered = resolved.split
            if ordered.count > 1 {
                let total = ordered.reduce(0) { $0 + $1.weight }
                var pick = Double.random(in: 0..<total, using: &generator)
                var chosen = ordered.count - 1
                for (index, candidate) in ordered.enumerated() {
                    if pick < candidate.weight {
                        chosen = index
                        break
                    }
                    pick -= candidate.weight
                }
                let first = ordered.remove(at: chosen)
                // The rest of the split stays available for failover, heaviest first.
                ordered.sort { $0.weight > $1.weight }
                ordered.insert(first, at: 0)
            }
            return RoutePlan(
                publicName: model, deployments: ordered.map(\.deployment) + resolved.fallbacks,
                retry: resolved.entry.retry ?? GatewayConfig.Retry())
        }
        if let deployment = Self.resolveTarget(
            model, timeouts: nil, config: config, catalog: catalog, byName: providersByName, byKind: providersByKind)
        {
            return RoutePlan(publicName: model, deployments: [deployment], retry: GatewayConfig.Retry())
        }
        throw GatewayError(.notFound, notFoundMessage(model), param: "model", code: "model_not_found")
    }

    func notFoundMessage(_ model: String) -> String {
        let configured = config.providers.map(\.name)
        var message = "The model '\(model)' does not exist on this gateway. "
        if configured.isEmpty {
            message += "No providers are configured: set a provider key (e.g. OPENAI_API_KEY) or add providers to the config file."
        } else {
            message += "Name a model as 'provider/model' with one of the configured providers ("
                + configured.joined(separator: ", ")
                + "), as a configured model name, or as a catalog model of a configured provider (e.g. 'gpt-4o'). "
                + "GET /v1/models lists them."
        }
        if let slash = model.firstIndex(of: "/"), providersByName[String(model[..<slash])] == nil,
            ProviderKind.named(String(model[..<slash])) != nil
        {
            message += " Provider '\(model[..<slash])' is known but not configured."
        }
        return message
    }

    /// Every name `/v1/models` lists: configured public names, then catalog models of configured providers.
    public func listedModels() -> [(id: String, ownedBy: String)] {
        var listed: [(id: String, ownedBy: String)] = config.models.map { ($0.name, "switchyard") }
        var seen = Set(listed.map(\.id))
        for provider in config.providers {
            for entry in catalog.entries where entry.provider == provider.kind.name {
                let id = "\(provider.name)/\(entry.id)"
                if seen.insert(id).inserted { listed.append((id, provider.name)) }
            }
        }
        return listed
    }

    public var providers: [GatewayConfig.Provider] { config.providers }
}
