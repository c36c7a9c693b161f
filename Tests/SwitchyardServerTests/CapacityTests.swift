import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer
import SwitchyardConfig

/// CONTRACT §0: `providers.<name>.max_connections` bounds requests in flight to a provider; a request that
/// finds them all busy waits up to `limits.max_queue_wait`, then gets 503 `overloaded` with `retry-after` —
/// never a 502 that blames the provider — and every way a request ends gives its slot back.
@Suite struct CapacityTests {
    static func config(wait: String) -> @Sendable (RunningFakeProviders) -> String {
        { fake in
            """
            limits: { max_queue_wait: \(wait) }
            providers:
              small: { kind: openai, api_key: sk-a, max_connections: 2, base_url: "\(fake.baseURL(.openai, knobs: "chunk_delay=200,chunks=8"))" }
              slow: { kind: openai, api_key: sk-a, max_connections: 1, base_url: "\(fake.baseURL(.openai, knobs: "latency=400"))" }
            """
        }
    }

    /// Opens a stream and reads its first bytes, leaving the rest unread: the stream holds its slot.
    static func openStream(_ h: GatewayHarness, model: String) async throws -> HTTPClientResponse.Body.AsyncIterator {
        var request = HTTPClientRequest(url: h.gatewayURL + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(GatewayHarness.masterKey)")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: GatewayHarness.chat(model, extra: #","stream":true"#)))
        let response = try await h.http.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        var iterator = response.body.makeAsyncIterator()
        _ = try await iterator.next()
        return iterator
    }

    @Test func busyProviderAnswers503OverloadedAndEveryEndingFreesItsSlot() async throws {
        try await GatewayHarness.run(Self.config(wait: "300ms")) { h in
            var first = try await Self.openStream(h, model: "small/gpt-4o-mini")
            var second: HTTPClientResponse.Body.AsyncIterator? = try await Self.openStream(h, model: "small/gpt-4o-mini")
            let before = await h.fake.requests().count

            let refused = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("small/gpt-4o-mini"))
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.json["error"]?["code"] == "overloaded")
            #expect(refused.json["error"]?["type"] == "server_error")
            #expect(refused.header("retry-after") == "1")
            #expect(refused.json["error"]?["message"]?.stringValue?.contains("All 2 connections to provider 'small'") == true)
            #expect(await h.fake.requests().count == before, "the provider never saw the refused request")

            // One stream read to its end, the other abandoned by its client: both slots come back.
            while try await first.next() != nil {}
            second = nil
            #expect(second == nil, "the abandoned stream's body is dropped")
            let deadline = ContinuousClock.now + .seconds(10)
            while h.gateway.upstreamSlotsInUse(provider: "small") != 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(h.gateway.upstreamSlotsInUse(provider: "small") == 0)
            let again = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("small/gpt-4o-mini", extra: #","stream":true"#))
            #expect(again.status == 200 && GatewayHarness.events(again.body).last == "[DONE]")
        }
    }

    @Test func aSlotFreedWithinTheWaitServesTheQueuedRequest() async throws {
        try await GatewayHarness.run(Self.config(wait: "10s")) { h in
            // max_connections 1 and 400 ms answers: three at once queue behind each other and all succeed.
            let answers = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await h.request("/v1/chat/completions", body: GatewayHarness.chat("slow/gpt-4o-mini")).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(answers == [200, 200, 200])
            #expect(h.gateway.upstreamSlotsInUse(provider: "slow") == 0)
        }
    }

    @Test func slotsAreCountedAndQueuedInOrder() async throws {
        let slots = ConnectionSlots(limit: 1)
        let held = try #require(await slots.acquire(waitingAtMost: .seconds(1)))
        #expect(await slots.acquire(waitingAtMost: .milliseconds(50)) == nil, "busy: the wait expires")
        async let waiting = slots.acquire(waitingAtMost: .seconds(10))
        while slots.queued != 1 { await Task.yield() }
        held.release()
        held.release()  // twice: given back once
        let next = try #require(await waiting, "the freed slot went to the waiter")
        #expect(slots.inUse == 1 && slots.queued == 0, "handed over, not freed and taken again")
        next.release()
        #expect(slots.inUse == 0)
    }

    @Test func maxConnectionsAndQueueWaitAreValidated() throws {
        let loader = ConfigLoader(environment: [:])
        let parsed = try loader.load(yaml: "limits: { max_queue_wait: 2s }\nproviders:\n  a: { kind: openai, api_key: k, max_connections: 7 }\n")
        #expect(parsed.limits.maxQueueWait == .seconds(2))
        #expect(parsed.providers.first?.maxConnections == 7)
        #expect(GatewayConfig.Provider(name: "x", kind: try #require(ProviderKind.named("openai"))).maxConnections == 10_000)
        #expect(throws: ConfigError.self) { try loader.load(yaml: "providers:\n  a: { kind: openai, api_key: k, max_connections: 0 }\n") }
    }

    @Test func slotNumbersAreDistinctAndReusedMostRecentFirst() async throws {
        let slots = ConnectionSlots(limit: 3)
        let a = try #require(await slots.acquire(waitingAtMost: .seconds(1)))
        let b = try #require(await slots.acquire(waitingAtMost: .seconds(1)))
        let c = try #require(await slots.acquire(waitingAtMost: .seconds(1)))
        #expect(Set([a.number, b.number, c.number]) == [0, 1, 2], "held leases never share a number, all below the limit")
        async let waiting = slots.acquire(waitingAtMost: .seconds(10))
        while slots.queued != 1 { await Task.yield() }
        b.release()
        let handedOver = try #require(await waiting)
        #expect(handedOver.number == b.number, "a slot handed to a waiter keeps its number")
        c.release()
        let next = try #require(await slots.acquire(waitingAtMost: .seconds(1)))
        #expect(next.number == c.number, "the most recently freed number is used first")
        for lease in [a, handedOver, next] { lease.release() }
        #expect(slots.inUse == 0)
    }

    @Test func poolsPerProfileScaleWithTheConnectionsAllowed() {
        #expect(UpstreamClient.poolsPerProfile(totalConnections: 100) == 1)
        #expect(UpstreamClient.poolsPerProfile(totalConnections: 2048) == 2)
        #expect(UpstreamClient.poolsPerProfile(totalConnections: 10_000) == 8)
        #expect(UpstreamClient.poolsPerProfile(totalConnections: 1_000_000) == 8)
    }

    @Test func poolIdleTimeoutIsConfiguredAndValidated() throws {
        let loader = ConfigLoader(environment: [:])
        let parsed = try loader.load(yaml: "providers:\n  a: { kind: openai, api_key: k, pool_idle_timeout: 5s }\n  b: { kind: openai, api_key: k }\n")
        #expect(parsed.providers.first { $0.name == "a" }?.poolIdleTimeout == .seconds(5))
        #expect(parsed.providers.first { $0.name == "b" }?.poolIdleTimeout == .seconds(20))
        #expect(throws: ConfigError.self) { try loader.load(yaml: "providers:\n  a: { kind: openai, api_key: k, pool_idle_timeout: 0s }\n") }
        #expect(throws: ConfigError.self) { try loader.load(yaml: "providers:\n  a: { kind: openai, api_key: k, pool_idle_timeout: soon }\n") }
        // Each provider's pool idle timeout is part of its pooled clients' profile.
        let profiles = Gateway.upstreamProfiles(parsed)
        #expect(profiles.contains { $0.poolIdle == .seconds(5) } && profiles.contains { $0.poolIdle == .seconds(20) })
    }
}
