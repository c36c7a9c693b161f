import SwitchyardConfig
@testable import SwitchyardCore
import Testing

@Suite struct ConfigLoaderTests {
    let environment = ["OPENAI_API_KEY": "sk-test-openai", "MASTER": "sk-master", "EMPTY": ""]

    func load(_ yaml: String) throws(ConfigError) -> GatewayConfig {
        try ConfigLoader(environment: environment).load(yaml: yaml)
    }

    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try load(yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheDesignShape() throws {
        let config = try load(
            """
            server: { listen: "127.0.0.1:4100", master_key: "${MASTER}" }
            store: { sqlite: ".switchyard/switchyard.db" }
            limits: { max_body_bytes: 1048576, max_header_bytes: 8192, max_stream_duration: "10m" }
            timeouts: { connect: "250ms", first_byte: 30, idle: "5s", total: "2h" }
            providers:
              openai:    { api_key: "${OPENAI_API_KEY}" }
              local:     { kind: openai-compatible, base_url: "http://127.0.0.1:11434/v1", timeouts: { idle: "90s" } }
              azure:     { kind: azure-openai, base_url: "https://res.openai.azure.com", api_version: "2024-10-21", api_key: "az" }
            models:
              - name: support-bot
                split: [ { to: openai/gpt-4o, weight: 90 }, { to: local/llama, weight: 10 } ]
                fallbacks: [ openai/gpt-4o-mini ]
                retry: { attempts: 2, on: [rate_limit, server_error, timeout] }
              - name: cheap
                to: local/llama
            """)
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 4100)
        #expect(config.server.masterKey == "sk-master")
        #expect(config.store == .sqlite(path: ".switchyard/switchyard.db"))
        #expect(config.limits.maxBodyBytes == 1_048_576)
        #expect(config.limits.maxStreamDuration == .seconds(600))
        #expect(config.timeouts.connect == .milliseconds(250))
        #expect(config.timeouts.firstByte == .seconds(30))
        #expect(config.timeouts.total == .seconds(7200))
        #expect(config.providers.map(\.name) == ["openai", "local", "azure"])
        #expect(config.providers[0].kind.name == "openai")
        #expect(config.providers[0].apiKey == "sk-test-openai")
        #expect(config.providers[1].kind.name == "openai-compatible")
        #expect(config.providers[1].timeouts?.idle == .seconds(90))
        #expect(config.providers[2].apiVersion == "2024-10-21")
        #expect(config.models[0].split == [.init(to: "openai/gpt-4o", weight: 90), .init(to: "local/llama", weight: 10)])
        #expect(config.models[0].fallbacks == ["openai/gpt-4o-mini"])
        #expect(config.models[0].retry?.attempts == 2)
        #expect(config.models[0].retry?.on == [.rateLimited, .upstreamError, .overloaded, .timeout])
        #expect(config.models[1].split == [.init(to: "local/llama")])
    }

    @Test func jsonIsAcceptedToo() throws {
        let config = try load(#"{"server": {"port": 4001}, "providers": {"groq": {"api_key": "g"}}}"#)
        #expect(config.server.port == 4001)
        #expect(config.providers.first?.kind.name == "groq")
    }

    @Test func unknownKeysNameTheKeyAndLine() throws {
        let found = try #require(error("server:\n  port: 4000\n  listen_port: 4001\n"))
        #expect(found.path == "server.listen_port")
        #expect(found.line == 3)
        #expect(found.description.contains("unknown key 'listen_port'"))
        let provider = try #require(error("providers:\n  openai:\n    api_key: x\n    base_ulr: http://x\n"))
        #expect(provider.path == "providers.openai.base_ulr")
        #expect(provider.line == 4)
    }

    @Test(arguments: [
        ("timeouts: { idle: soon }", "timeouts.idle", 1),
        ("limits:\n  max_body_bytes: lots", "limits.max_body_bytes", 2),
        ("server: { listen: nowhere }", "server.listen", 1),
        ("providers:\n  mine: { api_key: x }", "providers.mine", 2),
        ("providers:\n  local: { kind: openai-compatible }", "providers.local.base_url", 2),
        ("providers:\n  openai: { api_key: \"${NOT_SET}\" }", "providers.openai.api_key", 2),
        ("providers:\n  openai: { api_key: \"${EMPTY}\" }", "providers.openai.api_key", 2),
        ("providers:\n  openai: { api_key: x, base_url: \"ftp://x\" }", "providers.openai.base_url", 2),
        ("models:\n  - name: a\n    to: x\n    split: [ { to: y } ]", "models[0].split", 4),
        ("models:\n  - to: x", "models[0].name", 2),
        ("models:\n  - name: a\n    retry: { on: [sometimes] }\n    to: x", "models[0].retry.on[0]", 3),
        ("models:\n  - name: a\n    split: [ { to: x, weight: 0 } ]", "models[0].split[0].weight", 3),
    ])
    func badValuesAreRejected(yaml: String, path: String, line: Int) throws {
        let found = try #require(error(yaml))
        #expect(found.path == path, "\(found)")
        #expect(found.line == line, "\(found)")
    }

    @Test func interpolationSupportsDefaults() throws {
        let config = try load("providers:\n  openai: { api_key: \"k-${MISSING:-fallback}-${OPENAI_API_KEY}\" }")
        #expect(config.providers[0].apiKey == "k-fallback-sk-test-openai")
    }

    @Test func invalidYAMLIsAnError() {
        #expect(error("server: [unclosed") != nil)
    }

    @Test func environmentOnlyConfigEnablesProvidersWithKeys() {
        let config = GatewayConfig.fromEnvironment([
            "OPENAI_API_KEY": "a", "MISTRAL_API_KEY": "b", "DEEPSEEK_API_KEY": "", "SWITCHYARD_MASTER_KEY": "m",
        ])
        #expect(config.providers.map(\.name) == ["openai", "mistral"])
        #expect(config.server.masterKey == "m")
        #expect(config.server.port == 4000)
        #expect(config.server.host == "127.0.0.1")
    }

    @Test func durations() {
        #expect(Duration.parse("250ms") == .milliseconds(250))
        #expect(Duration.parse("5s") == .seconds(5))
        #expect(Duration.parse("10m") == .seconds(600))
        #expect(Duration.parse("1.5") == .milliseconds(1500))
        #expect(Duration.parse("2h") == .seconds(7200))
        #expect(Duration.parse("soon") == nil)
        #expect(Duration.parse("-1s") == nil)
    }
}
