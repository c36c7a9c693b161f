/// Where keys, teams, budget leases and the spend log live (DESIGN.md "Store"): one protocol, three
/// engines — SQLite (the embedded default), PostgreSQL (shared by many instances) and memory (tests,
/// demos). The request path never calls it: keys are read into memory, spend rows go through
/// `SpendWriter`, budgets are leased in slices (`BudgetLease`).
public protocol Store: Sendable {
    /// Which engine, for logs and `/ready`.
    var engine: String { get }

    /// Creates the schema or brings it up to date (forward-only, idempotent migrations).
    func migrate() async throws

    func keys() async throws -> [KeyRecord]
    func teams() async throws -> [TeamRecord]
    /// Inserts or replaces by id.
    func save(key: KeyRecord) async throws
    func save(team: TeamRecord) async throws
    /// false when no such team.
    func deleteTeam(id: String) async throws -> Bool

    /// Appends spend rows and adds them to the hourly roll-ups, in one transaction. Idempotent by `rowID`:
    /// a batch retried after an unclear failure is not counted twice.
    func append(_ rows: [SpendRow]) async throws
    /// Newest first.
    func requests(_ query: RequestQuery) async throws -> [SpendRow]
    /// The newest row with this `x-request-id`.
    func request(id: String) async throws -> SpendRow?
    /// Sums from the hourly roll-ups, grouped.
    func spend(_ query: SpendQuery) async throws -> [SpendGroup]
    /// What `scope` spent since `since`, from the roll-ups.
    func spent(_ scope: SpendScope, since: UTCTime.Millis) async throws -> MicroUSD

    /// Grants `instance` up to `amount` more of a budget for the period starting `periodStart`, so that
    /// the sum over every instance's grant never exceeds `max`; returns the instance's whole grant
    /// afterwards. `spent` is what the instance has settled so far this period; leases not renewed
    /// before their expiry count only what they spent (their instance is gone).
    func lease(_ request: LeaseRequest) async throws -> MicroUSD
    /// Publishes this instance's requests and tokens per scope for `minute` (minutes since 1970) and
    /// returns every other instance's sums for that minute and the one before, by scope: how RPM/TPM
    /// counters are reconciled across instances.
    func exchangeRates(instance: String, minute: Int64, counts: [String: RateCount]) async throws -> [String: RemoteRates]

    /// Records the first crossing of a soft limit for a period; true only for the one caller that
    /// recorded it (the one that sends the alert), across instances.
    func claimAlert(scope: SpendScope, periodStart: UTCTime.Millis) async throws -> Bool

    func close() async
}

/// One instance's claim on a budget for a period (see `Store.lease`).
public struct LeaseRequest: Sendable, Hashable {
    public var scope: SpendScope
    public var periodStart: UTCTime.Millis
    public var instance: String
    /// The grant this instance wants to hold in total (it may be lower than before: unused budget
    /// given back).
    public var wanted: MicroUSD
    /// What this instance settled so far in the period (never given back).
    public var spent: MicroUSD
    public var max: MicroUSD
    public var expiresAt: UTCTime.Millis
    public var now: UTCTime.Millis

    public init(
        scope: SpendScope, periodStart: UTCTime.Millis, instance: String, wanted: MicroUSD, spent: MicroUSD,
        max: MicroUSD, expiresAt: UTCTime.Millis, now: UTCTime.Millis
    ) {
        self.scope = scope
        self.periodStart = periodStart
        self.instance = instance
        self.wanted = wanted
        self.spent = spent
        self.max = max
        self.expiresAt = expiresAt
        self.now = now
    }

    /// The grant to record, given what every other instance holds (`othersCommitted`: live leases'
    /// grants, expired leases' spending): as much of `wanted` as fits under `max`, never below `spent`.
    public func grant(othersCommitted: MicroUSD) -> MicroUSD {
        let room = Swift.max(0, max - othersCommitted)
        return Swift.max(spent, Swift.min(wanted, room))
    }
}

/// Requests and tokens counted in one minute.
public struct RateCount: Sendable, Hashable {
    public var requests: Int64
    public var tokens: Int64
    public init(requests: Int64, tokens: Int64) {
        self.requests = requests
        self.tokens = tokens
    }
}

/// The other instances' counts of one scope: the minute asked for and the one before it.
public struct RemoteRates: Sendable, Hashable {
    public var current = RateCount(requests: 0, tokens: 0)
    public var previous = RateCount(requests: 0, tokens: 0)
    public init() {}
}

public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The scope's text key in the tables: `key:ID`, `team:ID`, with `#model` for a per-model budget.
extension SpendScope {
    public var storageKey: String { "\(kind.rawValue):\(id)" + (model.map { "#\($0)" } ?? "") }
}
