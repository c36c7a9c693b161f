import Foundation
import FakeProviderKit
import SwitchyardConfig
import SwitchyardCore
import SwitchyardStore
import SwitchyardTestSupport
import Testing

@testable import SwitchyardServer

/// Governance through the real server on both SQL engines (CONTRACT §2, issue 13's list): a SQLite file,
/// and PostgreSQL on the server the test command starts.
@Suite struct GovernanceEngineTests {
    static let engines = ["sqlite", "postgres"]

    /// The `store:` line for an engine, or nil when PostgreSQL is not available here.
    static func store(_ engine: String) async throws -> String? {
        switch engine {
        case "sqlite": return "store: { sqlite: \"\(NSTemporaryDirectory())switchyard-engine-\(UUID().uuidString).db\" }"
        default:
            guard ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES"] != nil else { return nil }
            return "store: { postgres: \"\(try await PostgresTestDatabase.create())\" }"
        }
    }

    static func config(_ fake: RunningFakeProviders, store: String, extra: String = "") -> String {
        """
        \(store)
        governance: { sync_interval: "200ms"\(extra) }
        providers:
          openai: { kind: openai, api_key: sk-provider-secret, base_url: "\(fake.baseURL(.openai))" }
          broken: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=500"))" }
          hanging: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "hang=1"))", timeouts: { first_byte: 60s } }
          slow: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "chunk_delay=200,chunks=20"))" }
        models:
          - name: house
            to: openai/gpt-4o-mini
          - name: failing-over
            to: broken/gpt-4o-mini
            fallbacks: [openai/gpt-4o-mini]
          - name: always-broken
            to: broken/gpt-4o-mini
        """
    }

    static func key(_ h: GatewayHarness, _ body: String) async throws -> (id: String, secret: String) {
        let created = try await h.request("/admin/keys", body: body)
        #expect(created.status == 201, "\(created.text)")
        return (created.json["id"]?.stringValue ?? "", created.json["key"]?.stringValue ?? "")
    }

    static func chat(_ h: GatewayHarness, _ secret: String, model: String = "house", extra: String = "", id: String? = nil)
        async throws -> GatewayHarness.Answer
    {
        try await h.request(
            "/v1/chat/completions", body: GatewayHarness.chat(model, extra: extra), key: secret,
            headers: id.map { [("x-request-id", $0)] } ?? [])
    }

    @Test(arguments: engines)
    func keyLifecycle(_ engine: String) async throws {
        guard let store = try await Self.store(engine) else { return }
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            let (id, secret) = try await Self.key(h, #"{"name":"life"}"#)
            #expect(try await Self.chat(h, secret).status == 200)
            #expect(!(try await h.get("/admin/keys")).text.contains(secret), "listed without the secret")

            // Rotation with a grace: both secrets work; without one, only the newest.
            let rotated = try await h.request("/admin/keys/\(id)/rotate", body: #"{"grace":"1h"}"#)
            let second = try #require(rotated.json["key"]?.stringValue)
            #expect(try await Self.chat(h, second).status == 200)
            #expect(try await Self.chat(h, secret).status == 200, "the old secret works during the grace")
            let third = try #require(try await h.request("/admin/keys/\(id)/rotate", body: "{}").json["key"]?.stringValue)
            #expect(try await Self.chat(h, second).status == 401, "no grace: the previous secret stops at once")
            #expect(try await Self.chat(h, third).status == 200)

            // Expiry.
            let (_, expiring) = try await Self.key(h, #"{"name":"brief","expires_at":"2020-01-01T00:00:00Z"}"#)
            let expired = try await Self.chat(h, expiring)
            #expect(expired.status == 401 && expired.json["error"]?["code"]?.stringValue == "invalid_api_key")

            #expect(try await h.request("/admin/keys/\(id)", method: .DELETE).status == 204)
            #expect(try await Self.chat(h, third).status == 401)
        }
    }

    @Test(arguments: engines)
    func theTeamsTighterLimitWinsAndWildcardsNarrow(_ engine: String) async throws {
        guard let store = try await Self.store(engine) else { return }
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            let team = try await h.request("/admin/teams", body: #"{"name":"t","rpm":2,"models":["house","openai/*"]}"#)
            let teamID = try #require(team.json["id"]?.stringValue)
            let (_, secret) = try await Self.key(h, #"{"name":"k","team":"\#(teamID)","rpm":10,"models":["*"]}"#)
            let first = try await Self.chat(h, secret)
            #expect(first.status == 200 && first.header("x-ratelimit-limit-requests") == "2", "the team's 2 is tighter than 10")
            let denied = try await Self.chat(h, secret, model: "failing-over")
            #expect(denied.status == 403, "the key allows '*', its team does not")
            #expect(try await Self.chat(h, secret, model: "openai/gpt-4o-mini").status == 200)
            let limited = try await Self.chat(h, secret)
            #expect(limited.status == 429 && limited.json["error"]?["message"]?.stringValue?.contains("team rpm") == true)
            #expect(Int(limited.header("retry-after") ?? "") ?? 0 >= 1)
        }
    }

    @Test(arguments: engines)
    func tokensPerMinuteAndParallelRequests(_ engine: String) async throws {
        guard let store = try await Self.store(engine) else { return }
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            // Each request counts its input estimate and max_tokens until the usage is known, then its real
            // tokens: a 120-word prompt is echoed back, so one request uses about 240 of the 300.
            let (_, secret) = try await Self.key(h, #"{"name":"tpm","tpm":300}"#)
            let words = Array(repeating: "word", count: 120).joined(separator: " ")
            let body = GatewayHarness.chat("house", words, extra: #","max_tokens":10"#)
            let first = try await h.request("/v1/chat/completions", body: body, key: secret)
            #expect(first.status == 200 && first.header("x-ratelimit-limit-tokens") == "300")
            let remaining = Int(first.header("x-ratelimit-remaining-tokens") ?? "") ?? -1
            #expect(remaining >= 0 && remaining < 300, "the request's tokens are counted")
            let refused = try await h.request("/v1/chat/completions", body: body, key: secret)
            #expect(refused.status == 429 && refused.json["error"]?["message"]?.stringValue?.contains("key tpm") == true)
            #expect(refused.header("x-ratelimit-remaining-tokens") != nil && refused.header("retry-after") != nil)

            // max_parallel: one stream at a time. Once the provider has the stream's request, a second
            // request of the key is refused.
            let (_, single) = try await Self.key(h, #"{"name":"one","max_parallel":1}"#)
            let seen = await h.fake.requests().count
            let streaming = Task {
                try await Self.chat(h, single, model: "slow/gpt-4o-mini", extra: #","stream":true"#)
            }
            let deadline = ContinuousClock.now + .seconds(10)
            while await h.fake.requests().count == seen, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            let parallel: GatewayHarness.Answer? = try await Self.chat(h, single)
            #expect(parallel?.json["error"]?["code"]?.stringValue == "too_many_parallel_requests")
            #expect(parallel?.header("retry-after") == "1")
            #expect(try await streaming.value.status == 200)
            #expect(try await Self.chat(h, single).status == 200, "free again once the stream ended")
        }
    }

    @Test(arguments: engines)
    func aSoftLimitAlertsTheWebhookOncePerPeriod(_ engine: String) async throws {
        guard let store = try await Self.store(engine) else { return }
        let receiver = WebhookReceiver()
        try await receiver.run { hook in
            try await GatewayHarness.run({ Self.config($0, store: store, extra: ", alerts: { webhook: \"\(hook)\" }") }) { h in
                let (id, secret) = try await Self.key(
                    h, #"{"name":"alerted","budget":{"max_usd":10,"soft_usd":0.000001,"period":"month"}}"#)
                for _ in 0..<5 { #expect(try await Self.chat(h, secret).status == 200) }
                let deadline = ContinuousClock.now + .seconds(10)
                while receiver.received.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                // More requests and sync rounds later, still one alert for this period.
                for _ in 0..<3 { _ = try await Self.chat(h, secret) }
                try await Task.sleep(for: .milliseconds(800))
                let alerts = receiver.received
                #expect(alerts.count == 1, "\(alerts)")
                let alert = try JSON.parse(alerts.first ?? "{}")
                #expect(alert["type"]?.stringValue == "budget.soft_limit" && alert["scope"]?.stringValue == "key")
                #expect(alert["id"]?.stringValue == id && alert["name"]?.stringValue == "alerted")
                #expect(alert["period"]?.stringValue == "month" && alert["max_usd"]?.doubleValue == 10)
                #expect(alert["spent_usd"]?.doubleValue ?? 0 >= 0.000001 && alert["at"]?.stringValue?.hasSuffix("Z") == true)
            }
        }
    }

    @Test(arguments: engines)
    func fiftyConcurrentRequestsNeverOvershootTheCap(_ engine: String) async throws {
        guard let store = try await Self.store(engine) else { return }
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            let (id, secret) = try await Self.key(h, #"{"name":"capped","budget":{"max_usd":0.0002,"period":"day"}}"#)
            let body = GatewayHarness.chat("house", extra: #","max_tokens":8"#)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<50 { group.addTask { try await h.request("/v1/chat/completions", body: body, key: secret).status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let served = statuses.filter { $0 == 200 }.count
            #expect(Set(statuses).isSubset(of: [200, 429]))
            let budget = try #require(
                try await h.get("/admin/budgets").json["data"]?.arrayValue?.first { $0["id"]?.stringValue == id })
            let spent = budget["spent_usd"]?.doubleValue ?? 1
            #expect(spent <= 0.0002, "settled spend within the cap: \(spent)")
            #expect(budget["reserved_usd"]?.doubleValue == 0, "every hold was settled")
            // Requests that fit were not refused: at least as many were served as worst cases fit in the cap
            // (gpt-4o-mini: $0.15 per million input tokens at two bytes a token, $0.60 for the 8 output tokens).
            let worstCase = (Double(body.utf8.count / 2) * 0.15 + 8 * 0.6).rounded(.up)
            #expect(Double(served) >= (200 / worstCase).rounded(.down), "served \(served), spent \(spent), worst case \(worstCase) µ$")
        }
    }

    @Test(arguments: engines)
    func holdsAreReleasedOnUpstreamErrorDepartureAndFailover(_ engine: String) async throws {
        guard let store = try await Self.store(engine) else { return }
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            let (id, secret) = try await Self.key(h, #"{"name":"held","max_parallel":1,"budget":{"max_usd":5,"period":"day"}}"#)
            #expect(try await Self.chat(h, secret, model: "always-broken").status == 502)
            #expect(try await Self.chat(h, secret, model: "failing-over").status == 200)
            // A client that leaves while its provider hangs (once the provider has its request).
            let seen = await h.fake.requests().count
            try await ClientDepartureTests.leave(
                h, body: GatewayHarness.chat("hanging/gpt-4o-mini"), requestID: "held-gone-\(engine)", key: secret
            ) { await h.fake.requests().count > seen }
            let deadline = ContinuousClock.now + .seconds(10)
            var next = try await Self.chat(h, secret)
            while next.status == 429, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                next = try await Self.chat(h, secret)
            }
            #expect(next.status == 200, "the parallel slot and the budget hold came back: \(next.text)")
            let budget = try #require(
                try await h.get("/admin/budgets").json["data"]?.arrayValue?.first { $0["id"]?.stringValue == id })
            #expect(budget["reserved_usd"]?.doubleValue == 0)
            let rows = try await h.get("/admin/requests?key=\(id)").json["data"]?.arrayValue ?? []
            #expect(rows.map { $0["status"]?.intValue ?? 0 }.sorted() == [200, 200, 499, 502])
            let gone = rows.first { $0["id"]?.stringValue == "held-gone-\(engine)" }
            #expect(gone?["client_disconnected"]?.boolValue == true)
            let failedOver = rows.first { $0["attempts"]?.intValue == 2 }
            #expect(failedOver?["provider"]?.stringValue == "openai", "the row names the deployment that served")
        }
    }

    @Test(arguments: engines)
    func spendRowsMatchRequestsOneForOneAndSummariesAddUp(_ engine: String) async throws {
        guard let store = try await Self.store(engine) else { return }
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            let (id, secret) = try await Self.key(h, #"{"name":"rows","models":["house","slow/*"]}"#)
            var expected: [String: Int] = [:]
            for n in 0..<6 {
                let answer = try await Self.chat(h, secret, model: n % 3 == 2 ? "openai/gpt-4o" : "house", id: "rows-\(engine)-\(n)")
                expected["rows-\(engine)-\(n)"] = answer.status
            }
            // A stream the client leaves in the middle.
            try await h.streamThenLeave(
                body: GatewayHarness.chat("slow/gpt-4o-mini", extra: #","stream":true"#), key: secret, requestID: "rows-\(engine)-gone")
            expected["rows-\(engine)-gone"] = 200
            let deadline = ContinuousClock.now + .seconds(10)
            var rows: [JSONValue] = []
            while ContinuousClock.now < deadline {
                rows = try await h.get("/admin/requests?key=\(id)").json["data"]?.arrayValue ?? []
                if rows.count >= expected.count { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(rows.count == expected.count, "one row per request")
            for row in rows {
                let requestID = row["id"]?.stringValue ?? ""
                #expect(row["status"]?.intValue == expected[requestID], "\(requestID)")
            }
            let gone = rows.first { $0["id"]?.stringValue == "rows-\(engine)-gone" }
            #expect(gone?["client_disconnected"]?.boolValue == true && gone?["stream"]?.boolValue == true)
            #expect(gone?["input_tokens"]?.intValue ?? 0 > 0, "the left stream is still counted")

            let rowCost = rows.reduce(0.0) { $0 + ($1["cost_usd"]?.doubleValue ?? 0) }
            let rowInput = rows.reduce(0) { $0 + ($1["input_tokens"]?.intValue ?? 0) }
            for grouping in ["model", "provider", "day", "hour", "key", "team", "model,hour"] {
                let summary = try await h.get("/admin/spend?group_by=\(grouping)&key=\(id)")
                let groups = summary.json["data"]?.arrayValue ?? []
                #expect(groups.reduce(0) { $0 + ($1["requests"]?.intValue ?? 0) } == rows.count, "\(grouping)")
                #expect(groups.reduce(0) { $0 + ($1["input_tokens"]?.intValue ?? 0) } == rowInput, "\(grouping)")
                #expect(abs(groups.reduce(0.0) { $0 + ($1["cost_usd"]?.doubleValue ?? 0) } - rowCost) < 1e-9, "\(grouping)")
                #expect(summary.json["total"]?["requests"]?.intValue == rows.count)
            }
        }
    }

    @Test(arguments: engines)
    func aDatabaseThatRefusesWritesLosesNoRow(_ engine: String) async throws {
        guard let storeLine = try await Self.store(engine) else { return }
        let setting: GatewayConfig.Store =
            storeLine.contains("sqlite")
            ? .sqlite(path: String(storeLine.split(separator: "\"")[1])) : .postgres(url: String(storeLine.split(separator: "\"")[1]))
        let flaky = FlakyStore(try await StoreFactory.open(setting, baseDirectory: "", logger: .init(label: "test")), failing: false)
        try await GatewayHarness.run(store: flaky, { Self.config($0, store: "") }) { h in
            let (id, secret) = try await Self.key(h, #"{"name":"outage"}"#)
            flaky.failing.store(true, ordering: .relaxed)
            for _ in 0..<20 { #expect(try await Self.chat(h, secret).status == 200) }
            let attemptsBefore = flaky.attempts.load(ordering: .relaxed)
            while flaky.attempts.load(ordering: .relaxed) < attemptsBefore + 2 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(h.gateway.spendWriter.backlog == 20, "kept while the database refuses writes")
            flaky.failing.store(false, ordering: .relaxed)
            let rows = try await h.get("/admin/requests?key=\(id)").json["data"]?.arrayValue ?? []
            #expect(rows.count == 20, "every row written once the database is back")
            #expect(Set(rows.compactMap { $0["id"]?.stringValue }).count == 20)
        }
    }
}
