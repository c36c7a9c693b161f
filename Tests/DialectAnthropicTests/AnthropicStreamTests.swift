import Testing
import SwitchyardCore
@testable import DialectAnthropic

@Suite struct AnthropicStreamTests {
    static let streamFixtures = Fixtures.files(prefix: "messages-stream-")

    static func decode(_ bytes: [UInt8]) -> [StreamEvent] {
        AnthropicStream.decodeTranscript(bytes)
    }

    @Test func everyStreamFixtureIsCovered() {
        #expect(Self.streamFixtures.count == 4)
    }

    @Test func textStream() throws {
        let events = Self.decode(try Fixtures.bytes("messages-stream-text.txt"))
        #expect(events == [
            .start(id: "msg_01rIBaMbvnjpzTaJweKkvaYS", model: "claude-sonnet-4-6", created: 0),
            .roleStart(choice: 0),
            .textDelta(choice: 0, text: "Air molecules scatter"),
            .textDelta(choice: 0, text: " short blue wavelengths"),
            .textDelta(choice: 0, text: " far more than red ones."),
            .finish(choice: 0, reason: .stop),
            .usage(Usage(input: 38, output: 19)),
        ])
    }

    @Test func toolUseStream() throws {
        let events = Self.decode(try Fixtures.bytes("messages-stream-tool-use.txt"))
        #expect(events == [
            .start(id: "msg_01TvTAimMQR6PfNn1r34Y8u5", model: "claude-sonnet-4-6", created: 0),
            .roleStart(choice: 0),
            .textDelta(choice: 0, text: "I'll check the"),
            .textDelta(choice: 0, text: " weather."),
            .toolCallStart(choice: 0, index: 0, id: "toolu_01a4FG1LqB3yhhAllcMVpm9t", name: "get_weather"),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"{"city": "Par"#),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"is", "unit": "cel"#),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"sius"}"#),
            .finish(choice: 0, reason: .toolCalls),
            .usage(Usage(input: 512, output: 74, cacheRead: 380)),
        ])
    }

    @Test func thinkingStream() throws {
        let events = Self.decode(try Fixtures.bytes("messages-stream-thinking.txt"))
        #expect(events.count == 10)
        #expect(events[2] == .reasoningDelta(choice: 0, text: "18 °C and cloudy is mild."))
        #expect(events[3] == .reasoningDelta(choice: 0, text: " No rain mentioned, so a walk is fine."))
        guard case .reasoningSignature(0, let signature) = events[4] else {
            Issue.record("signature expected, got \(events[4])")
            return
        }
        #expect(signature.hasPrefix("EqQDMSm62jAXBZ1Q"))
        #expect(AnthropicStream.redactedData(fromSignature: signature) == nil)
        guard case .reasoningSignature(0, let redacted) = events[5] else {
            Issue.record("redacted thinking expected, got \(events[5])")
            return
        }
        #expect(AnthropicStream.redactedData(fromSignature: redacted)?.hasPrefix("EmwKAhgBEgymSjIO") == true)
        #expect(events[6] == .textDelta(choice: 0, text: "Yes — it's mild and cloudy;"))
        #expect(events[8] == .finish(choice: 0, reason: .stop))
        #expect(events[9] == .usage(Usage(input: 1890, output: 342, cacheWrite: 1650)))
    }

    @Test func overloadedMidStream() throws {
        let events = Self.decode(try Fixtures.bytes("messages-stream-error-overloaded.txt"))
        #expect(events.count == 4)
        #expect(events[2] == .textDelta(choice: 0, text: "Air molecules"))
        guard case .error(let error) = events.last else {
            Issue.record("error expected")
            return
        }
        #expect(error.kind == .overloaded)
        #expect(error.message == "Overloaded")
    }

    @Test(arguments: streamFixtures)
    func byteByByteEqualsWhole(file: String) throws {
        let bytes = try Fixtures.bytes(file)
        var decoder = AnthropicStreamDecoder()
        var events: [StreamEvent] = []
        for byte in bytes { events += decoder.feed([byte]) }
        events += decoder.finish()
        #expect(events == Self.decode(bytes))
    }

    /// Decoded → re-encoded with the stream encoder → decoded again gives the same events.
    @Test(arguments: streamFixtures)
    func reencodedStreamDecodesTheSame(file: String) throws {
        let events = Self.decode(try Fixtures.bytes(file))
        var encoder = AnthropicStreamEncoder()
        var bytes: [UInt8] = []
        for event in events { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        #expect(Self.decode(bytes) == events, "\(String(decoding: bytes, as: UTF8.self))")
    }

    /// The re-encoded stream has the fixture's shape: same events, same block indexes and block types, minus
    /// `ping` and the empty `input_json_delta` that carries nothing.
    @Test(arguments: streamFixtures)
    func reencodedStreamHasTheFixtureShape(file: String) throws {
        let original = try Fixtures.bytes(file)
        var encoder = AnthropicStreamEncoder()
        var bytes: [UInt8] = []
        for event in Self.decode(original) { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        func shape(_ payloads: [JSONValue]) -> [String] {
            payloads.compactMap { payload in
                guard payload["type"] != "ping", payload["delta"]?["partial_json"] != "" else { return nil }
                let type = payload["type"]?.stringValue ?? ""
                let detail = payload["content_block"]?["type"] ?? payload["delta"]?["type"] ?? payload["error"]?["type"]
                return "\(type) \(payload["index"]?.intValue ?? -1) \(detail?.stringValue ?? "")"
            }
        }
        #expect(shape(try Self.payloads(bytes)) == shape(try Self.payloads(original)))
    }

    static func eventNames(_ bytes: [UInt8]) -> [String] {
        var parser = SSEParser()
        return (parser.feed(bytes) + parser.finish()).compactMap(\.event)
    }

    static func payloads(_ bytes: [UInt8]) throws -> [JSONValue] {
        var parser = SSEParser()
        return try (parser.feed(bytes) + parser.finish()).map { try JSON.parse($0.data) }
    }

    /// The reverse recipe of mapping.md §5: an OpenAI-family upstream's events for an Anthropic client.
    @Test func encodesForeignStreamForAnthropicClients() throws {
        var encoder = AnthropicStreamEncoder(id: "msg_gw1", model: "public", inputTokens: 42)
        var bytes: [UInt8] = []
        let events: [StreamEvent] = [
            .start(id: "chatcmpl-9", model: "deepseek-reasoner", created: 5),
            .roleStart(choice: 0),
            .reasoningDelta(choice: 0, text: "think"),
            .textDelta(choice: 0, text: "Hello"),
            .toolCallStart(choice: 0, index: 0, id: "call_1", name: "f"),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"{"a":"#),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: "1}"),
            .toolCallStart(choice: 0, index: 1, id: "call_2", name: "g"),
            .toolCallArgumentsDelta(choice: 0, index: 1, fragment: "{}"),
            .finish(choice: 0, reason: .stop),
            .usage(Usage(input: 40, output: 9, cacheRead: 2, reasoning: 3)),
        ]
        for event in events { bytes += encoder.encode(event) }
        let payloads = try Self.payloads(bytes)
        #expect(payloads.map { $0["type"]?.stringValue ?? "" } == [
            "message_start",
            "content_block_start", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
            "content_block_start", "content_block_delta", "content_block_stop",
        ])
        let start = payloads[0]["message"]
        #expect(start?["id"] == "msg_gw1")
        #expect(start?["model"] == "public")
        #expect(start?["usage"] == ["input_tokens": 42, "output_tokens": 1])
        #expect(payloads[1]["content_block"] == ["type": "thinking", "thinking": "", "signature": ""])
        #expect(payloads[7]["content_block"] == ["type": "tool_use", "id": "call_1", "name": "f", "input": [:]])
        #expect(payloads[7]["index"] == 2)
        #expect(payloads[8]["delta"] == ["type": "input_json_delta", "partial_json": #"{"a":"#])
        #expect(payloads[11]["index"] == 3)

        var fresh = AnthropicStreamEncoder(id: "msg_gw1", model: "public", inputTokens: 42)
        var all: [UInt8] = []
        for event in events { all += fresh.encode(event) }
        all += fresh.finish()
        let tail = try Self.payloads(all).suffix(2)
        let delta = try #require(tail.first)
        #expect(delta["type"] == "message_delta")
        #expect(delta["delta"] == ["stop_reason": "tool_use", "stop_sequence": .null], "tool calls make it tool_use")
        #expect(delta["usage"]?["output_tokens"] == 12)
        #expect(delta["usage"]?["cache_read_input_tokens"] == 2)
        #expect(tail.last?["type"] == "message_stop")
        #expect(fresh.encode(.textDelta(choice: 0, text: "late")).isEmpty)
    }

    @Test func streamErrorsUseAnthropicTypes() throws {
        var encoder = AnthropicStreamEncoder(id: "msg_1", model: "m")
        var bytes = encoder.encode(.start(id: "x", model: "y", created: 0))
        bytes += encoder.encode(.textDelta(choice: 0, text: "partial"))
        bytes += encoder.encode(.error(GatewayError(.timeout, "Upstream timed out")))
        #expect(encoder.finish().isEmpty, "nothing after an error")
        let last = try #require(try Self.payloads(bytes).last)
        #expect(last == ["type": "error", "error": ["type": "timeout_error", "message": "Upstream timed out"]])
        #expect(Self.eventNames(bytes).last == "error")
    }

    @Test func streamWithoutFinishEndsInError() throws {
        var encoder = AnthropicStreamEncoder(id: "msg_1", model: "m")
        var bytes = encoder.encode(.textDelta(choice: 0, text: "cut"))
        bytes += encoder.finish()
        #expect(Self.eventNames(bytes).last == "error")

        let truncated = Array(try Fixtures.bytes("messages-stream-text.txt").prefix(700))
        guard case .error(let error) = Self.decode(truncated).last else {
            Issue.record("a cut upstream stream must end in an error")
            return
        }
        #expect(error.kind == .upstreamError)
    }

    @Test func toolCallWithoutArgumentsGetsEmptyObject() {
        let sse = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":1,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"now","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}}

            event: message_stop
            data: {"type":"message_stop"}


            """
        let events = Self.decode(Array(sse.utf8))
        #expect(events.contains(.toolCallArgumentsDelta(choice: 0, index: 0, fragment: "{}")))
        #expect(events.last == .usage(Usage(input: 1, output: 5)))
    }
}
