import SwitchyardConfig
import Testing

@testable import SwitchyardGovernance
@testable import SwitchyardStore

/// Keys, limits and budgets, through `Governance` on a real store.
@Suite struct GovernanceTests {
    static func governance(_ store: any Store = MemoryStore(), declared: [GatewayConfig.DeclaredKey] = [], instance: String? = nil)
        async throws -> Governance
    {
        let governance = Governance(
            store: store, governance: GatewayConfig.Governance(), declaredKeys: declared, logger: StoreEngine.logger,
            instance: instance)
        try await governance.start()
        return governance
    }

    static func draft(_ name: String, _ edit: (inout KeyRecord) -> Void = { _ in }) -> KeyRecord {
        var key = KeyRecord(id: "", name: name, secretHash: "", keyPrefix: "", createdAt: 0)
        edit(&key)
        return key
    }

    static func query(_ model: String = "gpt-4o", worstCase: MicroUSD? = 100, tokens: Int = 10) -> AdmissionQuery {
        AdmissionQuery(names: [model, "openai/\(model)"], model: model, worstCase: worstCase, estimatedTokens: tokens)
    }

    @Test func secretsAreShownOnceAndStoredHashed() async throws {
        let governance = try await Self.governance()
        let (record, secret) = try await governance.createKey(Self.draft("ci"))
        #expect(secret.hasPrefix("sk-sy-") && secret.count == 46)
        #expect(secret.dropFirst(6).allSatisfy { $0.isLetter || $0.isNumber })
        #expect(record.id.hasPrefix("key_") && record.keyPrefix == String(secret.prefix(10)))
        let stored = try #require(try await governance.store.keys().first)
        #expect(stored.secretHash == VirtualKeySecret.hash(Array(secret.utf8)) && !stored.secretHash.contains(secret))
        #expect(governance.authenticate(Array(secret.utf8))?.key.id == record.id)
        #expect(governance.authenticate(Array((secret + "x").utf8)) == nil)
    }

    @Test func revokedExpiredAndRotatedKeysStopWorking() async throws {
        let governance = try await Self.governance()
        let (revoked, revokedSecret) = try await governance.createKey(Self.draft("a"))
        try await governance.revokeKey(id: revoked.id)
        #expect(governance.authenticate(Array(revokedSecret.utf8)) == nil)

        let (_, expiringSecret) = try await governance.createKey(Self.draft("b") { $0.expiresAt = UTCTime.now() + 60_000 })
        #expect(governance.authenticate(Array(expiringSecret.utf8)) != nil)
        #expect(governance.authenticate(Array(expiringSecret.utf8), now: UTCTime.now() + 61_000) == nil)

        let (rotating, oldSecret) = try await governance.createKey(Self.draft("c"))
        let (_, newSecret) = try await governance.rotateKey(id: rotating.id, graceMillis: 3_600_000)
        #expect(governance.authenticate(Array(newSecret.utf8)) != nil)
        #expect(governance.authenticate(Array(oldSecret.utf8)) != nil, "within the grace")
        #expect(governance.authenticate(Array(oldSecret.utf8), now: UTCTime.now() + 3_600_001) == nil)
        let (_, newest) = try await governance.rotateKey(id: rotating.id, graceMillis: 0)
        #expect(governance.authenticate(Array(newSecret.utf8)) == nil, "no grace: the old secret stops at once")
        #expect(governance.authenticate(Array(newest.utf8)) != nil)
    }

    @Test func allowListsMatchWildcardsAndTheTeamNarrows() async throws {
        #expect(ModelPatterns(["gpt-4o*"]).allows(["gpt-4o-mini"]))
        #expect(!ModelPatterns(["gpt-4o*"]).allows(["gpt-5"]))
        #expect(ModelPatterns(["anthropic/*"]).allows(["claude-x", "anthropic/claude-x"]))
        #expect(ModelPatterns(["*mini*"]).allows(["gpt-4o-mini-2024"]))
        #expect(!ModelPatterns([]).allows(["x"]))
        #expect(ModelPatterns(["a*b*c"]).allows(["aXXbYYc"]) && !ModelPatterns(["a*b*c"]).allows(["aXXbYY"]))
        #expect(!ModelPatterns([String(repeating: "*a", count: 30) + "b"]).allows([String(repeating: "a", count: 200)]))

        let governance = try await Self.governance()
        let team = try await governance.createTeam(TeamRecord(id: "", name: "t", models: ["gpt-4o*"], createdAt: 0))
        let (key, secret) = try await governance.createKey(Self.draft("k") { $0.team = team.id; $0.models = ["*"] })
        let grant = try #require(governance.authenticate(Array(secret.utf8)))
        #expect(grant.key.id == key.id)
        guard case .success = await governance.admit(grant, Self.query("gpt-4o-mini")) else {
            Issue.record("allowed by both lists")
            return
        }
        #expect(await governance.admit(grant, Self.query("claude")).refusal == .modelNotAllowed(model: "claude"))
    }

    @Test func requestsPerMinuteAndParallelLimits() async throws {
        let governance = try await Self.governance()
        let (_, secret) = try await governance.createKey(Self.draft("k") { $0.rpm = 3; $0.maxParallel = 2 })
        let grant = try #require(governance.authenticate(Array(secret.utf8)))
        let now = UTCTime.parse("2026-12-04T10:00:10Z") ?? 0
        let first = try #require(await governance.admit(grant, Self.query(), now: now).ticket)
        let second = try #require(await governance.admit(grant, Self.query(), now: now).ticket)
        #expect(await governance.admit(grant, Self.query(), now: now).refusal == .tooManyParallel(limit: 2))
        first.settle(cost: 0, tokens: 0, now: now)
        let third = try #require(await governance.admit(grant, Self.query(), now: now).ticket)
        #expect(third.rateLimitHeaders.contains { $0 == ("x-ratelimit-remaining-requests", "0") })
        second.settle(cost: 0, tokens: 0, now: now)
        third.settle(cost: 0, tokens: 0, now: now)
        guard case .rateLimited(let limit, let retry)? = await governance.admit(grant, Self.query(), now: now).refusal else {
            Issue.record("the fourth request in a minute is over the rpm")
            return
        }
        #expect(limit == "key rpm" && retry >= 1)
        // Two minutes later the window is empty again.
        #expect(await governance.admit(grant, Self.query(), now: now + 120_000).ticket != nil)
    }

    @Test func aTicketDroppedWithoutSettlingGivesItsHoldsBack() async throws {
        let governance = try await Self.governance()
        let (_, secret) = try await governance.createKey(Self.draft("k") { $0.maxParallel = 1; $0.budget = Budget(max: 100, period: .day) })
        let grant = try #require(governance.authenticate(Array(secret.utf8)))
        do {
            let ticket = await governance.admit(grant, Self.query(worstCase: 100)).ticket
            #expect(ticket != nil)
            #expect(await governance.admit(grant, Self.query(worstCase: 1)).refusal == .tooManyParallel(limit: 1))
        }
        // The first ticket is gone (a path that never reached the completion point): nothing stays held.
        let again = await governance.admit(grant, Self.query(worstCase: 100))
        #expect(again.ticket != nil, "\(String(describing: again.refusal))")
    }

    @Test(arguments: StoreEngine.available)
    func concurrentRequestsNeverOvershootAHardCap(_ engine: StoreEngine) async throws {
        let store = try await engine.open()
        defer { Task { await store.close() } }
        let governance = try await Self.governance(store)
        let (_, secret) = try await governance.createKey(Self.draft("k") { $0.budget = Budget(max: 1_000, period: .month) })
        let grant = try #require(governance.authenticate(Array(secret.utf8)))
        // 50 concurrent requests, each reserving a worst case of 100 and really costing 60.
        let admitted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    guard let ticket = await governance.admit(grant, Self.query(worstCase: 100)).ticket else { return false }
                    try? await Task.sleep(for: .milliseconds(20))
                    ticket.settle(cost: 60, tokens: 10)
                    return true
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let account = try #require(governance.ledger.all.first?.snapshot)
        #expect(account.spent == MicroUSD(admitted) * 60)
        #expect(account.spent <= 1_000, "never over the cap")
        #expect(admitted >= 10, "at least the worst cases that fit at once were served")
        #expect(account.reserved == 0)
        // What is left admits smaller requests until the real spend reaches the cap.
        while let ticket = await governance.admit(grant, Self.query(worstCase: 60)).ticket { ticket.settle(cost: 60, tokens: 1) }
        #expect(governance.ledger.all.first?.snapshot.spent ?? 0 <= 1_000)
        #expect(await governance.admit(grant, Self.query(worstCase: 60)).refusal == .budgetExceeded(scope: "key", period: .month))
    }

    @Test func twoInstancesOnOneStoreShareTheCap() async throws {
        let store = try await (StoreEngine.postgresURL == nil ? StoreEngine.sqlite : .postgres).open()
        defer { Task { await store.close() } }
        let a = try await Self.governance(store, instance: "a")
        let b = try await Self.governance(store, instance: "b")
        let (key, secret) = try await a.createKey(Self.draft("k") { $0.budget = Budget(max: 1_000, period: .total) })
        try await b.refresh()
        let grantA = try #require(a.authenticate(Array(secret.utf8)))
        let grantB = try #require(b.authenticate(Array(secret.utf8)))
        var spent: MicroUSD = 0
        for round in 0..<40 {
            let (governance, grant) = round % 2 == 0 ? (a, grantA) : (b, grantB)
            guard let ticket = await governance.admit(grant, Self.query(worstCase: 50)).ticket else { continue }
            ticket.settle(cost: 50, tokens: 1)
            spent += 50
            if round % 5 == 4 {
                await a.sync()
                await b.sync()
            }
        }
        #expect(spent <= 1_000, "the two instances together stay within the cap")
        #expect(spent >= 500, "each instance could use its share")
        #expect(key.budget?.max == 1_000)
    }

    @Test func instancesOnPostgreSQLShareOneRPM() async throws {
        guard StoreEngine.postgresURL != nil else { return }
        let store = try await StoreEngine.postgres.open()
        defer { Task { await store.close() } }
        let a = try await Self.governance(store, instance: "a")
        let b = try await Self.governance(store, instance: "b")
        let (_, secret) = try await a.createKey(Self.draft("k") { $0.rpm = 10 })
        try await b.refresh()
        let grantA = try #require(a.authenticate(Array(secret.utf8)))
        let grantB = try #require(b.authenticate(Array(secret.utf8)))
        // Early in a minute, so the window does not roll during the test.
        let now = (UTCTime.floorDiv(UTCTime.now(), 60_000) + 1) * 60_000 + 1_000
        for _ in 0..<6 { #expect(await a.admit(grantA, Self.query(), now: now).ticket != nil) }
        await a.exchangeRates(now: now)
        await b.exchangeRates(now: now)
        var servedByB = 0
        while await b.admit(grantB, Self.query(), now: now).ticket != nil { servedByB += 1 }
        #expect(servedByB == 4, "b knows a's six of the ten")
    }

    @Test func declaredKeysWorkAndCreateTheirTeam() async throws {
        var declared = GatewayConfig.DeclaredKey(name: "ci-bot", key: "ci-bot-secret-0123456789")
        declared.team = "platform"
        declared.rpm = 60
        declared.models = ["gpt-4o-mini"]
        let store = MemoryStore()
        let governance = try await Self.governance(store, declared: [declared])
        let grant = try #require(governance.authenticate(Array("ci-bot-secret-0123456789".utf8)))
        #expect(grant.key.name == "ci-bot" && grant.key.rpm == 60 && grant.key.source == "config")
        #expect(grant.team?.name == "platform")
        // A restart with the same config keeps one key and one team.
        let again = try await Self.governance(store, declared: [declared])
        #expect(again.keys().count == 1 && again.teams().count == 1)
    }
}

extension Result where Success == AdmissionTicket, Failure == Refusal {
    var ticket: AdmissionTicket? { try? get() }
    var refusal: Refusal? {
        if case .failure(let refusal) = self { return refusal }
        return nil
    }
}
