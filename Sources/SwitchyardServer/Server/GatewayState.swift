import Atomics
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardGovernance
import SwitchyardProviders
import SwitchyardRouting

/// Everything a request reads from the configuration, built once per configuration and never changed:
/// requests load the current snapshot once and keep it to the end, so a reload is one swap and in-flight
/// requests finish on the configuration they started with.
final class GatewaySnapshot: AtomicReference, Sendable {
    let config: GatewayConfig
    let router: ModelRouter
    /// Who a request is from: the master key or a virtual key.
    let authenticator: any Authenticator
    /// Per provider name: how to reach it, and its credentials ready to mask in answers.
    let adapters: [String: any ProviderAdapter]
    let scrubbers: [String: SecretScrubber]
    /// The `/v1/models` answer.
    let modelsBody: ByteBuffer

    init(config: GatewayConfig, catalog: Catalog, governance: Governance? = nil) throws(ConfigError) {
        guard let key = config.server.masterKey, !key.isEmpty else {
            throw ConfigError(path: "server.master_key", line: nil, message: "a master key is required")
        }
        self.config = config
        router = try ModelRouter(config: config, catalog: catalog)
        authenticator = GatewayAuthenticator(masterKey: Array(key.utf8), governance: governance)
        var adapters: [String: any ProviderAdapter] = [:]
        var scrubbers: [String: SecretScrubber] = [:]
        for provider in config.providers where adapters[provider.name] == nil {
            adapters[provider.name] = ProviderAdapters.adapter(for: provider.kind)
            scrubbers[provider.name] = SecretScrubber(provider: provider)
        }
        self.adapters = adapters
        self.scrubbers = scrubbers
        let listed = router.listedModels().map { model -> JSONValue in
            ["id": .string(model.id), "object": "model", "created": 0, "owned_by": .string(model.ownedBy)]
        }
        modelsBody = ByteBuffer(bytes: JSON.encode(["object": "list", "data": .array(listed)]))
    }

    func adapter(for deployment: Deployment) -> any ProviderAdapter {
        adapters[deployment.provider.name] ?? ProviderAdapters.adapter(for: deployment.provider.kind)
    }

    func scrubber(for deployment: Deployment) -> SecretScrubber {
        scrubbers[deployment.provider.name] ?? SecretScrubber(provider: deployment.provider)
    }
}

/// The current snapshot, swapped atomically: reading it is one atomic load, no lock.
final class GatewayState: Sendable {
    private let snapshot: ManagedAtomic<GatewaySnapshot>

    init(_ initial: GatewaySnapshot) {
        snapshot = ManagedAtomic(initial)
    }

    var current: GatewaySnapshot { snapshot.load(ordering: .acquiring) }

    /// Makes `next` the configuration new requests see.
    func replace(with next: GatewaySnapshot) {
        snapshot.store(next, ordering: .releasing)
    }
}
