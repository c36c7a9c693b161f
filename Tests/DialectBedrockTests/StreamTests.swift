import Testing
@testable import DialectBedrock
@testable import SwitchyardCore

@Suite struct StreamTests {
    func decodeWhole(_ bytes: [UInt8]) -> [StreamEvent] {
        var decoder = BedrockStreamDecoder()
        return decoder.feed(bytes) + decoder.finish()
    }

    func decodeByteByByte(_ bytes: [UInt8]) -> [StreamEvent] {
        var decoder = BedrockStreamDecoder()
        var events: [StreamEvent] = []
        for byte in bytes { events += decoder.feed([byte]) }
        return events + decoder.finish()
    }

    static let textEvents: [StreamEvent] = [
        .roleStart(choice: 0), .textDelta(choice: 0, text: "Air molecules scatter"),
        .textDelta(choice: 0, text: " blue light more than red."), .finish(choice: 0, reason: .stop),
        .usage(Usage(input: 14, output: 12)),
    ]

    static let toolEvents: [StreamEvent] = [
        .roleStart(choice: 0), .reasoningDelta(choice: 0, text: "Need the weather"),
        .reasoningDelta(choice: 0, text: " for Paris."),
        .reasoningSignature(
            choice: 0,
            signature:
                "EqQDCQlZQ9Y/Bpm3XzIQA/CWyNN3Ykcncmv344Kn/ir0MTgdT/4i7jgNUHg4IqHnK9Gd3uQ/puVdTbPVYCxvXnhHZ/RfLkIe+9gSfzdS+g6Smplsdis24NWSIYi16rpEtuklWgwEfI91aQrf30TPE9nflZ2FFdhqgUK0"
        ),
        .textDelta(choice: 0, text: "Let me check."),
        .toolCallStart(choice: 0, index: 0, id: "tooluse_g1DvJf2Qx9z7o3cFQ3EmkL", name: "get_weather"),
        .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"{"city": "Pa"#),
        .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"ris"}"#),
        .finish(choice: 0, reason: .toolCalls), .usage(Usage(input: 402, output: 96, cacheRead: 1100)),
    ]

    @Test func textStreamBecomesCanonicalEvents() throws {
        #expect(decodeWhole(try BedrockFixtures.bytes("converse-stream-text.eventstream")) == Self.textEvents)
    }

    @Test func toolStreamBecomesCanonicalEvents() throws {
        #expect(decodeWhole(try BedrockFixtures.bytes("converse-stream-tool-use.eventstream")) == Self.toolEvents)
    }

    @Test func exceptionFrameEndsTheStreamWithAClassifiedError() throws {
        let events = decodeWhole(try BedrockFixtures.bytes("converse-stream-exception.eventstream"))
        try #require(events.count == 3)
        #expect(Array(events.prefix(2)) == [.roleStart(choice: 0), .textDelta(choice: 0, text: "Air molecules")])
        guard case .error(let error) = events[2] else {
            Issue.record("the stream did not end with an error: \(events)")
            return
        }
        #expect(error.kind == .rateLimited)
        #expect(error.code == "ThrottlingException")
        #expect(error.message == "Too many tokens, please wait before trying again.")
    }

    @Test(arguments: EventStreamDecoderTests.streams)
    func byteByByteEqualsWhole(_ file: String) throws {
        let bytes = try BedrockFixtures.bytes(file)
        let whole = decodeWhole(bytes)
        #expect(!whole.isEmpty)
        #expect(decodeByteByByte(bytes) == whole)
    }

    /// Canonical events → frames → canonical events again gives the same events.
    @Test(arguments: EventStreamDecoderTests.streams)
    func reEncodedStreamDecodesToTheSameEvents(_ file: String) throws {
        let events = decodeWhole(try BedrockFixtures.bytes(file))
        var encoder = BedrockCodec().makeStreamEncoder()
        var bytes: [UInt8] = []
        for event in events { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        #expect(decodeWhole(bytes) == events)
        // The frames are well formed, in Bedrock's order: messageStart first, metadata (if any) last.
        let frames = try EventStreamDecoder.decodeAll(bytes)
        #expect(frames.first?.stringHeader(":event-type") == "messageStart")
    }

    @Test func reEncodedToolStreamHasBedrocksBlockStructure() throws {
        var encoder = BedrockStreamEncoder()
        var bytes: [UInt8] = []
        for event in Self.toolEvents { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        let frames = try EventStreamDecoder.decodeAll(bytes)
        let types = frames.compactMap { $0.stringHeader(":event-type") }
        #expect(types == [
            "messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta", "contentBlockStop",
            "contentBlockDelta", "contentBlockStop", "contentBlockStart", "contentBlockDelta", "contentBlockDelta",
            "contentBlockStop", "messageStop", "metadata",
        ])
        // Same as the fixture: the tool call is content block 2.
        #expect(try JSON.parse(frames[7].payload)["contentBlockIndex"] == 2)
    }

    @Test func corruptedStreamBecomesAnUpstreamError() throws {
        var bytes = try BedrockFixtures.bytes("converse-stream-text.eventstream")
        bytes[400] ^= 0xFF  // inside the third frame
        let events = decodeWhole(bytes)
        #expect(Array(events.prefix(2)) == Array(Self.textEvents.prefix(2)))
        guard case .error(let error)? = events.last else {
            Issue.record("no error event: \(events)")
            return
        }
        #expect(error.kind == .upstreamError)
        #expect(error.message.contains("CRC"))
        #expect(events.count == 3)
    }

    @Test func streamCutShortIsReported() throws {
        let bytes = try BedrockFixtures.bytes("converse-stream-text.eventstream")
        // Cut inside the messageStop frame (offset 726, 155 bytes long).
        var decoder = BedrockStreamDecoder()
        let events = decoder.feed(Array(bytes[..<800])) + decoder.finish()
        guard case .error(let error)? = events.last else {
            Issue.record("a truncated stream ended silently")
            return
        }
        #expect(error.kind == .upstreamError)
        // Cut exactly between frames, before messageStop.
        var clean = BedrockStreamDecoder()
        let cleanEvents = clean.feed(Array(bytes[..<726])) + clean.finish()
        guard case .error(let cut)? = cleanEvents.last else {
            Issue.record("a stream without messageStop ended silently")
            return
        }
        #expect(cut.message.contains("messageStop"))
    }

    @Test func errorEventBecomesAnExceptionFrame() throws {
        var encoder = BedrockStreamEncoder()
        var bytes = encoder.encode(.roleStart(choice: 0))
        bytes += encoder.encode(.error(GatewayError(.overloaded, "Busy")))
        bytes += encoder.encode(.textDelta(choice: 0, text: "ignored after the error"))
        bytes += encoder.finish()
        let frames = try EventStreamDecoder.decodeAll(bytes)
        #expect(frames.count == 2)
        #expect(frames[1].stringHeader(":message-type") == "exception")
        #expect(frames[1].stringHeader(":exception-type") == "serviceUnavailableException")
        guard case .error(let error)? = decodeWhole(bytes).last else {
            Issue.record("no error decoded")
            return
        }
        #expect(error.kind == .overloaded)
        #expect(error.message == "Busy")
    }
}
