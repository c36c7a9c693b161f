import Foundation
import FakeProviderKit
import MetricsTestKit
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Virtual keys, teams, limits, budgets and the spend log through the real server (CONTRACT §2), on the
/// memory store, a SQLite file, and PostgreSQL when the test command started one.
@Suite struct GovernanceEndToEndTests {
    static func config(_ fake: RunningFakeProviders, store: String = "") -> String {
        """
        \(store)
        providers:
          openai: { kind: openai, api_key: sk-provider-secret, base_url: "\(fake.baseURL(.openai))" }
          anthropic: { kind: anthropic, api_key: sk-ant-provider, base_url: "\(fake.baseURL(.anthropic))" }
        models:
          - name: house
            to: openai/gpt-4o-mini
        """
    }

    /// Creates a key through the admin API; returns (id, secret).
    static func createKey(_ h: GatewayHarness, _ body: String) async throws -> (String, String) {
        let created = try await h.request("/admin/keys", body: body)
        #expect(created.status == 201, "\(created.text)")
        return (created.json["id"]?.stringValue ?? "", created.json["key"]?.stringValue ?? "")
    }

    @Test func theAdminAPIManagesTeamsAndKeys() async throws {
        try await GatewayHarness.run({ Self.config($0) }) { h in
            #expect(try await h.get("/admin/keys", key: nil).status == 401)
            #expect(try await h.get("/admin/keys", key: "wrong").status == 401)
            let team = try await h.request("/admin/teams", body: #"{"name":"platform","rpm":100,"budget":{"max_usd":50,"period":"month"}}"#)
            #expect(team.status == 201, "\(team.text)")
            let teamID = try #require(team.json["id"]?.stringValue)
            #expect(teamID.hasPrefix("team_"))
            #expect(team.json["budget"]?["max_usd"]?.doubleValue == 50)

            let (keyID, secret) = try await Self.createKey(h, #"{"name":"ci","team":"\#(teamID)","models":["gpt-4o*","house"],"rpm":60,"metadata":{"owner":"qa"}}"#)
            #expect(secret.hasPrefix("sk-sy-") && secret.count >= 38)
            let listed = try await h.get("/admin/keys?team=\(teamID)")
            #expect(listed.json["data"]?.arrayValue?.count == 1)
            #expect(!listed.text.contains(secret), "the secret is shown only at creation")
            #expect(listed.json["data"]?.arrayValue?.first?["key_prefix"]?.stringValue == String(secret.prefix(10)))
            let shown = try await h.get("/admin/keys/\(keyID)")
            #expect(shown.json["metadata"]?["owner"]?.stringValue == "qa" && shown.json["spend"]?.doubleValue == 0)

            // A virtual key cannot use the admin API.
            let forbidden = try await h.get("/admin/keys", key: secret)
            #expect(forbidden.status == 403 && forbidden.json["error"]?["code"]?.stringValue == "admin_only")

            // Unknown fields and bad values name the field.
            let unknown = try await h.request("/admin/keys", body: #"{"name":"x","colour":"red"}"#)
            #expect(unknown.status == 400 && unknown.json["error"]?["param"]?.stringValue == "colour")
            let badRPM = try await h.request("/admin/keys/\(keyID)", body: #"{"rpm":-1}"#, method: .PATCH)
            #expect(badRPM.status == 400 && badRPM.json["error"]?["param"]?.stringValue == "rpm")
            let patched = try await h.request("/admin/keys/\(keyID)", body: #"{"rpm":5,"name":"ci-2"}"#, method: .PATCH)
            #expect(patched.status == 200 && patched.json["rpm"]?.intValue == 5 && patched.json["name"]?.stringValue == "ci-2")
            #expect(try await h.get("/admin/keys/key_nope").status == 404)

            // A team with unrevoked keys cannot be deleted; revoking the key frees it.
            #expect(try await h.request("/admin/teams/\(teamID)", method: .DELETE).status == 409)
            #expect(try await h.request("/admin/keys/\(keyID)", method: .DELETE).status == 204)
            #expect(try await h.request("/v1/models", key: secret, method: .GET).status == 401, "revoked: 401 at once")
            #expect(try await h.request("/admin/teams/\(teamID)", method: .DELETE).status == 204)
            #expect(try await h.get("/admin/teams").json["data"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func aVirtualKeyIsAllowedOnlyItsModelsAndItsRate() async throws {
        try await GatewayHarness.run({ Self.config($0) }) { h in
            let (_, secret) = try await Self.createKey(h, #"{"name":"app","models":["house","anthropic/*"],"rpm":3}"#)
            let ok = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("house"), key: secret)
            #expect(ok.status == 200, "\(ok.text)")
            #expect(ok.header("x-ratelimit-limit-requests") == "3")
            #expect(ok.header("x-ratelimit-remaining-requests") == "2")
            #expect(ok.header("x-ratelimit-reset-requests") != nil)
            #expect(!ok.text.contains("sk-provider-secret"))

            let denied = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("gpt-4o"), key: secret)
            #expect(denied.status == 403)
            #expect(denied.json["error"]?["type"]?.stringValue == "permission_error")
            #expect(denied.json["error"]?["code"]?.stringValue == "model_not_allowed")
            #expect(denied.json["error"]?["message"]?.stringValue?.contains("gpt-4o") == true)

            let anthropicDenied = try await h.request(
                "/v1/messages", body: #"{"model":"openai/gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#,
                headers: [("x-api-key", secret)])
            #expect(anthropicDenied.status == 403)
            #expect(anthropicDenied.json["type"]?.stringValue == "error")
            #expect(anthropicDenied.json["error"]?["type"]?.stringValue == "permission_error")

            let claude = try await h.request(
                "/v1/messages", body: #"{"model":"anthropic/claude-sonnet-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#,
                key: nil, headers: [("x-api-key", secret)])
            #expect(claude.status == 200, "\(claude.text)")

            // The third allowed request in a minute uses the last one; the fourth is over.
            _ = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("house"), key: secret)
            let limited = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("house"), key: secret)
            #expect(limited.status == 429, "\(limited.text)")
            #expect(limited.json["error"]?["type"]?.stringValue == "rate_limit_error")
            #expect(limited.json["error"]?["code"]?.stringValue == "rate_limit_exceeded")
            #expect(limited.json["error"]?["message"]?.stringValue?.contains("rpm") == true)
            #expect(Int(limited.header("retry-after") ?? "") ?? 0 >= 1)
            #expect(limited.header("x-ratelimit-remaining-requests") == "0")
        }
    }

    @Test(arguments: ["memory", "sqlite", "postgres"])
    func everyRequestOfAKeyIsInTheSpendLog(_ engine: String) async throws {
        let store: String
        switch engine {
        case "sqlite": store = "store: { sqlite: \"\(NSTemporaryDirectory())switchyard-e2e-\(UUID().uuidString).db\" }"
        case "postgres":
            guard ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES"] != nil else { return }
            store = "store: { postgres: \"\(try await PostgresTestDatabase.create())\" }"
        default: store = "store: { memory: true }"
        }
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            let (keyID, secret) = try await Self.createKey(h, #"{"name":"app","models":["house"]}"#)
            let ok = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("house"), key: secret, headers: [("x-request-id", "spend-ok-\(engine)")])
            #expect(ok.status == 200)
            let streamed = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("house", extra: #","stream":true"#), key: secret,
                headers: [("x-request-id", "spend-stream-\(engine)")])
            #expect(streamed.status == 200)
            let denied = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("gpt-4o"), key: secret, headers: [("x-request-id", "spend-403-\(engine)")])
            #expect(denied.status == 403)

            let row = try await h.get("/admin/requests/spend-ok-\(engine)")
            #expect(row.status == 200, "\(row.text)")
            #expect(row.json["key_id"]?.stringValue == keyID)
            #expect(row.json["model"]?.stringValue == "house" && row.json["provider"]?.stringValue == "openai")
            #expect(row.json["upstream_model"]?.stringValue == "gpt-4o-mini" && row.json["status"]?.intValue == 200)
            #expect(row.json["input_tokens"]?.intValue ?? 0 > 0 && row.json["output_tokens"]?.intValue ?? 0 > 0)
            #expect(row.json["priced"]?.boolValue == true && row.json["cost_usd"]?.doubleValue ?? 0 > 0)
            #expect(row.json["attempts"]?.intValue == 1 && row.json["estimated"]?.boolValue == false)
            #expect(row.json["endpoint"]?.stringValue == "/v1/chat/completions")
            let headerCost = Double(ok.header("x-switchyard-cost-usd") ?? "") ?? -1
            #expect(abs((row.json["cost_usd"]?.doubleValue ?? 0) - headerCost) <= 1e-6, "the row's cost is the answer's")
            for column in [
                "id", "time", "key_id", "team_id", "endpoint", "model", "provider", "upstream_model", "status", "error_class",
                "stream", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens",
                "cost_usd", "priced", "latency_ms", "ttft_ms", "attempts", "cache_hit", "client_disconnected", "estimated",
            ] {
                #expect(row.json[column] != nil, "column \(column)")
            }
            let stream = try await h.get("/admin/requests/spend-stream-\(engine)")
            #expect(stream.json["stream"]?.boolValue == true && stream.json["output_tokens"]?.intValue ?? 0 > 0)
            let refused = try await h.get("/admin/requests/spend-403-\(engine)")
            #expect(refused.json["status"]?.intValue == 403 && refused.json["error_class"]?.stringValue == "permission")
            #expect(refused.json["cost_usd"]?.doubleValue == 0 && refused.json["attempts"]?.intValue == 0)

            let page = try await h.get("/admin/requests?key=\(keyID)&limit=2")
            #expect(page.json["data"]?.arrayValue?.count == 2 && page.json["next_cursor"]?.stringValue != nil)
            let next = try await h.get("/admin/requests?key=\(keyID)&limit=2&cursor=\(page.json["next_cursor"]?.stringValue ?? "")")
            #expect(next.json["data"]?.arrayValue?.map { $0["id"]?.stringValue } == ["spend-ok-\(engine)"], "oldest last")

            let spend = try await h.get("/admin/spend?group_by=model,provider&key=\(keyID)")
            let groups = spend.json["data"]?.arrayValue ?? []
            #expect(groups.count == 2, "\(spend.text)")
            #expect(spend.json["total"]?["requests"]?.intValue == 3 && spend.json["total"]?["errors"]?.intValue == 1)
            let house = groups.first { $0["model"]?.stringValue == "house" && $0["provider"]?.stringValue == "openai" }
            #expect(house?["requests"]?.intValue == 2 && house?["cost_usd"]?.doubleValue ?? 0 > 0)
            #expect(try await h.get("/admin/spend?group_by=colour").status == 400)
            // The master key's requests are logged too, without a key id.
            _ = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("house"), headers: [("x-request-id", "spend-master-\(engine)")])
            let master = try await h.get("/admin/requests/spend-master-\(engine)")
            #expect(master.status == 200 && master.json["key_id"]?.isNull == true)
        }
    }

    @Test func aHardCapRefusesBeforeItIsOvershot() async throws {
        try await GatewayHarness.run({ Self.config($0) }) { h in
            // gpt-4o-mini: $0.15 / $0.60 per million. 100 micro-dollars allow a handful of these requests.
            let (keyID, secret) = try await Self.createKey(h, #"{"name":"capped","budget":{"max_usd":0.0001,"period":"day"}}"#)
            var served = 0
            var refusal: GatewayHarness.Answer?
            for _ in 0..<200 {
                let answer = try await h.request(
                    "/v1/chat/completions", body: GatewayHarness.chat("house", extra: #","max_tokens":8"#), key: secret)
                if answer.status == 200 {
                    served += 1
                } else {
                    refusal = answer
                    break
                }
            }
            let refused = try #require(refusal)
            #expect(served >= 3, "the budget served requests before it ran out")
            #expect(refused.status == 429, "\(refused.text)")
            #expect(refused.json["error"]?["type"]?.stringValue == "insufficient_quota")
            #expect(refused.json["error"]?["code"]?.stringValue == "budget_exceeded")
            #expect(refused.json["error"]?["message"]?.stringValue?.contains("key budget for this day") == true)
            #expect(refused.header("x-should-retry") == "false")
            let budgets = try await h.get("/admin/budgets?scope=key")
            let budget = try #require(budgets.json["data"]?.arrayValue?.first { $0["id"]?.stringValue == keyID })
            #expect(budget["max_usd"]?.doubleValue == 0.0001 && budget["period"]?.stringValue == "day")
            #expect(budget["spent_usd"]?.doubleValue ?? 1 <= 0.0001, "never over the cap: \(budgets.text)")
            #expect(budget["spent_usd"]?.doubleValue ?? 0 > 0 && budget["reserved_usd"]?.doubleValue == 0)
            #expect(budget["resets_at"]?.stringValue?.hasSuffix("T00:00:00Z") == true)
        }
    }

    @Test(arguments: [false, true])
    func fitMaxTokensLowersTheLimitInsteadOfRefusing(_ fit: Bool) async throws {
        try await GatewayHarness.run({ fake in
            Self.config(fake) + "\ngovernance: { fit_max_tokens: \(fit) }\n"
        }) { h in
            // $0.0001 covers about 160 output tokens of gpt-4o-mini ($0.60 per million), not 1,000.
            let (keyID, secret) = try await Self.createKey(h, #"{"name":"fitted","budget":{"max_usd":0.0001,"period":"day"}}"#)
            for (path, body, headers) in [
                ("/v1/chat/completions", GatewayHarness.chat("house", extra: #","max_tokens":1000"#), [(String, String)]()),
                ("/v1/chat/completions", GatewayHarness.chat("house"), []),
                ("/v1/messages", #"{"model":"house","max_tokens":1000,"messages":[{"role":"user","content":"hi"}]}"#, [("x-api-key", secret)]),
            ] {
                let before = await h.fake.requests().count
                let answer = try await h.request(path, body: body, key: path == "/v1/messages" ? nil : secret, headers: headers)
                guard fit else {
                    #expect(answer.status == 429, "\(path): refused without fit_max_tokens")
                    continue
                }
                #expect(answer.status == 200, "\(path): \(answer.text)")
                #expect(answer.header("x-switchyard-adjusted")?.contains("max_tokens") == true)
                let sent = try JSON.parse(try #require(await h.fake.requests().dropFirst(before).first).body)
                let limit = sent["max_completion_tokens"]?.intValue ?? sent["max_tokens"]?.intValue ?? 0
                #expect(limit >= 16 && limit < 170, "\(path): the provider got a limit the budget affords: \(sent)")
            }
            let budget = try #require(
                try await h.get("/admin/budgets").json["data"]?.arrayValue?.first { $0["id"]?.stringValue == keyID })
            #expect(budget["spent_usd"]?.doubleValue ?? 1 <= 0.0001 && budget["reserved_usd"]?.doubleValue == 0)
        }
    }

    @Test func anUnpricedModelIsServedCountedAndNeverZero() async throws {
        let metrics = TestMetrics()
        try await GatewayHarness.run(metrics: metrics, { fake in
            Self.config(fake) + """

                catalog:
                  - { id: brand-new-model, provider: openai }
                """
        }) { h in
            let (_, secret) = try await Self.createKey(h, #"{"name":"plain"}"#)
            let served = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("openai/brand-new-model"), key: secret,
                headers: [("x-request-id", "unpriced-1")])
            #expect(served.status == 200 && served.header("x-switchyard-cost-usd") == nil)
            let row = try await h.get("/admin/requests/unpriced-1")
            #expect(row.json["priced"]?.boolValue == false && row.json["cost_usd"]?.isNull == true, "never $0: \(row.text)")
            let counter = try metrics.expectCounter(
                "switchyard_unpriced_requests_total", [("model", "openai/brand-new-model"), ("provider", "openai")])
            #expect(counter.totalValue == 1)
            // Under a hard budget the cost could not be checked: refused.
            let (_, capped) = try await Self.createKey(h, #"{"name":"capped","budget":{"max_usd":5}}"#)
            let refused = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("openai/brand-new-model"), key: capped)
            #expect(refused.status == 429 && refused.json["error"]?["code"]?.stringValue == "budget_exceeded")
            #expect(refused.json["error"]?["message"]?.stringValue?.contains("no price") == true)
        }
    }

    @Test func keysDeclaredInConfigWork() async throws {
        try await GatewayHarness.run({ fake in
            Self.config(fake) + """

                keys:
                  - { name: ci-bot, key: "sk-ci-bot-0123456789abcdef", team: platform, models: ["house"], rpm: 60 }
                """
        }) { h in
            let ok = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("house"), key: "sk-ci-bot-0123456789abcdef")
            #expect(ok.status == 200 && ok.header("x-ratelimit-limit-requests") == "60")
            let denied = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("gpt-4o"), key: "sk-ci-bot-0123456789abcdef")
            #expect(denied.status == 403)
            let keys = try await h.get("/admin/keys")
            #expect(keys.json["data"]?.arrayValue?.first?["source"]?.stringValue == "config")
            #expect(try await h.get("/admin/teams").json["data"]?.arrayValue?.first?["name"]?.stringValue == "platform")
        }
    }

    @Test(arguments: ["sqlite", "postgres"])
    func keysAndRowsSurviveARestart(_ engine: String) async throws {
        let store: String
        if engine == "postgres" {
            guard ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES"] != nil else { return }
            store = "store: { postgres: \"\(try await PostgresTestDatabase.create())\" }"
        } else {
            store = "store: { sqlite: \"\(NSTemporaryDirectory())switchyard-restart-\(UUID().uuidString).db\" }"
        }
        let secret = Mutex<String>("")
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            let (_, created) = try await Self.createKey(h, #"{"name":"durable"}"#)
            secret.withLock { $0 = created }
            #expect(try await h.request("/v1/chat/completions", body: GatewayHarness.chat("house"), key: created).status == 200)
        }
        try await GatewayHarness.run({ Self.config($0, store: store) }) { h in
            let key = secret.withLock { $0 }
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("house"), key: key)
            #expect(answer.status == 200)
            let spend = try await h.get("/admin/spend")
            #expect(spend.json["total"]?["requests"]?.intValue == 2, "the first run's row was flushed at stop")
        }
    }
}

import Synchronization
import PostgresNIO

/// A database of its own on the test PostgreSQL server (`SWITCHYARD_TEST_POSTGRES`).
enum PostgresTestDatabase {
    static func create() async throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES"],
            let slash = url.range(of: "/", options: .backwards)
        else { throw CancellationError() }
        let name = "sy_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let port = Int(url.split(separator: ":").last?.split(separator: "/").first ?? "") ?? 5432
        let client = PostgresClient(
            configuration: .init(host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "postgres", tls: .disable),
            backgroundLogger: Logger(label: "pg-test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        return String(url[..<slash.lowerBound]) + "/" + name
    }
}
