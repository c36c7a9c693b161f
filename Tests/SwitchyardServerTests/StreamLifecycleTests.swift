import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer
import SwitchyardConfig

/// Streams that end badly: a client that leaves, an upstream that dies or errors mid-stream.
@Suite struct StreamLifecycleTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          slowstream: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "chunk_delay=100,chunks=100"))" }
          cut: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "cut_after=2"))" }
          erroring: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "midstream_error=2"))" }
          headonly: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "cut_after=0,tag=headonly"))" }
          stalled: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "hang_after=0,tag=stalled"))", timeouts: { idle: "300ms" } }
          good: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "tag=good"))" }
        models:
          - name: cut-before-first-event
            to: headonly/gpt-4o-mini
            fallbacks: [good/gpt-4o-mini]
          - name: stall-before-first-event
            to: stalled/gpt-4o-mini
            fallbacks: [good/gpt-4o-mini]

        """
    }

    @Test func clientDisconnectMidStreamIsStillRecorded() async throws {
        try await GatewayHarness.run(Self.config) { h in
            var request = HTTPClientRequest(url: h.gatewayURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer \(GatewayHarness.masterKey)")
            request.headers.add(name: "x-request-id", value: "leaving-client")
            request.body = .bytes(ByteBuffer(string: GatewayHarness.chat("slowstream/gpt-4o-mini", extra: #","stream":true"#)))
            // A client of its own, shut down after the first chunk: its connection closes mid-stream.
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let response = try await client.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
            try await client.shutdown()
            let record = try #require(await h.records.record(for: "leaving-client", timeout: .seconds(20)))
            #expect(record.outcome == .clientDisconnected)
            #expect(record.provider == "slowstream")
            #expect(record.usage.totalInput > 0, "input is counted (estimated when the usage chunk never came)")
        }
    }

    @Test func upstreamCutBecomesAnInStreamError() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("cut/gpt-4o-mini", extra: #","stream":true"#))
            #expect(answer.status == 200)
            let events = GatewayHarness.events(answer.body)
            #expect(!events.contains("[DONE]"))
            let last = try JSON.parse(try #require(events.last))
            #expect(last["error"]?["type"] == "server_error")
            let requestID = try #require(answer.header("x-request-id"))
            let record = try #require(await h.records.record(for: requestID))
            #expect(record.outcome == .upstreamFailed)
            #expect(record.estimated)
        }
    }

    @Test func upstreamMidStreamErrorIsRelayed() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("erroring/gpt-4o-mini", extra: #","stream":true"#))
            let events = GatewayHarness.events(answer.body)
            let errors = events.compactMap { try? JSON.parse($0) }.filter { $0["error"] != nil }
            #expect(errors.count == 1, "the provider's error event, and no second one from the gateway")
            let requestID = try #require(answer.header("x-request-id"))
            #expect(await h.records.record(for: requestID)?.outcome == .upstreamFailed)
        }
    }

    /// Nothing reached the client yet when the provider dropped or stalled after its response head,
    /// so the next deployment serves the stream instead of the client getting a broken one.
    @Test func failureBeforeTheFirstEventFailsOver() async throws {
        try await GatewayHarness.run(Self.config) { h in
            for model in ["cut-before-first-event", "stall-before-first-event"] {
                let answer = try await h.request(
                    "/v1/chat/completions", body: GatewayHarness.chat(model, extra: #","stream":true"#))
                #expect(answer.status == 200, "\(model): \(answer.text)")
                #expect(answer.header("x-switchyard-provider") == "good", "\(model)")
                #expect(answer.header("x-switchyard-attempts") == "2", "\(model)")
                let events = GatewayHarness.events(answer.body)
                #expect(events.last == "[DONE]", "\(model)")
                #expect(!events.contains { $0.contains(#""error""#) }, "\(model)")
            }
        }
    }
}
