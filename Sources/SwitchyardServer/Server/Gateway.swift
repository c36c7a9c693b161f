import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOSSL
import SwitchyardConfig
import SwitchyardCore
import SwitchyardGovernance
import SwitchyardProviders
import SwitchyardRouting
import SwitchyardStore

/// The gateway: the current configuration snapshot, the upstream client, the attempt loop, admission and
/// the completion point, and the routes that put them together. Requests share it without locks.
public struct Gateway: Sendable {
    let state: GatewayState
    /// Keys, teams, limits and budgets over the store.
    public let governance: Governance
    /// The spend log's background writer.
    public let spendWriter: SpendWriter
    let completion: CompletionPoint
    let upstream: UpstreamClient
    let attemptLoop: AttemptLoop
    let admission: AdmissionStage
    let logger: Logger

    /// The configuration new requests see.
    public var config: GatewayConfig { state.current.config }
    public var router: ModelRouter { state.current.router }

    /// - Parameter store: where keys, budgets and the spend log live (`StoreFactory.open`); memory when nil.
    public init(config: GatewayConfig, catalog: Catalog, logger: Logger, store: (any Store)? = nil) throws(ConfigError) {
        try self.init(
            config: config, catalog: catalog, logger: logger, store: store, upstreamTLS: nil, admissionPolicies: [], sinks: [])
    }

    /// - Parameters:
    ///   - upstreamTLS: TLS settings for HTTPS providers (tests trust their own certificate authority).
    ///   - admissionPolicies: the admission stage's rules, in order.
    ///   - sinks: completion sinks after the built-in ones.
    init(
        config: GatewayConfig, catalog: Catalog, logger: Logger, store: (any Store)? = nil,
        upstreamTLS: TLSConfiguration? = nil, admissionPolicies: [any AdmissionPolicy] = [], sinks: [any CompletionSink] = [],
        metrics: (any MetricsFactory)? = nil
    ) throws(ConfigError) {
        let store: any Store = store ?? MemoryStore()
        var alert: (@Sendable (BudgetAlert) async -> Void)?
        if let url = config.governance.alertWebhook {
            let webhook = AlertWebhook(url: url, logger: logger)
            alert = { budgetAlert in await webhook.post(budgetAlert) }
        }
        governance = Governance(
            store: store, governance: config.governance, declaredKeys: config.keys, logger: logger, alert: alert)
        spendWriter = SpendWriter(store: store, logger: logger)
        state = GatewayState(try GatewaySnapshot(config: config, catalog: catalog, governance: governance))
        self.logger = logger
        upstream = UpstreamClient(
            profiles: Self.upstreamProfiles(config), providers: config.providers,
            maxQueueWait: config.limits.maxQueueWait, tls: upstreamTLS)
        completion = CompletionPoint(
            sinks: [AdmissionSettlement(), SpendLogSink(writer: spendWriter, logger: logger, metrics: metrics ?? MetricsSystem.factory), AttemptLog(logger: logger)] + sinks)
        attemptLoop = AttemptLoop()
        admission = AdmissionStage(policies: admissionPolicies, governance: governance, spendWriter: spendWriter)
    }

    /// Every combination of timeouts a deployment can have (global, per provider, per model) with its
    /// provider's `pool_idle_timeout`: `connect`, the read timeouts and the pool's idle timeout are per pooled
    /// client, so each combination gets its own.
    static func upstreamProfiles(_ config: GatewayConfig) -> Set<UpstreamClient.Profile> {
        var profiles: Set<UpstreamClient.Profile> = []
        let combinations = [(config.timeouts, GatewayConfig.Provider.defaultPoolIdleTimeout)]
            + config.providers.map { (config.timeouts.applying($0.timeouts), $0.poolIdleTimeout) }
            + config.models.flatMap { model in
                config.providers.map { (config.timeouts.applying($0.timeouts).applying(model.timeouts), $0.poolIdleTimeout) }
            }
        for (timeouts, poolIdle) in combinations {
            profiles.insert(UpstreamClient.Profile(stream: true, timeouts: timeouts, poolIdle: poolIdle))
            profiles.insert(UpstreamClient.Profile(stream: false, timeouts: timeouts, poolIdle: poolIdle))
        }
        return profiles
    }

    /// Starts governance (migrates the store, applies the keys declared in config, loads the directory).
    public func start() async throws {
        try await governance.start()
    }

    /// The background work beside the server until cancelled: the spend writer and governance's sync.
    public func runBackground() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await spendWriter.run() }
            group.addTask { await governance.run() }
        }
    }

    /// After the server stopped (in-flight requests drained): writes every spend row, gives budget leases
    /// back, closes the store and upstream connections.
    public func shutdown() async {
        let unwritten = await spendWriter.flush(timeout: .seconds(30))
        if unwritten > 0 { logger.error("\(unwritten) spend rows could not be written before stopping") }
        await governance.stop()
        await governance.store.close()
        await upstream.shutdown()
    }

    /// Requests in flight to a provider, counted against its `max_connections`.
    public func upstreamSlotsInUse(provider: String) -> Int? { upstream.slotsInUse(provider: provider) }

    // MARK: - Routes

    func buildRouter() -> Hummingbird.Router<GatewayRequestContext> {
        let router = Hummingbird.Router(context: GatewayRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.get("/health") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("/ready") { _, _ in
            Self.json(#"{"status":"ready","providers":\#(state.current.config.providers.count)}"#)
        }
        let handler = ModelRequestHandler(
            state: state, upstream: upstream, attemptLoop: attemptLoop, admission: admission, completion: completion)

        // The model endpoints run the authentication check themselves rather than in a middleware: each
        // middleware adds async frames to the request's chain, whose memory a stream's task keeps while it
        // lasts (`ModelRequestHandler`); a route group's middleware runs only for its matched routes, so the
        // order of checks is the same.
        let openAI = OpenAIChatDialect()
        let openAIAuthentication = AuthenticationMiddleware(state: state, dialect: openAI, completion: completion)
        let openAIRoutes = router.group().add(middleware: openAIAuthentication)
        openAIRoutes.get("/v1/models") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: state.current.modelsBody))
        }
        for (path, operation) in [
            ("/v1/chat/completions", ProviderOperation.chatCompletions), ("/v1/completions", .completions),
            ("/v1/embeddings", .embeddings),
        ] {
            router.post(RouterPath(path)) { request, context in
                var context = context
                if let refused = openAIAuthentication.check(request, context: &context) { return refused }
                return await handler.handleCancellingOnDeparture(request, context: context, dialect: openAI, operation: operation)
            }
        }

        let admin = router.group("/admin")
            .add(middleware: AuthenticationMiddleware(state: state, dialect: openAI, completion: completion))
            .add(middleware: AdminOnlyMiddleware())
        AdminRoutes(governance: governance, writer: spendWriter).register(on: admin)

        let anthropic = AnthropicMessagesDialect()
        let anthropicAuthentication = AuthenticationMiddleware(state: state, dialect: anthropic, completion: completion)
        for (path, operation) in [("/v1/messages", ProviderOperation.messages), ("/v1/messages/count_tokens", .countTokens)] {
            router.post(RouterPath(path)) { request, context in
                var context = context
                if let refused = anthropicAuthentication.check(request, context: &context) { return refused }
                return await handler.handleCancellingOnDeparture(
                    request, context: context, dialect: anthropic, operation: operation)
            }
        }
        return router
    }

    static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
