import Synchronization
import SwitchyardStore

/// A store whose spend-log appends fail while `failing` is set (a database that refuses writes), counting
/// the attempts; everything else goes to `inner`.
public final class FlakyStore: Store {
    public let inner: any Store
    public let failing = Atomic<Bool>(true)
    public let attempts = Atomic<Int>(0)
    public var engine: String { inner.engine }

    public init(_ inner: any Store = MemoryStore(), failing: Bool = true) {
        self.inner = inner
        self.failing.store(failing, ordering: .relaxed)
    }

    public func migrate() async throws { try await inner.migrate() }
    public func keys() async throws -> [KeyRecord] { try await inner.keys() }
    public func teams() async throws -> [TeamRecord] { try await inner.teams() }
    public func save(key: KeyRecord) async throws { try await inner.save(key: key) }
    public func save(team: TeamRecord) async throws { try await inner.save(team: team) }
    public func deleteTeam(id: String) async throws -> Bool { try await inner.deleteTeam(id: id) }
    public func append(_ rows: [SpendRow]) async throws {
        attempts.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw StoreError("the database is down") }
        try await inner.append(rows)
    }
    public func requests(_ query: RequestQuery) async throws -> [SpendRow] { try await inner.requests(query) }
    public func request(id: String) async throws -> SpendRow? { try await inner.request(id: id) }
    public func spend(_ query: SpendQuery) async throws -> [SpendGroup] { try await inner.spend(query) }
    public func spent(_ scope: SpendScope, since: UTCTime.Millis) async throws -> MicroUSD { try await inner.spent(scope, since: since) }
    public func lease(_ request: LeaseRequest) async throws -> MicroUSD { try await inner.lease(request) }
    public func claimAlert(scope: SpendScope, periodStart: UTCTime.Millis) async throws -> Bool {
        try await inner.claimAlert(scope: scope, periodStart: periodStart)
    }
    public func exchangeRates(instance: String, minute: Int64, counts: [String: RateCount]) async throws -> [String: RemoteRates] {
        try await inner.exchangeRates(instance: instance, minute: minute, counts: counts)
    }
    public func close() async { await inner.close() }
}

