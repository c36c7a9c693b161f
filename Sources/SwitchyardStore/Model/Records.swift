/// A virtual key as stored (CONTRACT §2). The secret itself is never kept: only its SHA-256 (hex), and
/// the first characters for display.
public struct KeyRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var secretHash: String
    public var keyPrefix: String
    public var team: String?
    /// Allow-list of model names with `*` wildcards; nil = the team's list, or everything.
    public var models: [String]?
    public var rpm: Int?
    public var tpm: Int?
    public var maxParallel: Int?
    public var budget: Budget?
    /// Per-model budgets within this key (`models_budget`).
    public var modelBudgets: [String: Budget]
    public var expiresAt: UTCTime.Millis?
    /// A JSON object, kept as its text.
    public var metadata: String
    public var zeroRetention: Bool
    public var createdAt: UTCTime.Millis
    public var revokedAt: UTCTime.Millis?
    /// After a rotation with grace: the previous secret's hash and until when it still works.
    public var previousSecretHash: String?
    public var previousValidUntil: UTCTime.Millis?
    /// `admin` (API or CLI) or `config` (declared under `keys:`).
    public var source: String

    public init(
        id: String, name: String, secretHash: String, keyPrefix: String, team: String? = nil, models: [String]? = nil,
        rpm: Int? = nil, tpm: Int? = nil, maxParallel: Int? = nil, budget: Budget? = nil,
        modelBudgets: [String: Budget] = [:], expiresAt: UTCTime.Millis? = nil, metadata: String = "{}",
        zeroRetention: Bool = false, createdAt: UTCTime.Millis, revokedAt: UTCTime.Millis? = nil,
        previousSecretHash: String? = nil, previousValidUntil: UTCTime.Millis? = nil, source: String = "admin"
    ) {
        self.id = id
        self.name = name
        self.secretHash = secretHash
        self.keyPrefix = keyPrefix
        self.team = team
        self.models = models
        self.rpm = rpm
        self.tpm = tpm
        self.maxParallel = maxParallel
        self.budget = budget
        self.modelBudgets = modelBudgets
        self.expiresAt = expiresAt
        self.metadata = metadata
        self.zeroRetention = zeroRetention
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.previousSecretHash = previousSecretHash
        self.previousValidUntil = previousValidUntil
        self.source = source
    }
}

/// A team as stored: limits its keys inherit and can only narrow.
public struct TeamRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    public var models: [String]?
    public var rpm: Int?
    public var tpm: Int?
    public var budget: Budget?
    public var modelBudgets: [String: Budget]
    public var zeroRetention: Bool
    public var metadata: String
    public var createdAt: UTCTime.Millis

    public init(
        id: String, name: String, models: [String]? = nil, rpm: Int? = nil, tpm: Int? = nil, budget: Budget? = nil,
        modelBudgets: [String: Budget] = [:], zeroRetention: Bool = false, metadata: String = "{}",
        createdAt: UTCTime.Millis
    ) {
        self.id = id
        self.name = name
        self.models = models
        self.rpm = rpm
        self.tpm = tpm
        self.budget = budget
        self.modelBudgets = modelBudgets
        self.zeroRetention = zeroRetention
        self.metadata = metadata
        self.createdAt = createdAt
    }
}

/// One client request in the spend log (CONTRACT §2 "Spend log"): one row per authenticated request,
/// refused and failed ones included.
public struct SpendRow: Sendable, Hashable {
    /// Unique per row, made by the gateway (the client's `x-request-id` need not be unique).
    public var rowID: String
    /// The `x-request-id`.
    public var id: String
    public var time: UTCTime.Millis
    public var keyID: String?
    public var teamID: String?
    public var endpoint: String
    public var model: String
    public var provider: String?
    public var upstreamModel: String?
    public var status: Int
    public var errorClass: String?
    public var stream: Bool
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int
    public var cacheWriteTokens: Int
    public var reasoningTokens: Int
    public var cost: MicroUSD
    /// False when the model has no price: the cost is unknown, not zero.
    public var priced: Bool
    public var latencyMs: Int
    public var ttftMs: Int?
    public var attempts: Int
    public var cacheHit: Bool
    public var clientDisconnected: Bool
    /// Usage estimated from bytes because the provider reported none.
    public var estimated: Bool

    public init(
        rowID: String, id: String, time: UTCTime.Millis, keyID: String? = nil, teamID: String? = nil,
        endpoint: String, model: String, provider: String? = nil, upstreamModel: String? = nil, status: Int,
        errorClass: String? = nil, stream: Bool = false, inputTokens: Int = 0, outputTokens: Int = 0,
        cachedInputTokens: Int = 0, cacheWriteTokens: Int = 0, reasoningTokens: Int = 0, cost: MicroUSD = 0,
        priced: Bool = true, latencyMs: Int = 0, ttftMs: Int? = nil, attempts: Int = 0, cacheHit: Bool = false,
        clientDisconnected: Bool = false, estimated: Bool = false
    ) {
        self.rowID = rowID
        self.id = id
        self.time = time
        self.keyID = keyID
        self.teamID = teamID
        self.endpoint = endpoint
        self.model = model
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.status = status
        self.errorClass = errorClass
        self.stream = stream
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
        self.cost = cost
        self.priced = priced
        self.latencyMs = latencyMs
        self.ttftMs = ttftMs
        self.attempts = attempts
        self.cacheHit = cacheHit
        self.clientDisconnected = clientDisconnected
        self.estimated = estimated
    }

    /// Whether the row counts as an error in spend summaries.
    public var isError: Bool { status >= 400 }
}
