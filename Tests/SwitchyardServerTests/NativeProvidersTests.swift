import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer
import DialectOpenAI

/// OpenAI clients calling native-dialect providers (translated both ways), and Anthropic clients on
/// `/v1/messages` calling Anthropic (same dialect) and OpenAI-family providers, through the real server.
@Suite struct NativeProvidersTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          anthropic: { api_key: sk-ant-fake, base_url: "\(fake.baseURL(.anthropic))" }
          cohere: { api_key: co-fake, base_url: "\(fake.baseURL(.cohere))" }
          gemini: { api_key: AIza-fake, base_url: "\(fake.baseURL(.gemini))" }
          bedrock: { api_key: bedrock-api-key, region: us-east-1, base_url: "\(fake.baseURL(.bedrock))" }
          bedrock-iam:
            kind: bedrock
            region: us-west-2
            aws_access_key_id: AKIDEXAMPLE
            aws_secret_access_key: wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
            base_url: "\(fake.baseURL(.bedrock, knobs: "sigv4_secret=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"))"
          openai: { api_key: sk-fake-openai, base_url: "\(fake.baseURL(.openai))" }
          overloaded: { kind: anthropic, api_key: k, base_url: "\(fake.baseURL(.anthropic, knobs: "status=529"))" }
          anthropic-cut: { kind: anthropic, api_key: k, base_url: "\(fake.baseURL(.anthropic, knobs: "midstream_error=3"))" }
        models:
          - name: claude-anywhere
            to: overloaded/claude-sonnet-4-5
            fallbacks: [anthropic/claude-sonnet-4-5]

        """
    }

    static let nativeModels = [
        "anthropic/claude-sonnet-4-5", "gemini/gemini-2.5-flash", "cohere/command-a-03-2025",
        "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
    ]

    static let weatherTool = #"[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]"#

    func chatText(_ answer: GatewayHarness.Answer) -> String? {
        answer.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue
    }

    func streamText(_ answer: GatewayHarness.Answer) -> (text: String, events: [StreamEvent]) {
        let events = OpenAIStream.decodeTranscript(answer.body)
        let text = events.compactMap { if case .textDelta(_, let t) = $0 { return t } else { return nil } }.joined()
        return (text, events)
    }

    @Test(arguments: NativeProvidersTests.nativeModels)
    func openAIClientNonStreaming(model: String) async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat(model, "translate me"))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["object"] == "chat.completion")
            #expect(answer.json["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
            #expect(chatText(answer)?.contains("translate me") == true, "\(answer.text)")
            #expect(answer.json["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
            #expect(answer.json["usage"]?["prompt_tokens"]?.intValue ?? 0 > 0)
            let requestID = try #require(answer.header("x-request-id"))
            let record = try #require(await h.records.record(for: requestID))
            #expect(!record.estimated)
        }
    }

    @Test(arguments: NativeProvidersTests.nativeModels)
    func openAIClientStreaming(model: String) async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request(
                "/v1/chat/completions",
                body: GatewayHarness.chat(model, "stream across", extra: #","stream":true,"stream_options":{"include_usage":true}"#))
            #expect(answer.status == 200)
            let (text, events) = streamText(answer)
            #expect(text.contains("stream across"), "\(answer.text)")
            #expect(events.contains(.finish(choice: 0, reason: .stop)))
            #expect(events.contains { if case .usage = $0 { return true } else { return false } })
            #expect(GatewayHarness.events(answer.body).last == "[DONE]")
        }
    }

    @Test(arguments: NativeProvidersTests.nativeModels)
    func openAIClientToolCallsStream(model: String) async throws {
        try await GatewayHarness.run(Self.config) { h in
            let body = #"{"model":"\#(model)","stream":true,"messages":[{"role":"user","content":"Paris"}],"tools":\#(Self.weatherTool)}"#
            let answer = try await h.request("/v1/chat/completions", body: body)
            let (_, events) = streamText(answer)
            let name = events.compactMap { if case .toolCallStart(_, _, _, let n) = $0 { return n } else { return nil } }
            #expect(name == ["get_weather"], "\(answer.text)")
            let args = events.compactMap { if case .toolCallArgumentsDelta(_, _, let f) = $0 { return f } else { return nil } }.joined()
            #expect((try? JSON.parse(args))?["city"] != nil, "arguments: \(args)")
            #expect(events.contains(.finish(choice: 0, reason: .toolCalls)))
        }
    }

    @Test(arguments: ["anthropic", "gemini", "bedrock", "cohere"])
    func midStreamProviderErrorsBecomeOpenAIInStreamErrors(kind: String) async throws {
        let provider: FakeProvider = [
            "anthropic": .anthropic, "gemini": .gemini, "bedrock": .bedrock, "cohere": .cohere,
        ][kind] ?? .anthropic
        let model = ["anthropic": "claude-sonnet-4-5", "gemini": "gemini-2.5-flash", "bedrock": "amazon.nova-pro-v1:0", "cohere": "command-a-03-2025"][kind] ?? ""
        try await GatewayHarness.run({ fake in
            "providers:\n  broken: { kind: \(kind), api_key: k, region: us-east-1, base_url: \"\(fake.baseURL(provider, knobs: "midstream_error=3"))\" }\n"
        }) { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("broken/\(model)", "fail later", extra: #","stream":true"#))
            #expect(answer.status == 200)
            let events = GatewayHarness.events(answer.body)
            #expect(!events.contains("[DONE]"), "\(answer.text)")
            let last = try JSON.parse(try #require(events.last))
            #expect(last["error"]?["message"]?.stringValue?.isEmpty == false, "\(answer.text)")
            let requestID = try #require(answer.header("x-request-id"))
            #expect(await h.records.record(for: requestID)?.outcome == .upstreamFailed)
        }
    }

    @Test func geminiKeyTravelsOnlyInTheHeader() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("gemini/gemini-2.5-pro", "g"))
            #expect(answer.status == 200, "\(answer.text)")
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.headers["x-goog-api-key"] == "AIza-fake")
            #expect(!seen.path.contains("AIza-fake"))
            #expect(seen.path.hasSuffix("/v1beta/models/gemini-2.5-pro:generateContent"))
        }
    }

    @Test func bedrockWithSigV4Credentials() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("bedrock-iam/amazon.nova-pro-v1:0", "signed"))
            #expect(answer.status == 200, "\(answer.text)")
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.headers["authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") == true)
            #expect(seen.path.contains("/model/amazon.nova-pro-v1%3A0/converse"))
        }
    }

    @Test func anthropicOverloadFailsOverAndMapsForOpenAIClients() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("claude-anywhere"))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("x-switchyard-attempts") == "2")
            let direct = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("overloaded/claude-sonnet-4-5"))
            #expect(direct.status == 503)
            #expect(direct.json["error"]?["code"] == "overloaded")
        }
    }

    // MARK: - Anthropic clients

    func messages(_ h: GatewayHarness, _ body: String, key: String? = GatewayHarness.masterKey, headers: [(String, String)] = [])
        async throws -> GatewayHarness.Answer
    {
        try await h.request("/v1/messages", body: body, key: key, headers: [("anthropic-version", "2023-06-01")] + headers)
    }

    static func messagesBody(_ model: String, _ text: String = "hi claude", extra: String = "") -> String {
        #"{"model":"\#(model)","max_tokens":256,"messages":[{"role":"user","content":"\#(text)"}]\#(extra)}"#
    }

    @Test func anthropicClientToAnthropicIsPassedThrough() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let body = Self.messagesBody("anthropic/claude-sonnet-4-5", extra: #","metadata":{"user_id":"u1"}"#)
            let answer = try await messages(h, body, headers: [("anthropic-beta", "some-beta-2026")])
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["type"] == "message")
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.bodyText == body.replacingOccurrences(of: "anthropic/claude-sonnet-4-5", with: "claude-sonnet-4-5"))
            #expect(seen.headers["anthropic-beta"] == "some-beta-2026")
            #expect(seen.headers["x-api-key"] == "sk-ant-fake")
            let stream = try await messages(h, Self.messagesBody("anthropic/claude-sonnet-4-5", extra: #","stream":true"#))
            let names = GatewayHarness.eventNames(stream.body)
            #expect(names.first == "message_start")
            #expect(names.last == "message_stop")
            let requestID = try #require(stream.header("x-request-id"))
            #expect(await h.records.record(for: requestID)?.estimated == false)
        }
    }

    @Test(arguments: ["openai/gpt-4o", "gemini/gemini-2.5-flash", "cohere/command-a-03-2025", "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0"])
    func anthropicClientToOtherProviders(model: String) async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await messages(h, Self.messagesBody(model, "from claude code"))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["type"] == "message")
            #expect(answer.json["role"] == "assistant")
            #expect(answer.json["model"]?.stringValue == model)
            #expect(answer.json["stop_reason"] == "end_turn")
            let text = answer.json["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
            #expect(text.contains("from claude code"))
            #expect(answer.json["usage"]?["input_tokens"]?.intValue ?? 0 > 0)
            let stream = try await messages(h, Self.messagesBody(model, "stream to claude", extra: #","stream":true"#))
            let names = GatewayHarness.eventNames(stream.body)
            #expect(names.first == "message_start", "\(stream.text)")
            #expect(names.contains("content_block_delta"))
            #expect(names.suffix(2) == ["message_delta", "message_stop"])
        }
    }

    @Test func countTokensGoesToAnthropicOnly() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let body = Self.messagesBody("anthropic/claude-sonnet-4-5", "count these words please")
            let counted = try await h.request(
                "/v1/messages/count_tokens", body: body, headers: [("anthropic-version", "2023-06-01")])
            #expect(counted.status == 200, "\(counted.text)")
            #expect(counted.json["input_tokens"]?.intValue ?? 0 > 0)
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.path.hasSuffix("/v1/messages/count_tokens"))
            let elsewhere = try await h.request(
                "/v1/messages/count_tokens", body: Self.messagesBody("openai/gpt-4o"),
                headers: [("anthropic-version", "2023-06-01")])
            #expect(elsewhere.status == 400)
            #expect(elsewhere.json["error"]?["type"] == "invalid_request_error")
        }
    }

    @Test func anthropicClientErrorsAreAnthropicShaped() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let noKey = try await messages(h, Self.messagesBody("anthropic/claude-sonnet-4-5"), key: nil)
            #expect(noKey.status == 401)
            // Anthropic's shape, whole: no OpenAI members, the request id the header carries.
            let requestID = try #require(noKey.header("x-request-id"))
            #expect(
                noKey.json
                    == [
                        "type": "error",
                        "error": [
                            "type": "authentication_error",
                            "message": "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                        ],
                        "request_id": .string(requestID),
                    ], "\(noKey.text)")
            let viaXAPIKey = try await h.request(
                "/v1/messages", body: Self.messagesBody("anthropic/claude-sonnet-4-5"), key: nil,
                headers: [("x-api-key", GatewayHarness.masterKey), ("anthropic-version", "2023-06-01")])
            #expect(viaXAPIKey.status == 200)
            let unknown = try await messages(h, Self.messagesBody("claude-none"))
            #expect(unknown.status == 404)
            #expect(unknown.json["error"]?["type"] == "not_found_error")
            let overloaded = try await messages(h, Self.messagesBody("overloaded/claude-sonnet-4-5"))
            #expect(overloaded.status == 529)
            #expect(overloaded.json["error"]?["type"] == "overloaded_error")
            let bad = try await messages(h, #"{"model":"anthropic/claude-sonnet-4-5","messages":"#)
            #expect(bad.status == 400)
            #expect(bad.json["error"]?["type"] == "invalid_request_error")
            let midStream = try await messages(h, Self.messagesBody("anthropic-cut/claude-sonnet-4-5", extra: #","stream":true"#))
            #expect(GatewayHarness.eventNames(midStream.body).last == "error")
        }
    }
}
