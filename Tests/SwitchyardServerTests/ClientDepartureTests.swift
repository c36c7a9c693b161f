import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// A client that leaves before its answer starts stops the work done for it: the provider request is
/// cancelled (its connection slot comes back at once, not after the provider's timeout), no retry follows,
/// and the record says the client left.
@Suite struct ClientDepartureTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          hanging: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "hang=1,tag=departure"))", timeouts: { first_byte: 60s, idle: 60s } }
          limited: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "fail_first=100,status=429,retry_after=2,tag=departure-429"))" }
          anthropic-hanging: { kind: anthropic, api_key: k, base_url: "\(fake.baseURL(.anthropic, knobs: "hang=1,tag=departure-a"))", timeouts: { first_byte: 60s } }
        models:
          - name: retried
            to: limited/gpt-4o-mini
            retry: { attempts: 3, on: [rate_limit] }

        """
    }

    /// Sends a request from a client of its own and leaves (cancels it, closing the connection) once
    /// `ready` holds — a condition, not a fixed wait, so a busy machine cannot make the client leave early.
    static func leave(
        _ h: GatewayHarness, path: String = "/v1/chat/completions", body: String, requestID: String,
        key: String = GatewayHarness.masterKey, when ready: @escaping @Sendable () async -> Bool
    ) async throws {
        let request = h.post(path, body: body, key: key, requestID: requestID)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let call = Task { try await client.execute(request, timeout: .seconds(60)) }
        let deadline = ContinuousClock.now + .seconds(10)
        while await !ready(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await ready(), "the request got as far as the test needs before the client left")
        call.cancel()
        await #expect(throws: (any Error).self) { _ = try await call.value }
        try await client.shutdown()
    }

    /// The provider has the request (it hangs there).
    static func providerHasIt(_ h: GatewayHarness) -> @Sendable () async -> Bool {
        { await !h.fake.requests().isEmpty }
    }

    static func slotsFreed(_ h: GatewayHarness, provider: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while h.gateway.upstreamSlotsInUse(provider: provider) != 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return h.gateway.upstreamSlotsInUse(provider: provider) == 0
    }

    @Test(arguments: [false, true])
    func leavingWhileTheAnswerIsAwaitedCancelsTheProviderRequest(stream: Bool) async throws {
        try await GatewayHarness.run(Self.config) { h in
            let requestID = "gone-\(stream ? "stream" : "whole")"
            let began = ContinuousClock.now
            try await Self.leave(
                h, body: GatewayHarness.chat("hanging/gpt-4o-mini", extra: stream ? #","stream":true"# : ""),
                requestID: requestID, when: Self.providerHasIt(h))
            let record = try #require(await h.records.record(for: requestID, timeout: .seconds(10)))
            #expect(record.outcome == .clientDisconnected)
            #expect(record.status == 499)
            #expect(record.provider == "hanging")
            #expect(record.estimated && record.usage.totalInput > 0, "the cancelled request's input is estimated")
            #expect(try await Self.slotsFreed(h, provider: "hanging"), "the provider request was cancelled")
            #expect(ContinuousClock.now - began < .seconds(15), "not held until the 60 s first_byte timeout")
            #expect(await h.fake.requests().count == 1)
        }
    }

    @Test func leavingOnTheAnthropicEndpointCancelsToo() async throws {
        try await GatewayHarness.run(Self.config) { h in
            try await Self.leave(
                h, path: "/v1/messages",
                body: #"{"model":"anthropic-hanging/claude-sonnet-4-5","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#,
                requestID: "gone-anthropic", when: Self.providerHasIt(h))
            let record = try #require(await h.records.record(for: "gone-anthropic", timeout: .seconds(10)))
            #expect(record.outcome == .clientDisconnected)
            #expect(try await Self.slotsFreed(h, provider: "anthropic-hanging"))
        }
    }

    @Test func leavingDuringABackoffStopsTheRetries() async throws {
        try await GatewayHarness.run(Self.config) { h in
            // Three tries with `retry-after: 2` between them; the client leaves during the first wait.
            // Leave once the first try was answered (its connection slot is back): the loop is in its backoff.
            try await Self.leave(h, body: GatewayHarness.chat("retried"), requestID: "gone-backoff") {
                await !h.fake.requests().isEmpty && h.gateway.upstreamSlotsInUse(provider: "limited") == 0
            }
            let record = try #require(await h.records.record(for: "gone-backoff", timeout: .seconds(10)))
            #expect(record.outcome == .clientDisconnected)
            #expect(record.usage.totalInput == 0, "a rate-limited request is not charged")
            // Had the loop gone on, the second try would reach the provider 2 s after the first.
            try await Task.sleep(for: .seconds(3))
            #expect(await h.fake.requests().count == 1, "no retry after the client left")
        }
    }
}
