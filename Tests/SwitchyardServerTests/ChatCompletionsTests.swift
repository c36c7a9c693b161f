import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer
import SwitchyardConfig
import DialectOpenAI

/// The real server, on a loopback port, in front of the fake providers.
@Suite struct ChatCompletionsTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          openai: { api_key: sk-fake-openai, base_url: "\(fake.baseURL(.openai))" }
          groq: { api_key: gsk-fake, base_url: "\(fake.baseURL(.groq))" }
          deepseek: { api_key: sk-fake-deepseek, base_url: "\(fake.baseURL(.deepseek))" }
        models:
          - name: house-model
            to: openai/gpt-4o-mini

        """
    }

    @Test func nonStreamingChatIsPassedThrough() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let body = GatewayHarness.chat("house-model", "what is up", extra: #","temperature":0.5,"vendor_field":{"x":[1,2]}"#)
            let answer = try await h.request("/v1/chat/completions", body: body, headers: [("x-request-id", "client-req-1")])
            #expect(answer.status == 200)
            #expect(answer.header("x-request-id") == "client-req-1")
            #expect(answer.header("x-switchyard-provider") == "openai")
            #expect(answer.header("x-switchyard-model") == "gpt-4o-mini")
            #expect(answer.header("x-switchyard-attempts") == "1")
            // Priced from the catalog: the shipped gpt-4o-mini price times the usage the provider reported.
            let price = try #require(try Catalog.bundled().entry(provider: "openai", model: "gpt-4o-mini")?.price)
            let usage = try #require(answer.json["usage"])
            let prompt = try #require(usage["prompt_tokens"]?.intValue)
            let cached = usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0
            let completion = try #require(usage["completion_tokens"]?.intValue)
            #expect(prompt > 0 && completion > 0, "\(usage)")
            let expectedCost =
                (Double(prompt - cached) * price.input + Double(cached) * (price.cachedInput ?? price.input)
                    + Double(completion) * price.output) / 1_000_000
            #expect(answer.header("x-switchyard-cost-usd") == String(format: "%.8f", expectedCost), "\(usage)")
            #expect(answer.json["object"] == "chat.completion")
            #expect(answer.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue?.contains("what is up") == true)
            // Upstream saw the client's bytes with only the model replaced, and the provider's key.
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.path.hasSuffix("/openai/v1/chat/completions"))
            #expect(seen.bodyText == body.replacingOccurrences(of: "house-model", with: "gpt-4o-mini"))
            #expect(seen.headers["authorization"] == "Bearer sk-fake-openai")
            let record = try #require(await h.records.record(for: "client-req-1"))
            #expect(record.estimated == false)
            #expect(record.usage.totalInput > 0)
            #expect(record.costUSD.map { abs($0 - expectedCost) < 1e-12 } == true, "\(String(describing: record.costUSD))")
            #expect(record.outcome == .completed)
        }
    }

    @Test func bareCatalogNamesAndProviderSlashNamesRoute() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let bare = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("gpt-4o"))
            #expect(bare.status == 200)
            #expect(bare.header("x-switchyard-provider") == "openai")
            #expect(bare.header("x-switchyard-model") == "gpt-4o")
            let slash = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("groq/llama-3.3-70b-versatile"))
            #expect(slash.status == 200)
            #expect(slash.header("x-switchyard-provider") == "groq")
            let deepseek = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("deepseek-chat"))
            #expect(deepseek.header("x-switchyard-provider") == "deepseek")
        }
    }

    @Test func streamWithoutUsageHidesTheUsageChunkButPricesIt() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let body = GatewayHarness.chat("house-model", "stream me", extra: #","stream":true"#)
            let answer = try await h.request("/v1/chat/completions", body: body)
            #expect(answer.status == 200)
            #expect(answer.header("content-type")?.hasPrefix("text/event-stream") == true)
            let events = GatewayHarness.events(answer.body)
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap { try? JSON.parse($0) }
            #expect(chunks.count == events.count - 1)
            #expect(!chunks.contains { $0["choices"]?.arrayValue?.isEmpty == true }, "no usage chunk the client did not ask for")
            let text = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
            #expect(text.contains("stream me"))
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.bodyText.contains(#""stream_options":{"include_usage":true}"#), "gateway asked upstream for usage")
            let requestID = try #require(answer.header("x-request-id"))
            let record = try #require(await h.records.record(for: requestID))
            #expect(record.estimated == false)
            #expect(record.usage.totalOutput > 0)
        }
    }

    @Test func streamWithUsageKeepsTheUsageChunk() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let body = GatewayHarness.chat(
                "house-model", extra: #","stream":true,"stream_options":{"include_usage":true}"#)
            let answer = try await h.request("/v1/chat/completions", body: body)
            let chunks = GatewayHarness.events(answer.body).dropLast().compactMap { try? JSON.parse($0) }
            let usageChunk = try #require(chunks.last)
            #expect(usageChunk["choices"]?.arrayValue?.isEmpty == true)
            #expect(usageChunk["usage"]?["prompt_tokens"]?.intValue ?? 0 > 0)
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.bodyText == body.replacingOccurrences(of: "house-model", with: "gpt-4o-mini"), "already asked: body untouched")
        }
    }

    @Test func groqStreamUsageComesFromXGroq() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("groq/llama-3.3-70b-versatile", extra: #","stream":true"#))
            #expect(answer.status == 200)
            let requestID = try #require(answer.header("x-request-id"))
            let record = try #require(await h.records.record(for: requestID))
            #expect(record.estimated == false)
            #expect(record.usage.totalOutput > 0)
        }
    }

    @Test func toolCallsStreamThrough() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let body = #"{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"weather?"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}]}"#
            let answer = try await h.request("/v1/chat/completions", body: body)
            let events = OpenAIStream.decodeTranscript(answer.body)
            #expect(events.contains { if case .toolCallStart(_, _, _, "get_weather") = $0 { return true } else { return false } })
            #expect(events.contains(.finish(choice: 0, reason: .toolCalls)))
        }
    }
}
