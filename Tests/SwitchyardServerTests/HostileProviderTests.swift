import FakeProviderKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Issue 11 §4 and §5: a provider's answer must never crash the gateway, and a provider quoting its key —
/// before the answer, inside a mid-stream error, or in an answer — must never reach the client with it.
@Suite struct HostileProviderTests {
    static let providerKey = "sk-prov-0123456789abcdefSECRETxyz"

    static let openAIChunk =
        #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}"#
        + "\n\n"
    static let anthropicOpening = [
        #"event: message_start"# + "\n"
            + #"data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}"#
            + "\n\n",
        #"event: content_block_start"# + "\n"
            + #"data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"# + "\n\n",
        #"event: content_block_delta"# + "\n"
            + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"# + "\n\n",
    ]
    static func anthropicMessage(usage: String) -> String {
        #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":\#(usage)}"#
    }
    static let anthropic429 = #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#
    static func gemini429(retryDelay: String) -> String {
        #"{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":\#(retryDelay)}]}}"#
    }

    static let scripts: [String: ScriptedProvider.Script] = [
        // §5: the key quoted by the provider.
        "oa-stream-echo": .init(
            contentType: "text/event-stream",
            chunks: [
                openAIChunk,
                #"data: {"error": {"message": "Incorrect API key provided: {{KEY_HEAD}}"#,
                #"{{KEY_TAIL}}. You can find your API key at https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}"#
                    + "\n\n",
            ]),
        "oa-error-echo": .init(
            status: 400,
            chunks: [#"{"error":{"message":"Invalid request made with key {{KEY}}","type":"invalid_request_error","param":null,"code":null}}"#]),
        "oa-json-echo": .init(chunks: [
            #"{"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"your key is {{KEY}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#
        ]),
        "an-stream-echo": .init(
            contentType: "text/event-stream",
            chunks: anthropicOpening + [
                "event: error\n" + #"data: {"type":"error","error":{"type":"api_error","message":"Internal failure while serving key {{KEY_HEAD}}"#,
                #"{{KEY_TAIL}}"}}"# + "\n\n",
            ]),
        // Issue 12: an event that never ends (no blank line), 17 MiB of it.
        "oa-endless-event": .init(
            contentType: "text/event-stream",
            chunks: [openAIChunk, #"data: {"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":""#]
                + Array(repeating: String(repeating: "a", count: 1 << 20), count: 17)),
        "an-endless-event": .init(
            contentType: "text/event-stream",
            chunks: anthropicOpening + [#"event: content_block_delta"# + "\n" + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""#]
                + Array(repeating: String(repeating: "a", count: 1 << 20), count: 17)),
        // §4: numbers that used to trap.
        "an-429-inf": .init(status: 429, headers: [("retry-after-ms", "inf")], chunks: [anthropic429]),
        "an-429-huge": .init(status: 429, headers: [("retry-after-ms", "1e308")], chunks: [anthropic429]),
        "an-429-negative": .init(status: 429, headers: [("retry-after", "-5")], chunks: [anthropic429]),
        "an-429-words": .init(status: 429, headers: [("retry-after", "soon, maybe")], chunks: [anthropic429]),
        "gm-429-string": .init(status: 429, chunks: [gemini429(retryDelay: #""1e300s""#)]),
        "gm-429-object": .init(status: 429, chunks: [gemini429(retryDelay: #"{"seconds": "1e300"}"#)]),
        "an-huge-usage": .init(chunks: [
            anthropicMessage(
                usage: #"{"input_tokens":9223372036854775807,"cache_read_input_tokens":9223372036854775807,"cache_creation_input_tokens":0,"output_tokens":5}"#)
        ]),
        "oa-negative-usage": .init(chunks: [
            #"{"id":"chatcmpl-3","object":"chat.completion","created":1,"model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":-1000,"completion_tokens":-5,"total_tokens":-1005}}"#
        ]),
    ]

    static func config(_ base: String) -> String {
        """
        providers:
          oa-stream-echo: { kind: openai, api_key: \(providerKey), base_url: "\(base)/oa-stream-echo/v1" }
          oa-error-echo: { kind: openai, api_key: \(providerKey), base_url: "\(base)/oa-error-echo/v1" }
          oa-json-echo: { kind: openai, api_key: \(providerKey), base_url: "\(base)/oa-json-echo/v1" }
          an-stream-echo: { kind: anthropic, api_key: \(providerKey), base_url: "\(base)/an-stream-echo" }
          an-429-inf: { kind: anthropic, api_key: k-anthropic, base_url: "\(base)/an-429-inf" }
          an-429-huge: { kind: anthropic, api_key: k-anthropic, base_url: "\(base)/an-429-huge" }
          an-429-negative: { kind: anthropic, api_key: k-anthropic, base_url: "\(base)/an-429-negative" }
          an-429-words: { kind: anthropic, api_key: k-anthropic, base_url: "\(base)/an-429-words" }
          gm-429-string: { kind: gemini, api_key: k-gemini, base_url: "\(base)/gm-429-string/v1beta" }
          gm-429-object: { kind: gemini, api_key: k-gemini, base_url: "\(base)/gm-429-object/v1beta" }
          an-huge-usage: { kind: anthropic, api_key: k-anthropic, base_url: "\(base)/an-huge-usage" }
          oa-negative-usage: { kind: openai, api_key: k-openai, base_url: "\(base)/oa-negative-usage/v1" }
          oa-endless-event: { kind: openai, api_key: k-openai, base_url: "\(base)/oa-endless-event/v1" }
          an-endless-event: { kind: anthropic, api_key: k-anthropic, base_url: "\(base)/an-endless-event" }
        """
    }

    /// The real gateway in front of the scripted provider.
    static func withGateway(_ body: @Sendable (GatewayHarness) async throws -> Void) async throws {
        try await ScriptedProvider.run(scripts) { base in
            try await GatewayHarness.run({ _ in config(base) }, body)
        }
    }

    static func expectStillServing(_ h: GatewayHarness) async throws {
        let health = try await h.get("/health", key: nil)
        #expect(health.status == 200)
        let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("oa-negative-usage/gpt-4o"))
        #expect(answer.status == 200, "\(answer.text)")
    }

    static func expectNoKey(_ answer: GatewayHarness.Answer, _ label: String) {
        #expect(!answer.text.contains(providerKey), "\(label): the provider key reached the client: \(answer.text)")
        let head = String(providerKey.prefix(providerKey.count / 2))
        let tail = String(providerKey.suffix(providerKey.count - providerKey.count / 2))
        #expect(!(answer.text.contains(head) && answer.text.contains(tail)), "\(label): both halves reached the client")
        for (name, value) in answer.headers { #expect(!value.contains(providerKey), "\(label): header \(name)") }
    }

    // MARK: §5 — the provider's key never reaches the client

    @Test func keyQuotedMidStreamOnThePassthroughPathIsMasked() async throws {
        try await Self.withGateway { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("oa-stream-echo/gpt-4o", extra: #","stream":true"#))
            #expect(answer.status == 200)
            Self.expectNoKey(answer, "passthrough stream")
            let events = GatewayHarness.events(answer.body)
            #expect(events.first?.contains("\"content\":\"Hi\"") == true, "\(answer.text)")
            let error = try #require(events.last.flatMap { try? JSON.parse($0) }?["error"], "\(answer.text)")
            #expect(error["message"]?.stringValue == "Incorrect API key provided: ***. You can find your API key at https://platform.openai.com/account/api-keys.")
            try await Self.expectStillServing(h)
        }
    }

    @Test func keyQuotedMidStreamOnTheTranslatedPathIsMasked() async throws {
        try await Self.withGateway { h in
            let answer = try await h.request(
                "/v1/chat/completions",
                body: GatewayHarness.chat("an-stream-echo/claude-sonnet-4-5", extra: #","stream":true"#))
            #expect(answer.status == 200)
            Self.expectNoKey(answer, "translated stream")
            let events = GatewayHarness.events(answer.body)
            let error = try #require(
                events.compactMap { try? JSON.parse($0) }.last?["error"], "an in-stream error: \(answer.text)")
            #expect(error["message"]?.stringValue?.contains("Internal failure while serving key ***") == true, "\(answer.text)")
        }
    }

    @Test func keyQuotedMidStreamOnTheNativeMessagesPathIsMasked() async throws {
        try await Self.withGateway { h in
            let answer = try await h.request(
                "/v1/messages",
                body: #"{"model":"an-stream-echo/claude-sonnet-4-5","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#,
                headers: [("anthropic-version", "2023-06-01")])
            #expect(answer.status == 200)
            Self.expectNoKey(answer, "native stream")
            #expect(GatewayHarness.eventNames(answer.body).last == "error", "\(answer.text)")
            #expect(answer.text.contains("Internal failure while serving key ***"), "\(answer.text)")
        }
    }

    @Test func keyQuotedBeforeTheAnswerOrInsideItIsMasked() async throws {
        try await Self.withGateway { h in
            let error = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("oa-error-echo/gpt-4o"))
            #expect(error.status == 400, "\(error.text)")
            Self.expectNoKey(error, "error answer")
            #expect(error.json["error"]?["message"]?.stringValue == "Invalid request made with key ***")
            let whole = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("oa-json-echo/gpt-4o"))
            #expect(whole.status == 200)
            Self.expectNoKey(whole, "whole answer")
            #expect(whole.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue == "your key is ***")
        }
    }

    // MARK: Issue 12 — bounded buffers

    @Test func anEventThatNeverEndsIsCutWithAnInStreamError() async throws {
        try await Self.withGateway { h in
            let passthrough = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("oa-endless-event/gpt-4o", extra: #","stream":true"#))
            #expect(passthrough.status == 200)
            #expect(passthrough.body.count < 20 << 20)
            let last = GatewayHarness.events(passthrough.body).last.flatMap { try? JSON.parse($0) }
            #expect(last?["error"]?["message"]?.stringValue?.contains("larger than 16 MiB") == true, "passthrough")

            let translated = try await h.request(
                "/v1/chat/completions",
                body: GatewayHarness.chat("an-endless-event/claude-sonnet-4-5", extra: #","stream":true"#))
            let translatedLast = GatewayHarness.events(translated.body).last.flatMap { try? JSON.parse($0) }
            #expect(translatedLast?["error"]?["message"]?.stringValue?.contains("larger than 16 MiB") == true, "translated: \(String(decoding: translated.body.suffix(600), as: UTF8.self))")

            let native = try await h.request(
                "/v1/messages",
                body: #"{"model":"an-endless-event/claude-sonnet-4-5","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#,
                headers: [("anthropic-version", "2023-06-01")])
            #expect(String(decoding: native.body.suffix(400), as: UTF8.self).contains("larger than 16 MiB"), "native")
            let nativeID = try #require(native.header("x-request-id"))
            let record = try #require(await h.records.record(for: nativeID))
            #expect(record.outcome == .upstreamFailed)
            try await Self.expectStillServing(h)
        }
    }

    // MARK: §4 — numbers that used to crash the gateway

    @Test func absurdRetryHintsFromAnthropicAreDroppedOrClamped() async throws {
        try await Self.withGateway { h in
            // Expected retry-after per hint: inf, negative and words are dropped; 1e308 ms is clamped to a day.
            let expected: [(String, String?)] = [
                ("an-429-inf", nil), ("an-429-huge", "86400"), ("an-429-negative", nil), ("an-429-words", nil),
            ]
            for (provider, retryAfter) in expected {
                let chat = try await h.request(
                    "/v1/chat/completions", body: GatewayHarness.chat("\(provider)/claude-sonnet-4-5"))
                #expect(chat.status == 429, "\(provider): \(chat.text)")
                #expect(chat.json["error"]?["code"]?.stringValue == "rate_limit_exceeded", "\(provider)")
                #expect(chat.header("retry-after") == retryAfter, "\(provider)")
                let messages = try await h.request(
                    "/v1/messages",
                    body: #"{"model":"\#(provider)/claude-sonnet-4-5","max_tokens":20,"messages":[{"role":"user","content":"hi"}]}"#,
                    headers: [("anthropic-version", "2023-06-01")])
                #expect(messages.status == 429, "\(provider): \(messages.text)")
                #expect(messages.json["error"]?["type"]?.stringValue == "rate_limit_error", "\(provider)")
                #expect(messages.header("retry-after") == retryAfter, "\(provider) on /v1/messages")
            }
            try await Self.expectStillServing(h)
        }
    }

    @Test func absurdGeminiRetryDelaysAreClamped() async throws {
        try await Self.withGateway { h in
            for provider in ["gm-429-string", "gm-429-object"] {
                let answer = try await h.request(
                    "/v1/chat/completions", body: GatewayHarness.chat("\(provider)/gemini-2.5-flash"))
                #expect(answer.status == 429, "\(provider): \(answer.text)")
                #expect(answer.header("retry-after") == "86400", "\(provider)")
            }
            try await Self.expectStillServing(h)
        }
    }

    @Test func hugeTokenCountsSaturateInsteadOfOverflowing() async throws {
        try await Self.withGateway { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("an-huge-usage/claude-sonnet-4-5"))
            #expect(answer.status == 200, "\(answer.text)")
            let usage = try #require(answer.json["usage"])
            let limit = Int64(Usage.maxTokens)
            #expect(usage["prompt_tokens"] == .int(2 * limit), "input and cache reads, each clamped: \(answer.text)")
            #expect(usage["completion_tokens"] == .int(5))
            #expect(usage["total_tokens"] == .int(2 * limit + 5))
            let cost = try #require(answer.header("x-switchyard-cost-usd").flatMap(Double.init))
            #expect(cost.isFinite && cost > 0)
            try await Self.expectStillServing(h)
        }
    }

    @Test func negativeTokenCountsAreNeverPriced() async throws {
        try await Self.withGateway { h in
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("oa-negative-usage/gpt-4o"))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("x-switchyard-cost-usd") == "0.00000000")
            let requestID = try #require(answer.header("x-request-id"))
            let record = try #require(await h.records.record(for: requestID))
            #expect(record.usage == Usage())
            #expect(record.costUSD == 0)
        }
    }
}
