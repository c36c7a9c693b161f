import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import FakeProviderKit
@testable import SwitchyardServer
import DialectOpenAI

/// Issue 11 §1: JSON allows whitespace between any two tokens and SSE allows an event's data over several
/// lines; providers use both (`"choices": []`, `"usage": null` on every chunk, Python's `json.dumps`). The
/// relay and the scanner must read every spelling the way they read the compact one.
@Suite struct SpacedJSONTests {
    static let openAIFamily = [
        "openai", "azure-openai", "deepseek", "groq", "mistral", "ollama", "openrouter", "perplexity", "qwen",
        "together", "vllm", "xai",
    ]

    static func fixtures(_ matching: (String) -> Bool) throws -> [(provider: String, file: String)] {
        try openAIFamily.flatMap { provider in
            try FileManager.default.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent(provider).path)
                .filter(matching).sorted().map { (provider, $0) }
        }
    }

    static func chatStreams(_ file: String) -> Bool { file.hasPrefix("chat-stream") && file.hasSuffix(".txt") }
    static func chatResponses(_ file: String) -> Bool { file.hasPrefix("chat-response") && file.hasSuffix(".json") }

    struct Relayed: Equatable {
        var events: [String]
        var usage: Usage?
        var done: Bool
        var finish: Bool
        var error: Bool
    }

    static func relay(_ transcript: [UInt8], strip: Bool) -> Relayed {
        var relay = StreamRelay(stripUsageChunk: strip, flavor: .standard)
        var out = ByteBuffer()
        // Reads of 7 bytes: events and keys split across reads too.
        var offset = 0
        while offset < transcript.count {
            relay.process(ByteBuffer(bytes: transcript[offset..<min(offset + 7, transcript.count)]), into: &out)
            offset += 7
        }
        relay.finish(into: &out)
        var parser = SSEParser()
        let events = (parser.feed(Array(buffer: out)) + parser.finish()).filter { !$0.isCommentOnly }.map(\.dataText)
        return Relayed(events: events, usage: relay.usage, done: relay.sawDone, finish: relay.sawFinish, error: relay.sawError)
    }

    /// Re-spells every event of a transcript the way the fake's `json=` knob does.
    static func respelled(_ transcript: [UInt8], _ spacing: JSONSpacing) -> [UInt8] {
        var parser = SSEParser()
        let events = parser.feed(transcript) + parser.finish()
        return events.flatMap { Array(buffer: spacing.respellEvent(ByteBuffer(bytes: $0.raw))) }
    }

    static func isUsageChunk(_ data: String) -> Bool {
        guard let json = try? JSON.parse(data) else { return false }
        return json["choices"]?.arrayValue?.isEmpty == true && json["usage"]?.objectValue != nil
    }

    @Test func everyStreamFixtureReadsTheSameInEverySpelling() throws {
        let streams = try Self.fixtures(Self.chatStreams)
        #expect(streams.count == 13, "OpenAI-family chat stream fixtures: \(streams.map(\.file))")
        for (provider, file) in streams {
            let transcript = try Fixtures.bytes(provider, file)
            let compact = Self.relay(transcript, strip: false)
            for spacing in [JSONSpacing.spaced, .multiline] {
                let spelled = Self.respelled(transcript, spacing)
                #expect(spelled != transcript, "\(provider)/\(file) was re-spelled")
                let kept = Self.relay(spelled, strip: false)
                let stripped = Self.relay(spelled, strip: true)
                let label = "\(provider)/\(file) \(spacing)"
                #expect(kept.usage == compact.usage, "\(label): usage read")
                #expect(kept.done == compact.done && kept.finish == compact.finish, "\(label): end detected")
                #expect(kept.error == compact.error, "\(label): error detected")
                #expect(stripped.usage == compact.usage, "\(label): usage read while stripping")
                #expect(!stripped.events.contains(where: Self.isUsageChunk), "\(label): usage chunk stripped")
                let usageChunks = kept.events.filter(Self.isUsageChunk).count
                #expect(stripped.events.count == kept.events.count - usageChunks, "\(label): nothing else dropped")
            }
        }
    }

    @Test func fixturesExerciseUsageFinishAndErrors() throws {
        // The test above only means something if the fixtures hold what it checks.
        let streams = try Self.fixtures(Self.chatStreams)
        let results = try streams.map { Self.relay(try Fixtures.bytes($0.provider, $0.file), strip: false) }
        #expect(results.filter { $0.usage != nil }.count >= 10)
        #expect(results.contains { $0.events.contains(where: Self.isUsageChunk) })
        #expect(results.filter { $0.finish }.count >= 12)
        #expect(results.contains { $0.error })
    }

    @Test func everyResponseFixtureYieldsTheSameUsageInEverySpelling() throws {
        let responses = try Self.fixtures(Self.chatResponses)
        #expect(responses.count == 14, "OpenAI-family chat response fixtures: \(responses.map(\.file))")
        func usage(_ body: [UInt8]) -> Usage? {
            body.withUnsafeBytes { bytes in
                guard let fields = try? JSONScanner.topLevelFields(bytes),
                    let field = fields.first(where: { $0.key == "usage" }), !JSONScanner.isNull(bytes, field.value)
                else { return nil }
                return OpenAIUsage.decode(bytes, field.value)
            }
        }
        var withUsage = 0
        for (provider, file) in responses {
            let body = try Fixtures.bytes(provider, file)
            let compact = usage(body)
            if compact != nil { withUsage += 1 }
            for spacing in [JSONSpacing.spaced, .multiline] {
                #expect(usage(spacing.respell(body)) == compact, "\(provider)/\(file) \(spacing)")
            }
        }
        #expect(withUsage == responses.count)
    }

    // MARK: Through the real server

    static func config(_ fake: RunningFakeProviders) -> String {
        var providers = "providers:\n"
        for spacing in ["spaced", "multiline"] {
            providers += """
                  openai-\(spacing): { kind: openai, api_key: sk-a, base_url: "\(fake.baseURL(.openai, knobs: "json=\(spacing)"))" }
                  groq-\(spacing): { kind: groq, api_key: gsk-a, base_url: "\(fake.baseURL(.groq, knobs: "json=\(spacing)"))" }
                  deepseek-\(spacing): { kind: deepseek, api_key: sk-d, base_url: "\(fake.baseURL(.deepseek, knobs: "json=\(spacing)"))" }
                  mistral-\(spacing): { kind: mistral, api_key: m-a, base_url: "\(fake.baseURL(.mistral, knobs: "json=\(spacing)"))" }

                """
        }
        return providers
    }

    static let routes = [
        "openai-spaced/gpt-4o-mini", "groq-spaced/llama-3.3-70b-versatile", "deepseek-spaced/deepseek-chat",
        "mistral-spaced/mistral-small-latest", "openai-multiline/gpt-4o-mini", "groq-multiline/llama-3.3-70b-versatile",
        "deepseek-multiline/deepseek-chat", "mistral-multiline/mistral-small-latest",
    ]

    @Test func spacedStreamsKeepTheUsageChunkFromClientsThatDidNotAskForIt() async throws {
        try await GatewayHarness.run(Self.config) { h in
            for model in Self.routes {
                let plain = try await h.request(
                    "/v1/chat/completions", body: GatewayHarness.chat(model, extra: #","stream":true"#))
                #expect(plain.status == 200, "\(model): \(plain.text)")
                let events = GatewayHarness.events(plain.body)
                #expect(events.last == "[DONE]", "\(model)")
                #expect(!events.contains(where: Self.isUsageChunk), "\(model): usage chunk leaked: \(plain.text)")
                #expect(events.contains { $0.contains("finish_reason\": \"stop") }, "\(model) stayed spaced")
                let requestID = try #require(plain.header("x-request-id"))
                let record = try #require(await h.records.record(for: requestID))
                #expect(!record.estimated, "\(model): usage read from the spaced stream")
                #expect(record.outcome == .completed, "\(model)")
                #expect(record.usage.input > 0 && record.usage.totalOutput > 0, "\(model)")

                let asked = try await h.request(
                    "/v1/chat/completions",
                    body: GatewayHarness.chat(model, extra: #","stream":true,"stream_options":{"include_usage":true}"#))
                let askedEvents = GatewayHarness.events(asked.body)
                // Where the usage comes (a `choices: []` chunk, the finish chunk, Groq's `x_groq`) is the
                // provider's; that it reaches a client that asked is the gateway's.
                let reported = askedEvents.contains { data in
                    guard let json = try? JSON.parse(data) else { return false }
                    return json["usage"]?.objectValue != nil || json["x_groq"]?["usage"]?.objectValue != nil
                }
                #expect(reported, "\(model): the client asked for usage: \(asked.text)")
                let askedID = try #require(asked.header("x-request-id"))
                let askedRecord = try #require(await h.records.record(for: askedID))
                #expect(askedRecord.usage == record.usage, "\(model): same usage either way")
            }
        }
    }

    @Test func spacedWholeAnswersArePricedFromTheirUsage() async throws {
        try await GatewayHarness.run(Self.config) { h in
            for model in Self.routes {
                let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat(model))
                #expect(answer.status == 200, "\(model): \(answer.text)")
                #expect(answer.text.contains("\": "), "\(model) answered spaced")
                let answerID = try #require(answer.header("x-request-id"))
                let record = try #require(await h.records.record(for: answerID))
                #expect(!record.estimated, "\(model)")
                let usage = try #require(OpenAIUsage.decode(answer.json["usage"] ?? .null))
                #expect(record.usage == usage, "\(model)")
            }
        }
    }
}
