import Logging
import Synchronization
import Testing

@testable import SwitchyardStore

/// A store whose appends fail while `failing` is set (a database outage), counting the attempts.
final class FlakyStore: Store {
    let inner = MemoryStore()
    let failing = Atomic<Bool>(true)
    let attempts = Atomic<Int>(0)
    var engine: String { "flaky" }

    func migrate() async throws {}
    func keys() async throws -> [KeyRecord] { try await inner.keys() }
    func teams() async throws -> [TeamRecord] { try await inner.teams() }
    func save(key: KeyRecord) async throws { try await inner.save(key: key) }
    func save(team: TeamRecord) async throws { try await inner.save(team: team) }
    func deleteTeam(id: String) async throws -> Bool { try await inner.deleteTeam(id: id) }
    func append(_ rows: [SpendRow]) async throws {
        attempts.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw StoreError("the database is down") }
        try await inner.append(rows)
    }
    func requests(_ query: RequestQuery) async throws -> [SpendRow] { try await inner.requests(query) }
    func request(id: String) async throws -> SpendRow? { try await inner.request(id: id) }
    func spend(_ query: SpendQuery) async throws -> [SpendGroup] { try await inner.spend(query) }
    func spent(_ scope: SpendScope, since: UTCTime.Millis) async throws -> MicroUSD { try await inner.spent(scope, since: since) }
    func lease(_ request: LeaseRequest) async throws -> MicroUSD { try await inner.lease(request) }
    func claimAlert(scope: SpendScope, periodStart: UTCTime.Millis) async throws -> Bool {
        try await inner.claimAlert(scope: scope, periodStart: periodStart)
    }
    func close() async {}
}

@Suite struct SpendWriterTests {
    @Test func rowsSurviveAnOutageInOrderAndOnce() async throws {
        let store = FlakyStore()
        let writer = SpendWriter(store: store, logger: StoreEngine.logger, interval: .milliseconds(5), batchSize: 7)
        let running = Task { await writer.run() }
        for n in 1...50 { writer.enqueue(StoreTests.row(n, time: StoreTests.t0 + Int64(n))) }
        // Wait until the writer has failed a few times, then let the database come back.
        while store.attempts.load(ordering: .relaxed) < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(writer.backlog == 50, "nothing is dropped while the store fails")
        store.failing.store(false, ordering: .relaxed)
        #expect(await writer.flush(timeout: .seconds(20)) == 0)
        running.cancel()
        await running.value
        let rows = try await store.requests({ var q = RequestQuery(); q.limit = 1000; return q }())
        #expect(rows.count == 50)
        #expect(Set(rows.map(\.rowID)).count == 50)
    }

    @Test func aBacklogOverItsLimitTurnsOnBackpressure() async throws {
        let store = FlakyStore()
        let writer = SpendWriter(store: store, logger: StoreEngine.logger, interval: .milliseconds(5), batchSize: 10, backlogLimit: 20)
        for n in 1...25 { writer.enqueue(StoreTests.row(n, time: StoreTests.t0)) }
        #expect(writer.isBackedUp)
        store.failing.store(false, ordering: .relaxed)
        #expect(await writer.flush(timeout: .seconds(10)) == 0)
        #expect(!writer.isBackedUp, "off again once the store caught up")
        #expect(try await store.requests(RequestQuery()).count == 25)
    }
}
