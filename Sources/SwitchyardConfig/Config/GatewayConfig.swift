import SwitchyardCore
/// The gateway's configuration, typed and validated once at load (see `ConfigLoader`).
public struct GatewayConfig: Sendable {
    public struct Server: Sendable {
        public var host = "127.0.0.1"
        public var port = 4000
        /// The key clients present as `Authorization: Bearer`. nil: the CLI generates one at start.
        public var masterKey: String?
        /// A client connection with no request in progress (or a request still arriving) for this long is
        /// closed (CONTRACT §0); a response being written, however long, keeps it open.
        public var idleTimeout: Duration = .seconds(75)
        public init() {}
    }

    /// Where keys, teams, budgets and the spend log are kept (CONTRACT §2). Absent: a SQLite file
    /// `switchyard.db` beside the config file.
    public enum Store: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
        case memory
    }

    /// CONTRACT §2 `governance:`.
    public struct Governance: Sendable {
        /// How often local counters, budget leases and keys are reconciled through the store.
        public var syncInterval: Duration = .seconds(1)
        /// Lower a request's output-token limit to what its budget affords instead of refusing it.
        public var fitMaxTokens = false
        /// Where soft-limit alerts are posted.
        public var alertWebhook: String?
        public init() {}
    }

    /// A budget as configured: USD amounts.
    public struct BudgetSetting: Sendable, Equatable {
        public var maxUSD: Double
        public var softUSD: Double?
        /// day, week, month or total.
        public var period: String
        public init(maxUSD: Double, softUSD: Double? = nil, period: String = "month") {
            self.maxUSD = maxUSD
            self.softUSD = softUSD
            self.period = period
        }
    }

    /// A virtual key declared under `keys:` (GitOps), beside the ones the admin API creates.
    public struct DeclaredKey: Sendable {
        public var name: String
        public var key: String
        /// A team id or name; a team of that name is created when none exists.
        public var team: String?
        public var models: [String]?
        public var rpm: Int?
        public var tpm: Int?
        public var maxParallel: Int?
        public var budget: BudgetSetting?
        public var zeroRetention = false
        public var line: Int?
        public init(name: String, key: String) {
            self.name = name
            self.key = key
        }
    }

    public struct Limits: Sendable {
        public var maxBodyBytes = 33_554_432
        public var maxHeaderBytes = 16_384
        public var maxStreamDuration: Duration = .seconds(3600)
        /// The longest a request waits for a free connection to its provider (CONTRACT §0); then 503 overloaded.
        public var maxQueueWait: Duration = .seconds(10)
        public init() {}
    }

    public struct Timeouts: Sendable, Equatable {
        public var connect: Duration = .seconds(5)
        public var firstByte: Duration = .seconds(120)
        public var idle: Duration = .seconds(60)
        public var total: Duration = .seconds(600)
        public init() {}

        /// These timeouts with any value `overrides` sets replaced.
        public func applying(_ overrides: TimeoutOverrides?) -> Timeouts {
            guard let overrides else { return self }
            var result = self
            if let v = overrides.connect { result.connect = v }
            if let v = overrides.firstByte { result.firstByte = v }
            if let v = overrides.idle { result.idle = v }
            if let v = overrides.total { result.total = v }
            return result
        }
    }

    public struct TimeoutOverrides: Sendable, Equatable {
        public var connect: Duration?
        public var firstByte: Duration?
        public var idle: Duration?
        public var total: Duration?
        public init() {}
    }

    public struct Provider: Sendable {
        public var name: String
        public var kind: ProviderKind
        public var apiKey: String?
        public var baseURL: String?
        /// Azure OpenAI's dated `api-version`; without it the v1 API is used.
        public var apiVersion: String?
        public var region: String?
        public var awsAccessKeyID: String?
        public var awsSecretAccessKey: String?
        public var awsSessionToken: String?
        /// Extra headers sent upstream (OpenRouter's `HTTP-Referer`, an organisation header, …).
        public var headers: [(String, String)] = []
        public var timeouts: TimeoutOverrides?
        /// Requests in flight to this provider at once (CONTRACT §0, `max_connections`): one HTTP/1.1
        /// connection each. High by default — LLM streams are long, and vLLM, Ollama and internal servers
        /// take thousands — so the operator lowers it for a provider that cannot.
        public var maxConnections = 10_000
        /// How long an idle pooled connection to this provider is kept for reuse (`pool_idle_timeout`).
        /// Each costs the gateway about 10 KB while it waits, so after a burst of thousands of streams a
        /// long timeout holds that memory for as long (docs/BENCHMARKS.md); traffic sparser than this
        /// pays a new connection (and TLS handshake) per request.
        public var poolIdleTimeout = Provider.defaultPoolIdleTimeout
        public static let defaultPoolIdleTimeout = Duration.seconds(20)

        public init(name: String, kind: ProviderKind) {
            self.name = name
            self.kind = kind
        }

        /// The base URL requests go to: configured, or the kind's default.
        public var effectiveBaseURL: String? {
            let regional = kind.dialect == .bedrock ? region.map { "https://bedrock-runtime.\($0).amazonaws.com" } : nil
            return (baseURL ?? kind.defaultBaseURL ?? regional).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        }
    }

    public struct Target: Sendable, Equatable {
        public var to: String
        public var weight: Double
        public init(to: String, weight: Double = 1) {
            self.to = to
            self.weight = weight
        }
    }

    public struct Retry: Sendable, Equatable {
        /// Tries per deployment (1 = no retry on the same deployment).
        public var attempts = 1
        /// Error classes that move on to a retry or the next deployment.
        public var on: Set<GatewayError.Kind> = Retry.defaultClasses
        public init() {}

        public static let defaultClasses: Set<GatewayError.Kind> = [
            .rateLimited, .quotaExhausted, .overloaded, .timeout, .upstreamError, .upstreamAuthentication,
            .upstreamPermission, .notFound,
        ]
    }

    /// A public model name and where it goes.
    public struct ModelEntry: Sendable {
        public var name: String
        public var split: [Target]
        public var fallbacks: [String] = []
        public var retry: Retry?
        public var timeouts: TimeoutOverrides?
        /// Line in the config file, for error messages raised after parsing.
        public var line: Int?
        /// Lines of each split target's `to` and of each fallback, for the same messages.
        public var targetLines: [Int?] = []
        public var fallbackLines: [Int?] = []

        public init(name: String, split: [Target]) {
            self.name = name
            self.split = split
        }
    }

    public var server = Server()
    public var store: Store?
    public var governance = Governance()
    public var keys: [DeclaredKey] = []
    public var limits = Limits()
    public var timeouts = Timeouts()
    public var providers: [Provider] = []
    public var models: [ModelEntry] = []
    /// Catalog entries that add models or override shipped ones.
    public var catalog: [CatalogEntry] = []

    public init() {}

    public func provider(named name: String) -> Provider? {
        providers.first { $0.name == name }
    }

    /// The configuration used with no config file: every provider whose key is in the environment.
    public static func fromEnvironment(_ environment: [String: String]) -> GatewayConfig {
        var config = GatewayConfig()
        for kind in ProviderKind.all {
            guard let variable = kind.environmentKey, let key = environment[variable], !key.isEmpty else { continue }
            var provider = Provider(name: kind.name, kind: kind)
            provider.apiKey = key
            config.providers.append(provider)
        }
        if let key = environment["SWITCHYARD_MASTER_KEY"], !key.isEmpty { config.server.masterKey = key }
        return config
    }
}
