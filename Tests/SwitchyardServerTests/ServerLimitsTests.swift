import SwitchyardConfig
#if canImport(Glibc)
import Glibc
#endif
import FakeProviderKit
import Foundation
import NIOCore
import NIOPosix
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Issue 12 hardening: client connections have an idle timeout (`server.idle_timeout`), and per-provider
/// `timeouts.connect` is honoured rather than parsed and ignored.
@Suite struct ServerLimitsTests {
    static func port(of url: String) throws -> Int {
        try #require(url.split(separator: ":").last.flatMap { Int($0) })
    }

    /// Opens a raw TCP connection, writes `bytes`, and waits (at most `limit`) for the server to close it.
    static func closedByServer(port: Int, sending bytes: String, within limit: Duration) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        if !bytes.isEmpty { try await channel.writeAndFlush(ByteBuffer(string: bytes)) }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                (try? await channel.closeFuture.get()) != nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            try? await channel.close()
            return first
        }
    }

    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          openai: { api_key: sk-a, base_url: "\(fake.baseURL(.openai, knobs: "chunk_delay=250,chunks=6"))" }
        """
    }

    @Test func idleAndHalfSentConnectionsAreClosedButLongStreamsAreNot() async throws {
        try await GatewayHarness.run(server: "idle_timeout: 300ms", Self.config) { h in
            let port = try Self.port(of: h.gatewayURL)
            #expect(try await Self.closedByServer(port: port, sending: "", within: .seconds(10)), "an idle connection")
            #expect(
                try await Self.closedByServer(
                    port: port, sending: "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n", within: .seconds(10)),
                "a request whose head never ends")
            // A stream of ~1.5 s, four times the idle timeout, is a response in progress: it completes.
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("openai/gpt-4o-mini", extra: #","stream":true"#))
            #expect(answer.status == 200)
            #expect(GatewayHarness.events(answer.body).last == "[DONE]", "\(answer.text)")
        }
    }

    @Test func idleTimeoutIsConfigurableAndValidated() throws {
        #expect(try ConfigLoader(environment: [:]).load(yaml: "").server.idleTimeout == .seconds(75))
        let set = try ConfigLoader(environment: [:]).load(yaml: "server: { idle_timeout: 5s }\n")
        #expect(set.server.idleTimeout == .seconds(5))
        #expect(throws: ConfigError.self) { try ConfigLoader(environment: [:]).load(yaml: "server: { idle_timeout: 1e300s }\n") }
    }

    @Test func perProviderConnectTimeoutIsHonoured() async throws {
        let hole = try Blackhole()
        // The global connect timeout is long; the provider's own is short. Before the provider's value was
        // honoured, this request waited the global 30 s.
        try await GatewayHarness.run({ _ in
            """
            timeouts: { connect: 30s }
            providers:
              down: { kind: openai, api_key: sk-a, base_url: "http://127.0.0.1:\(hole.port)/v1", timeouts: { connect: 300ms } }
            """
        }) { h in
            let started = ContinuousClock.now
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("down/gpt-4o-mini"))
            let waited = ContinuousClock.now - started
            #expect(answer.status == 502 || answer.status == 504, "\(answer.text)")
            #expect(waited < .seconds(15), "the provider's 300 ms connect timeout applied, not the global 30 s: \(waited)")
        }
        withExtendedLifetime(hole) {}
    }
}
