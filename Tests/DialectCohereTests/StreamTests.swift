import Testing
import SwitchyardCore
@testable import DialectCohere

/// Stream decoding and encoding (Stream.swift) against the fixtures.
@Suite struct CohereStreamTests {
    static var streamFixtures: [String] { CohereFixtures.files(kind: "stream") }

    static let textUsage = Usage(input: 31, output: 11)

    @Test func fixturesAreListed() {
        #expect(Self.streamFixtures == ["chat-stream-text.txt", "chat-stream-tool-calls.txt"])
    }

    @Test func decodesTextStream() throws {
        let events = CohereStreamDecoder.decodeTranscript(try CohereFixtures.bytes("chat-stream-text.txt"))
        #expect(events == [
            .start(id: "d7abd23a-3715-469f-a3b4-453e08e72920", model: "", created: 0),
            .roleStart(choice: 0),
            .textDelta(choice: 0, text: "It is 18 °C"),
            .textDelta(choice: 0, text: " and cloudy in Paris."),
            .finish(choice: 0, reason: .stop),
            .usage(Self.textUsage),
        ])
    }

    @Test func decodesToolCallStream() throws {
        let events = CohereStreamDecoder.decodeTranscript(try CohereFixtures.bytes("chat-stream-tool-calls.txt"))
        #expect(events == [
            .start(id: "7db54655-cd71-4917-a118-a2e68fb7ba08", model: "", created: 0),
            .roleStart(choice: 0),
            .reasoningDelta(choice: 0, text: "I will look up"),
            .reasoningDelta(choice: 0, text: " the weather in Paris."),
            .toolCallStart(choice: 0, index: 0, id: "get_weather_la33nmwhd9lf", name: "get_weather"),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"{"city":"#),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #""Paris"}"#),
            .finish(choice: 0, reason: .toolCalls),
            .usage(Usage(input: 29, output: 18)),
        ])
    }

    @Test(arguments: streamFixtures)
    func byteByByteEqualsWhole(file: String) throws {
        let bytes = try CohereFixtures.bytes(file)
        var decoder = CohereStreamDecoder()
        var events: [StreamEvent] = []
        for byte in bytes { events += decoder.feed([byte]) }
        events += decoder.finish()
        #expect(events == CohereStreamDecoder.decodeTranscript(bytes))
        #expect(!events.isEmpty)
    }

    @Test(arguments: streamFixtures)
    func reencodedStreamDecodesEqual(file: String) throws {
        let events = CohereStreamDecoder.decodeTranscript(try CohereFixtures.bytes(file))
        let again = CohereStreamDecoder.decodeTranscript(Self.encode(events, id: "ignored"))
        #expect(again == events)
    }

    /// The text stream re-encodes to the fixture event for event (names and JSON, key order aside).
    @Test func textStreamReencodesToTheFixture() throws {
        let bytes = try CohereFixtures.bytes("chat-stream-text.txt")
        let encoded = Self.encode(CohereStreamDecoder.decodeTranscript(bytes), id: "ignored")
        let expected = try Self.parsedEvents(bytes)
        let actual = try Self.parsedEvents(encoded)
        #expect(actual.map(\.name) == expected.map(\.name))
        for (a, e) in zip(actual, expected) {
            // Normalisation: `usage.tokens` (raw counts with Cohere's preamble) has no stream event to ride in.
            let problems = differences(Self.droppingRawTokens(e.data), a.data)
            #expect(problems.isEmpty, "\(e.name): \(problems)")
        }
    }

    @Test func decodesThinkingAndCitationsAndDebug() {
        let transcript = """
            event: message-start
            data: {"type":"message-start","id":"m1","delta":{"message":{"role":"assistant"}}}

            event: content-start
            data: {"type":"content-start","index":0,"delta":{"message":{"content":{"type":"thinking","thinking":""}}}}

            event: content-delta
            data: {"type":"content-delta","index":0,"delta":{"message":{"content":{"thinking":"Let me think."}}}}

            event: content-end
            data: {"type":"content-end","index":0}

            event: debug
            data: {"type":"debug","prompt":"secret"}

            event: content-start
            data: {"type":"content-start","index":1,"delta":{"message":{"content":{"type":"text","text":""}}}}

            event: content-delta
            data: {"type":"content-delta","index":1,"delta":{"message":{"content":{"text":"Done."}}}}

            event: citation-start
            data: {"type":"citation-start","index":0,"delta":{"message":{"citations":{"start":0,"end":4,"text":"Done","sources":[]}}}}

            event: citation-end
            data: {"type":"citation-end","index":0}

            event: content-end
            data: {"type":"content-end","index":1}

            event: message-end
            data: {"type":"message-end","delta":{"finish_reason":"STOP_SEQUENCE","usage":{"billed_units":{"input_tokens":5,"output_tokens":3},"cached_tokens":2}}}

            data: [DONE]


            """
        #expect(CohereStreamDecoder.decodeTranscript(Array(transcript.utf8)) == [
            .start(id: "m1", model: "", created: 0),
            .roleStart(choice: 0),
            .reasoningDelta(choice: 0, text: "Let me think."),
            .textDelta(choice: 0, text: "Done."),
            .finish(choice: 0, reason: .stopSequence),
            .usage(Usage(input: 3, output: 3, cacheRead: 2)),
        ])
    }

    @Test func messageEndWithErrorIsAnError() {
        let withError = Self.transcript(end: #"{"type":"message-end","delta":{"error":"model crashed","finish_reason":"ERROR","usage":{"billed_units":{"input_tokens":5,"output_tokens":1}}}}"#)
        let events = CohereStreamDecoder.decodeTranscript(Array(withError.utf8))
        #expect(!events.contains { if case .finish = $0 { return true } else { return false } }, "no silent stop")
        #expect(events.dropLast().last == .usage(Usage(input: 5, output: 1)))
        guard case .error(let error) = events.last else {
            Issue.record("the stream ends with .error")
            return
        }
        #expect(error.kind == .upstreamError)
        #expect(error.message.contains("ERROR"))
        #expect(error.message.contains("model crashed"))

        let timeout = Self.transcript(end: #"{"type":"message-end","delta":{"finish_reason":"TIMEOUT"}}"#)
        guard case .error(let late) = CohereStreamDecoder.decodeTranscript(Array(timeout.utf8)).last else {
            Issue.record("TIMEOUT ends with .error")
            return
        }
        #expect(late.kind == .timeout)
    }

    @Test func cutOrMalformedStreamsEndWithError() {
        let cut = "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"m\"}\n\nevent: content-delta\ndata: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":{\"content\":{\"text\":\"Hel\"}}}}\n\n"
        let events = CohereStreamDecoder.decodeTranscript(Array(cut.utf8))
        #expect(events.dropLast() == [.start(id: "m", model: "", created: 0), .roleStart(choice: 0), .textDelta(choice: 0, text: "Hel")])
        guard case .error(let error) = events.last else {
            Issue.record("a cut stream ends with .error")
            return
        }
        #expect(error.kind == .upstreamError)

        let garbage = "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"m\"}\n\ndata: {oops\n\ndata: {\"type\":\"content-delta\",\"delta\":{\"message\":{\"content\":{\"text\":\"late\"}}}}\n\n"
        let decoded = CohereStreamDecoder.decodeTranscript(Array(garbage.utf8))
        #expect(decoded.count == 3, "nothing after the error: \(decoded)")
        if case .error = decoded.last {} else { Issue.record("malformed event ends with .error") }
    }

    @Test func encoderWritesErrorsAndHoldsMessageEndForUsage() throws {
        var encoder = CohereStreamEncoder(id: "m9")
        var bytes = encoder.encode(.roleStart(choice: 0))
        bytes += encoder.encode(.textDelta(choice: 0, text: "Hi"))
        bytes += encoder.encode(.reasoningSignature(choice: 0, signature: "sig"))
        let afterFinish = encoder.encode(.finish(choice: 0, reason: .length))
        #expect(!String(decoding: afterFinish, as: UTF8.self).contains("message-end"), "held for usage")
        bytes += afterFinish
        bytes += encoder.encode(.usage(Usage(input: 3, output: 4)))
        #expect(encoder.done().isEmpty)
        #expect(CohereStreamDecoder.decodeTranscript(bytes) == [
            .start(id: "m9", model: "", created: 0), .roleStart(choice: 0), .textDelta(choice: 0, text: "Hi"),
            .finish(choice: 0, reason: .length), .usage(Usage(input: 3, output: 4)),
        ])

        var failing = CohereStreamEncoder(id: "m10")
        var out = failing.encode(.textDelta(choice: 0, text: "par"))
        out += failing.encode(.error(GatewayError(.overloaded, "Upstream overloaded")))
        out += failing.encode(.textDelta(choice: 0, text: "ignored after the end"))
        let events = CohereStreamDecoder.decodeTranscript(out)
        #expect(events.prefix(3) == [.start(id: "m10", model: "", created: 0), .roleStart(choice: 0), .textDelta(choice: 0, text: "par")])
        guard events.count == 4, case .error(let error) = events[3] else {
            Issue.record("error event expected: \(events)")
            return
        }
        #expect(error.message.contains("Upstream overloaded"))

        // Without usage, done() writes the held message-end.
        var bare = CohereStreamEncoder(id: "m11")
        var plain = bare.encode(.finish(choice: 0, reason: .stop))
        plain += bare.done()
        #expect(CohereStreamDecoder.decodeTranscript(plain).last == .finish(choice: 0, reason: .stop))
    }

    /// Events from another provider (OpenAI-shaped: two tool calls, usage after finish) survive the trip.
    @Test func encodesForeignToolCallEvents() {
        let events: [StreamEvent] = [
            .start(id: "chatcmpl-1", model: "gpt-4o", created: 1), .roleStart(choice: 0),
            .textDelta(choice: 0, text: "Checking."),
            .toolCallStart(choice: 0, index: 0, id: "call_a", name: "f"),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: "{}"),
            .toolCallStart(choice: 0, index: 1, id: "call_b", name: "g"),
            .toolCallArgumentsDelta(choice: 0, index: 1, fragment: #"{"x":1}"#),
            .finish(choice: 0, reason: .toolCalls),
            .usage(Usage(input: 9, output: 8, cacheRead: 2)),
        ]
        var expected = events
        expected[0] = .start(id: "chatcmpl-1", model: "", created: 0)
        #expect(CohereStreamDecoder.decodeTranscript(Self.encode(events, id: "x")) == expected)
    }

    static func encode(_ events: [StreamEvent], id: String) -> [UInt8] {
        var encoder = CohereStreamEncoder(id: id)
        var bytes: [UInt8] = []
        for event in events { bytes += encoder.encode(event) }
        return bytes + encoder.done()
    }

    static func parsedEvents(_ bytes: [UInt8]) throws -> [(name: String, data: JSONValue)] {
        var parser = SSEParser()
        return try (parser.feed(bytes) + parser.finish()).map { ($0.event ?? "", try JSON.parse($0.data)) }
    }

    static func droppingRawTokens(_ event: JSONValue) -> JSONValue {
        guard case .object(var body) = event, case .object(var delta) = body["delta"] ?? .null,
            case .object(var usage) = delta["usage"] ?? .null
        else { return event }
        usage["tokens"] = nil
        delta["usage"] = .object(usage)
        body["delta"] = .object(delta)
        return .object(body)
    }

    static func transcript(end: String) -> String {
        "event: message-start\ndata: {\"type\":\"message-start\",\"id\":\"m\"}\n\nevent: message-end\ndata: \(end)\n\n"
    }
}
