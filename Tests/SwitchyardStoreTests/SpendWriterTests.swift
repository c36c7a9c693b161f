import Logging
import SwitchyardTestSupport
import Testing

@testable import SwitchyardStore

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
