import Testing

@testable import SwitchyardStore

/// The store's rules, the same for every engine.
@Suite struct StoreTests {
    static func row(
        _ n: Int, time: UTCTime.Millis, key: String? = "key_a", team: String? = "team_a", model: String = "gpt-4o",
        provider: String = "openai", status: Int = 200, cost: MicroUSD = 1000, input: Int = 10, output: Int = 5
    ) -> SpendRow {
        SpendRow(
            rowID: "row-\(n)", id: "req-\(n)", time: time, keyID: key, teamID: team, endpoint: "/v1/chat/completions",
            model: model, provider: provider, upstreamModel: model, status: status, inputTokens: input, outputTokens: output,
            cachedInputTokens: 2, cacheWriteTokens: 1, reasoningTokens: 3, cost: cost, latencyMs: 12, ttftMs: 4, attempts: 1)
    }

    static let t0 = UTCTime.parse("2026-12-04T10:15:00Z") ?? 0

    @Test(arguments: StoreEngine.available)
    func keysAndTeamsRoundTrip(_ engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.close() } }
        let team = TeamRecord(
            id: "team_1", name: "platform", models: ["gpt-4o*"], rpm: 100, budget: Budget(max: 5_000_000, soft: 4_000_000, period: .week),
            modelBudgets: ["gpt-4o": Budget(max: 1_000_000, period: .day)], zeroRetention: true, metadata: #"{"cost_center":"42"}"#,
            createdAt: Self.t0)
        try await store.save(team: team)
        var key = KeyRecord(
            id: "key_1", name: "ci", secretHash: "abc", keyPrefix: "sk-sy-abcd", team: "team_1", models: ["*"], rpm: 10, tpm: 1000,
            maxParallel: 2, budget: Budget(max: 10_000_000, period: .month), expiresAt: Self.t0 + 1000, createdAt: Self.t0)
        try await store.save(key: key)
        #expect(try await store.teams() == [team])
        #expect(try await store.keys() == [key])
        key.revokedAt = Self.t0 + 5
        key.previousSecretHash = "old"
        key.previousValidUntil = Self.t0 + 10
        try await store.save(key: key)
        #expect(try await store.keys() == [key], "a save replaces by id")
        #expect(try await store.deleteTeam(id: "team_1"))
        #expect(try await store.deleteTeam(id: "team_1") == false)
        #expect(try await store.teams().isEmpty)
    }

    @Test(arguments: StoreEngine.available)
    func appendsAreIdempotentAndRolledUp(_ engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.close() } }
        let rows = (1...5).map { Self.row($0, time: Self.t0 + Int64($0) * 1000) }
        try await store.append(rows)
        try await store.append(Array(rows[2...]))  // a retried batch
        try await store.append([Self.row(6, time: Self.t0 + 3_600_000, status: 429, cost: 0)])
        let all = try await store.requests(RequestQuery())
        #expect(all.map(\.rowID) == ["row-6", "row-5", "row-4", "row-3", "row-2", "row-1"], "newest first, no duplicates")
        #expect(all.last == rows[0], "every column survives")
        var byHour = SpendQuery()
        byHour.groupBy = [.hour]
        let hours = try await store.spend(byHour).sorted { ($0.fields[.hour] ?? "") < ($1.fields[.hour] ?? "") }
        #expect(hours.map { $0.fields[.hour] } == ["2026-12-04T10:00:00Z", "2026-12-04T11:00:00Z"])
        #expect(hours.map(\.totals.requests) == [5, 1])
        #expect(hours.map(\.totals.errors) == [0, 1])
        #expect(hours[0].totals.cost == 5000 && hours[0].totals.inputTokens == 50 && hours[0].totals.reasoningTokens == 15)
        #expect(try await store.spent(SpendScope(kind: .key, id: "key_a"), since: UTCTime.startOfDay(Self.t0)) == 5000)
        #expect(try await store.spent(SpendScope(kind: .team, id: "team_a", model: "gpt-4o"), since: Self.t0 + 3_600_000) == 0)
        #expect(try await store.spent(SpendScope(kind: .key, id: "key_b"), since: 0) == 0)
        #expect(try await store.request(id: "req-3") == rows[2])
    }

    @Test(arguments: StoreEngine.available)
    func spendGroupsAndFilters(_ engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.close() } }
        try await store.append([
            Self.row(1, time: Self.t0, model: "gpt-4o", cost: 100),
            Self.row(2, time: Self.t0 + 1, model: "claude", provider: "anthropic", cost: 200),
            Self.row(3, time: Self.t0 + 86_400_000, key: "key_b", team: nil, model: "gpt-4o", cost: 400),
        ])
        var query = SpendQuery()
        query.groupBy = [.model, .day]
        let groups = try await store.spend(query)
        #expect(Set(groups.map { "\($0.fields[.model] ?? "")@\($0.fields[.day] ?? "")=\($0.totals.cost)" }) == [
            "gpt-4o@2026-12-04T00:00:00Z=100", "claude@2026-12-04T00:00:00Z=200", "gpt-4o@2026-12-05T00:00:00Z=400",
        ])
        query = SpendQuery()
        query.groupBy = [.team]
        #expect(Set(try await store.spend(query).map { "\($0.fields[.team] ?? "?")=\($0.totals.cost)" }) == ["team_a=300", "=400"])
        query = SpendQuery()
        query.key = "key_a"
        query.from = Self.t0
        query.to = Self.t0 + 3_600_000
        #expect(try await store.spend(query).map(\.totals.cost) == [300])
        query.key = "nobody"
        #expect(try await store.spend(query).isEmpty)
    }

    @Test(arguments: StoreEngine.available)
    func requestPagesFollowTheCursor(_ engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.close() } }
        try await store.append((1...7).map { Self.row($0, time: Self.t0 + Int64($0 % 3)) })
        var query = RequestQuery()
        query.limit = 3
        var seen: [String] = []
        for _ in 0..<4 {
            let page = try await store.requests(query)
            seen += page.map(\.rowID)
            guard page.count == query.limit, let last = page.last else { break }
            query.before = (last.time, last.rowID)
        }
        #expect(seen.count == 7 && Set(seen).count == 7)
        var filter = RequestQuery()
        filter.status = 200
        filter.model = "gpt-4o"
        filter.from = Self.t0 + 2
        #expect(Set(try await store.requests(filter).map(\.rowID)) == ["row-2", "row-5"])
    }

    @Test(arguments: StoreEngine.available)
    func leasesNeverGrantMoreThanTheCap(_ engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.close() } }
        let scope = SpendScope(kind: .key, id: "key_a")
        func lease(_ instance: String, wanted: MicroUSD, spent: MicroUSD = 0, expires: UTCTime.Millis = Self.t0 + 10_000)
            async throws -> MicroUSD
        {
            try await store.lease(
                LeaseRequest(
                    scope: scope, periodStart: 0, instance: instance, wanted: wanted, spent: spent, max: 1000,
                    expiresAt: expires, now: Self.t0))
        }
        #expect(try await lease("a", wanted: 600) == 600)
        #expect(try await lease("b", wanted: 600) == 400, "only what is left under the cap")
        #expect(try await lease("c", wanted: 100) == 0)
        #expect(try await lease("a", wanted: 100, spent: 100) == 100, "a gives back what it does not need")
        #expect(try await lease("c", wanted: 600) == 500)
        // Concurrent grants still stay under the cap.
        let grants = try await withThrowingTaskGroup(of: MicroUSD.self) { group in
            for i in 0..<8 { group.addTask { try await lease("x\(i)", wanted: 300) } }
            return try await group.reduce(0, +)
        }
        #expect(grants == 0, "the cap is fully granted already")
        // A lease that expired counts only what its instance spent.
        #expect(try await lease("b", wanted: 400, spent: 50, expires: Self.t0 - 1) == 400)
        #expect(try await lease("d", wanted: 1000) == 350, "b's expired lease holds 50, a 100, c 500")
        #expect(try await store.claimAlert(scope: scope, periodStart: 0))
        #expect(try await store.claimAlert(scope: scope, periodStart: 0) == false, "one alert per period")
        #expect(try await store.claimAlert(scope: scope, periodStart: 1))
    }

    @Test func migrationsRunOnceAndSurviveReopening() async throws {
        let path = StoreEngine.temporaryFile()
        let first = try await SQLStore.sqlite(path: path, logger: StoreEngine.logger)
        try await first.migrate()
        try await first.append([Self.row(1, time: Self.t0)])
        await first.close()
        let second = try await SQLStore.sqlite(path: path, logger: StoreEngine.logger)
        try await second.migrate()
        try await second.migrate()
        #expect(try await second.requests(RequestQuery()).map(\.rowID) == ["row-1"])
        await second.close()
    }
}

extension StoreTests {
    @Test(arguments: StoreEngine.available)
    func instancesExchangeTheirRateCounts(_ engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.close() } }
        let minute: Int64 = 29_000_000
        #expect(try await store.exchangeRates(instance: "a", minute: minute - 1, counts: ["key:k": RateCount(requests: 5, tokens: 50)]).isEmpty)
        _ = try await store.exchangeRates(instance: "a", minute: minute, counts: ["key:k": RateCount(requests: 2, tokens: 20)])
        let seenByB = try await store.exchangeRates(instance: "b", minute: minute, counts: ["key:k": RateCount(requests: 1, tokens: 9)])
        #expect(seenByB["key:k"]?.current == RateCount(requests: 2, tokens: 20))
        #expect(seenByB["key:k"]?.previous == RateCount(requests: 5, tokens: 50))
        // A newer count replaces the instance's earlier one for the minute.
        _ = try await store.exchangeRates(instance: "a", minute: minute, counts: ["key:k": RateCount(requests: 3, tokens: 30)])
        let again = try await store.exchangeRates(instance: "b", minute: minute, counts: [:])
        #expect(again["key:k"]?.current == RateCount(requests: 3, tokens: 30))
        let seenByA = try await store.exchangeRates(instance: "a", minute: minute, counts: [:])
        #expect(seenByA["key:k"]?.current == RateCount(requests: 1, tokens: 9), "an instance never counts itself twice")
    }
}
