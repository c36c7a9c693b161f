import Logging
import Synchronization
import SwitchyardConfig
import SwitchyardStore
import Atomics

/// Virtual keys, teams, rate limits and budgets (CONTRACT §2) over a store. The request path reads an
/// in-memory directory (one atomic load) and local counters; the store is asked only when a budget's
/// local grant runs out, by the background sync every `sync_interval`, and by the admin API.
public final class Governance: Sendable {
    public let store: any Store
    let logger: Logger
    /// This instance's name in budget leases.
    let instance: String
    /// Whether other instances share the store (PostgreSQL): then budgets are leased in slices.
    let shared: Bool
    let syncInterval: Duration
    /// `governance.fit_max_tokens`.
    let fitMaxTokens: Bool
    let declaredKeys: [GatewayConfig.DeclaredKey]
    let alert: (@Sendable (BudgetAlert) async -> Void)?
    private let directory: ManagedAtomic<DirectoryBox>
    private let counters = Mutex<[String: LimitCounters]>([:])
    let ledger = BudgetLedger()

    public init(
        store: any Store, governance: GatewayConfig.Governance, declaredKeys: [GatewayConfig.DeclaredKey], logger: Logger,
        instance: String? = nil, alert: (@Sendable (BudgetAlert) async -> Void)? = nil
    ) {
        self.store = store
        self.logger = logger
        shared = store.engine == "postgres"
        // A store of its own (SQLite, memory) has one instance: a stable name lets a restart take over its lease.
        self.instance = instance ?? (shared ? VirtualKeySecret.identifier("inst") : "local")
        syncInterval = governance.syncInterval
        fitMaxTokens = governance.fitMaxTokens
        self.declaredKeys = declaredKeys
        self.alert = alert
        directory = ManagedAtomic(DirectoryBox(KeyDirectory(keys: [], teams: [], counters: { _ in LimitCounters() })))
    }

    // MARK: - Lifecycle

    /// Migrates the store, writes the keys declared in config, and loads the directory.
    public func start() async throws {
        try await store.migrate()
        try await applyDeclaredKeys()
        try await refresh()
    }

    /// Reconciles with the store every `sync_interval` until cancelled: reloads keys and teams (so a key
    /// revoked on another instance stops working here), renews budget leases, sends soft-limit alerts.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: syncInterval)
            if Task.isCancelled { break }
            await sync()
        }
    }

    /// One reconciliation (also what `run` does each interval).
    public func sync() async {
        do {
            try await refresh()
        } catch {
            logger.warning("could not reload keys and teams from the store", metadata: ["error": "\(error)"])
        }
        let now = UTCTime.now()
        for account in ledger.all {
            await renew(account, now: now, releasing: false)
            await checkSoftLimit(account, now: now)
        }
        if shared { await exchangeRates(now: now) }
    }

    /// Publishes this instance's RPM/TPM counts of the current minute and takes in the other instances'
    /// (instances sharing a store enforce one limit together, to within one `sync_interval` of traffic).
    func exchangeRates(now: UTCTime.Millis) async {
        let minute = UTCTime.floorDiv(now, 60_000)
        let all = counters.withLock { $0 }
        var counts: [String: RateCount] = [:]
        for (scope, counter) in all {
            let requests = counter.requests.local(minute: minute, now: now)
            let tokens = counter.tokens.local(minute: minute, now: now)
            if requests > 0 || tokens > 0 { counts[scope] = RateCount(requests: requests, tokens: tokens) }
        }
        do {
            let remote = try await store.exchangeRates(instance: instance, minute: minute, counts: counts)
            for (scope, counter) in all {
                let rates = remote[scope] ?? RemoteRates()
                counter.requests.setRemote(minute: minute, current: rates.current.requests, previous: rates.previous.requests)
                counter.tokens.setRemote(minute: minute, current: rates.current.tokens, previous: rates.previous.tokens)
            }
        } catch {
            logger.warning("could not reconcile rate limits through the store", metadata: ["error": "\(error)"])
        }
    }

    /// Gives every budget lease back down to what was spent, so other instances (or the next start) get
    /// the rest at once. Call on graceful stop.
    public func stop() async {
        let now = UTCTime.now()
        for account in ledger.all { await renew(account, now: now, releasing: true) }
    }

    func refresh() async throws {
        let keys = try await store.keys()
        let teams = try await store.teams()
        let next = KeyDirectory(keys: keys, teams: teams) { id in
            counters.withLock { counters in
                if let existing = counters[id] { return existing }
                let created = LimitCounters()
                counters[id] = created
                return created
            }
        }
        directory.store(DirectoryBox(next), ordering: .releasing)
    }

    var current: KeyDirectory { directory.load(ordering: .acquiring).directory }

    // MARK: - Authentication

    /// The grant for a presented secret, or nil when it is unknown, revoked, expired, or a rotated secret
    /// past its grace.
    public func authenticate(_ secret: [UInt8], now: UTCTime.Millis = UTCTime.now()) -> KeyGrant? {
        current.grant(forHash: VirtualKeySecret.hash(secret), now: now)
    }

    // MARK: - Declared keys

    func applyDeclaredKeys() async throws {
        guard !declaredKeys.isEmpty else { return }
        var teams = try await store.teams()
        let existing = try await store.keys()
        for declared in declaredKeys {
            var teamID: String?
            if let wanted = declared.team {
                if let team = teams.first(where: { $0.id == wanted || $0.name == wanted }) {
                    teamID = team.id
                } else {
                    let team = TeamRecord(id: VirtualKeySecret.identifier("team"), name: wanted, createdAt: UTCTime.now())
                    try await store.save(team: team)
                    teams.append(team)
                    teamID = team.id
                }
            }
            let id = "key_config_" + declared.name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            let previous = existing.first { $0.id == id }
            let record = KeyRecord(
                id: id, name: declared.name, secretHash: VirtualKeySecret.hash(Array(declared.key.utf8)),
                keyPrefix: VirtualKeySecret.displayPrefix(declared.key), team: teamID, models: declared.models,
                rpm: declared.rpm, tpm: declared.tpm, maxParallel: declared.maxParallel,
                budget: declared.budget.flatMap(Self.budget), zeroRetention: declared.zeroRetention,
                createdAt: previous?.createdAt ?? UTCTime.now(), source: "config")
            try await store.save(key: record)
        }
    }

    /// A budget as configured (USD, period name) in the store's terms; nil when the amount or period is invalid.
    public static func budget(_ setting: GatewayConfig.BudgetSetting) -> Budget? {
        guard let max = Money.micro(usd: setting.maxUSD), let period = Budget.Period(rawValue: setting.period) else {
            return nil
        }
        return Budget(max: max, soft: setting.softUSD.flatMap(Money.micro(usd:)), period: period)
    }
}

/// A soft limit crossed: what the webhook receives (CONTRACT §2).
public struct BudgetAlert: Sendable, Equatable {
    public var scope: SpendScope.Kind
    public var id: String
    public var name: String
    public var period: Budget.Period
    public var spent: MicroUSD
    public var soft: MicroUSD
    public var max: MicroUSD
    public var at: UTCTime.Millis
}

final class DirectoryBox: AtomicReference, Sendable {
    let directory: KeyDirectory
    init(_ directory: KeyDirectory) { self.directory = directory }
}
