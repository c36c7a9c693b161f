import SwitchyardConfig
@testable import SwitchyardCore
import SwitchyardRouting
import Testing

@Suite struct ModelRouterTests {
    static let catalog = Catalog(entries: [
        CatalogEntry(id: "gpt-4o", provider: "openai", price: .init(input: 2.5, output: 10)),
        CatalogEntry(id: "gpt-4o-mini", provider: "openai"),
        CatalogEntry(id: "mistral-large-latest", provider: "mistral"),
        CatalogEntry(id: "deepseek-chat", provider: "deepseek"),
        CatalogEntry(id: "claude-sonnet-4-20250514", provider: "anthropic"),
    ])

    func router(_ yaml: String) throws -> ModelRouter {
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml)
        return try ModelRouter(config: config, catalog: Self.catalog)
    }

    let providers = """
        providers:
          openai: { api_key: a }
          mistral: { api_key: b }
          deepseek: { api_key: c }
          vllm-east: { kind: vllm, base_url: "http://127.0.0.1:8000/v1" }

        """

    @Test func routesProviderSlashModel() throws {
        var rng = SplitMix64(state: 1)
        let plan = try router(providers).plan(model: "vllm-east/Qwen/Qwen3-8B", using: &rng)
        #expect(plan.deployments.map(\.label) == ["vllm-east/Qwen/Qwen3-8B"])
        #expect(plan.deployments[0].provider.kind.name == "vllm")
    }

    @Test func routesBareCatalogNamesToTheirProvider() throws {
        var rng = SplitMix64(state: 1)
        let r = try router(providers)
        #expect(try r.plan(model: "gpt-4o", using: &rng).deployments.map(\.label) == ["openai/gpt-4o"])
        #expect(try r.plan(model: "mistral-large-latest", using: &rng).deployments.map(\.label) == ["mistral/mistral-large-latest"])
        #expect(try r.plan(model: "deepseek-chat", using: &rng).deployments.map(\.label) == ["deepseek/deepseek-chat"])
        #expect(try r.plan(model: "gpt-4o", using: &rng).deployments[0].price?.input == 2.5)
    }

    @Test func unknownModelsAreNotFoundWithHelp() throws {
        var rng = SplitMix64(state: 1)
        let r = try router(providers)
        for name in ["gpt-7", "claude-sonnet-4-20250514", "anthropic/claude-x", "nobody/model"] {
            do {
                _ = try r.plan(model: name, using: &rng)
                Issue.record("\(name) resolved")
            } catch {
                #expect(error.kind == .notFound)
                #expect(error.code == "model_not_found")
                #expect(error.message.contains("provider/model"))
            }
        }
    }

    @Test func configuredNamesWinAndFallBackInOrder() throws {
        var rng = SplitMix64(state: 7)
        let r = try router(
            providers + """
                models:
                  - name: gpt-4o
                    to: mistral/mistral-large-latest
                  - name: bot
                    to: openai/gpt-4o-mini
                    fallbacks: [deepseek-chat, gpt-4o, vllm-east/llama]
                """)
        #expect(try r.plan(model: "gpt-4o", using: &rng).deployments.map(\.label) == ["mistral/mistral-large-latest"])
        let plan = try r.plan(model: "bot", using: &rng)
        // A fallback naming another public model uses that model's deployments.
        #expect(plan.deployments.map(\.label) == [
            "openai/gpt-4o-mini", "deepseek/deepseek-chat", "mistral/mistral-large-latest", "vllm-east/llama",
        ])
    }

    @Test func weightedSplitFollowsWeights() throws {
        var rng = SplitMix64(state: 42)
        let r = try router(
            providers + """
                models:
                  - name: ab
                    split: [ { to: openai/gpt-4o, weight: 90 }, { to: deepseek/deepseek-chat, weight: 10 } ]
                """)
        var first: [String: Int] = [:]
        for _ in 0..<5000 {
            let plan = try r.plan(model: "ab", using: &rng)
            first[plan.deployments[0].label, default: 0] += 1
            #expect(plan.deployments.count == 2, "the other split member stays as failover")
        }
        let share = Double(first["deepseek/deepseek-chat"] ?? 0) / 5000
        #expect(share > 0.08 && share < 0.12, "deepseek share \(share)")
    }

    @Test func targetsMustResolveAtLoad() {
        #expect(throws: ConfigError.self) {
            _ = try router(providers + "models:\n  - name: x\n    to: anthropic/claude\n")
        }
        #expect(throws: ConfigError.self) {
            _ = try router(providers + "models:\n  - name: x\n    to: openai/gpt-4o\n    fallbacks: [nothing-here]\n")
        }
    }

    @Test func modelListPutsConfiguredNamesFirst() throws {
        let r = try router(providers + "models:\n  - name: bot\n    to: openai/gpt-4o\n")
        let listed = r.listedModels().map(\.id)
        #expect(listed.first == "bot")
        #expect(listed.contains("openai/gpt-4o"))
        #expect(listed.contains("mistral/mistral-large-latest"))
        #expect(!listed.contains { $0.hasPrefix("anthropic/") })
    }

    @Test func timeoutsLayerGlobalProviderAndModel() throws {
        var rng = SplitMix64(state: 1)
        let r = try router(
            """
            timeouts: { idle: "10s", first_byte: "20s" }
            providers:
              openai: { api_key: a, timeouts: { idle: "30s" } }
            models:
              - name: slow
                to: openai/o3
                timeouts: { first_byte: "300s" }
            """)
        let deployment = try r.plan(model: "slow", using: &rng).deployments[0]
        #expect(deployment.timeouts.idle == .seconds(30))
        #expect(deployment.timeouts.firstByte == .seconds(300))
    }
}
