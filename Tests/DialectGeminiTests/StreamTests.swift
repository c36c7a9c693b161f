import Testing
import SwitchyardCore
@testable import DialectGemini

/// The stream decoder against every stream fixture (CRLF), and the stream encoder by re-encoding what it decoded.
@Suite struct StreamTests {
    static let signature =
        "CssB7e/roozA1E8oDSamD6EyaEenotMDloMq0S9RgLvbAK+QdzcVOo6cqvu+hDGhrYCX1GZH5kNSMj9pahL+c3stakIAHb4gNc7vkg3Sa3DV/6ZM9cEf1Nt8P2zZo/6kOFxko+BhFlOc74UY5mMp8A1lK/NQ0vjmvFH0dbV8ZZDW8aJgEDuWG8gUHPewRQYPFf5/envPfZVaXHogyjLSYc0zaVV1x1St4YzLVmEv7KNtmy4hY++IgZnVItXcbCALLWR4Cdvo"

    static func expected(_ file: String) -> [StreamEvent] {
        switch file {
        case "stream-text.txt":
            return [
                .start(id: "4CeCezDpfgADk3C5Q-wkH6", model: "gemini-2.5-flash", created: 0),
                .roleStart(choice: 0),
                .textDelta(choice: 0, text: "Air molecules scatter"),
                .textDelta(choice: 0, text: " blue light much more than red light,"),
                .textDelta(choice: 0, text: " so the sky looks blue."),
                .finish(choice: 0, reason: .stop),
                .usage(Usage(input: 9, output: 19, reasoning: 231)),
            ]
        case "stream-function-call.txt":
            let responseId = "hp2JDpNFmtktGXze8Y6fC2"
            let weatherArgs = #"{"city":"Paris","unit":"celsius"}"#
            let timeArgs = #"{"tz":"Europe/Paris"}"#
            // The signed call's id carries its signature; the unsigned second call's is plain.
            let weatherId = GeminiToolCallID.carrying(
                signature,
                in: GeminiToolCallID.forResponse(responseId: responseId, choice: 0, index: 0, name: "get_weather", arguments: weatherArgs))
            let timeId = GeminiToolCallID.forResponse(responseId: responseId, choice: 0, index: 1, name: "get_local_time", arguments: timeArgs)
            return [
                .start(id: responseId, model: "gemini-2.5-flash", created: 0),
                .roleStart(choice: 0),
                .toolCallStart(choice: 0, index: 0, id: weatherId, name: "get_weather"),
                .toolCallArgumentsDelta(choice: 0, index: 0, fragment: weatherArgs),
                .toolCallSignature(choice: 0, index: 0, signature: signature),
                .toolCallStart(choice: 0, index: 1, id: timeId, name: "get_local_time"),
                .toolCallArgumentsDelta(choice: 0, index: 1, fragment: timeArgs),
                .finish(choice: 0, reason: .toolCalls),
                .usage(Usage(input: 142, output: 38, reasoning: 96)),
            ]
        case "stream-thinking.txt":
            return [
                .start(id: "hKW2jYK8zRUyjvA6KFi3i1", model: "gemini-2.5-pro", created: 0),
                .roleStart(choice: 0),
                .reasoningDelta(choice: 0, text: "**Weighing the conditions**\n\n18 °C and cloudy is comfortable."),
                .textDelta(choice: 0, text: "Yes — pleasant walking weather;"),
                .textDelta(choice: 0, text: " take a light jacket."),
                .reasoningSignature(choice: 0, signature: signature),
                .finish(choice: 0, reason: .stop),
                .usage(Usage(input: 40, output: 12, reasoning: 180)),
            ]
        case "stream-error-midstream.txt":
            return [
                .start(id: "qjk_CcWi-xZmsW9PlEbyKo", model: "gemini-2.5-flash", created: 0),
                .roleStart(choice: 0),
                .textDelta(choice: 0, text: "Air molecules scatter"),
                .error(GatewayError(.overloaded, "The model is overloaded. Please try again later.", upstreamStatus: 503)),
            ]
        default:
            return []
        }
    }

    static let streamFixtures = (try? Fixtures.names(kind: "stream")) ?? []

    @Test func everyStreamFixtureIsCovered() throws {
        #expect(Self.streamFixtures.count == 4)
        for file in Self.streamFixtures {
            #expect(!Self.expected(file).isEmpty, "no expectation for \(file)")
            #expect(try Fixtures.bytes(file).contains(0x0D), "\(file) should be CRLF")
        }
    }

    @Test(arguments: streamFixtures)
    func decodesEventByEvent(_ file: String) throws {
        let bytes = try Fixtures.bytes(file)
        let whole = StreamFeeding.whole(bytes)
        #expect(whole == Self.expected(file))
        #expect(StreamFeeding.byteByByte(bytes) == whole)
        // LF-only line ends decode the same.
        let lf = bytes.filter { $0 != 0x0D }
        #expect(StreamFeeding.whole(lf) == whole)
    }

    @Test(arguments: streamFixtures)
    func reencodedStreamsDecodeToTheSameEvents(_ file: String) throws {
        let events = StreamFeeding.whole(try Fixtures.bytes(file))
        var encoder = GeminiCodec().makeStreamEncoder()
        var bytes: [UInt8] = []
        for event in events { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        #expect(StreamFeeding.whole(bytes) == events)
        #expect(StreamFeeding.byteByByte(bytes) == events)
        // Gemini frames: `data: …` CRLF CRLF, no terminator.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("data: {"))
        #expect(text.hasSuffix("}\r\n\r\n"))
        #expect(!text.contains("[DONE]"))
    }

    @Test func reencodedChunksLookLikeGemini() throws {
        var encoder = GeminiCodec().makeStreamEncoder()
        var bytes: [UInt8] = []
        for event in StreamFeeding.whole(try Fixtures.bytes("stream-function-call.txt")) { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        var parser = SSEParser()
        let chunks = (parser.feed(bytes) + parser.finish()).compactMap { try? JSON.parse($0.data) }
        #expect(chunks.count == 3)
        #expect(chunks[0]["candidates"]?[0]?["content"]?["parts"]?[0]?["thoughtSignature"] == .string(Self.signature))
        #expect(chunks[0]["candidates"]?[0]?["content"]?["parts"]?[0]?["functionCall"] == ["name": "get_weather", "args": ["city": "Paris", "unit": "celsius"]])
        // The finish and the final usage share the last chunk, as in Gemini's own streams.
        #expect(chunks[2]["candidates"]?[0]?["finishReason"] == "STOP")
        #expect(chunks[2]["usageMetadata"]?["thoughtsTokenCount"] == 96)
    }

    @Test func streamedAndWholeAnswersMintTheSameIds() throws {
        // The whole answer of the function-call stream, assembled as Gemini would send it non-streamed.
        let body = #"""
            {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris","unit":"celsius"}},"thoughtSignature":"\#(Self.signature)"},
             {"functionCall":{"name":"get_local_time","args":{"tz":"Europe/Paris"}}}],"role":"model"},"finishReason":"STOP","index":0}],
             "responseId":"hp2JDpNFmtktGXze8Y6fC2"}
            """#
        let ids = try GeminiCodec().decodeResponse(Array(body.utf8)).choices[0].message.toolCalls.map(\.id)
        let streamed = StreamFeeding.whole(try Fixtures.bytes("stream-function-call.txt")).compactMap { event -> String? in
            if case .toolCallStart(_, _, let id, _) = event { return id } else { return nil }
        }
        #expect(ids == streamed)
        #expect(GeminiToolCallID.split(streamed[0]).signature == Self.signature)
        #expect(GeminiToolCallID.split(streamed[1]).signature == nil)
    }

    @Test func blockedPromptInAStream() {
        let bytes = Array("data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"promptTokenCount\":5,\"totalTokenCount\":5},\"responseId\":\"r1\",\"modelVersion\":\"gemini-2.5-flash\"}\r\n\r\n".utf8)
        #expect(
            StreamFeeding.whole(bytes) == [
                .start(id: "r1", model: "gemini-2.5-flash", created: 0), .roleStart(choice: 0),
                .finish(choice: 0, reason: .contentFilter), .usage(Usage(input: 5)),
            ])
    }

    @Test func cutStreamStillReportsTheLastUsage() {
        let bytes = Array("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":4,\"totalTokenCount\":4},\"responseId\":\"r2\"}\r\n\r\n".utf8)
        let events = StreamFeeding.whole(bytes)
        #expect(events.last == .usage(Usage(input: 4)))
        #expect(!events.contains { if case .finish = $0 { return true } else { return false } })
    }

    @Test func garbageChunkEndsTheStreamWithAnError() {
        let bytes = Array("data: {\"candidates\":[],\"responseId\":\"r3\"}\r\n\r\ndata: {oops\r\n\r\ndata: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"late\"}]}}]}\r\n\r\n".utf8)
        let events = StreamFeeding.whole(bytes)
        guard case .error(let error) = events.last else {
            Issue.record("expected an error, got \(events)")
            return
        }
        #expect(error.kind == .upstreamError)
        #expect(!events.contains(.textDelta(choice: 0, text: "late")))
    }

    @Test func unusableFinishStaysAnError() {
        let bytes = Array("data: {\"candidates\":[{\"content\":{\"role\":\"model\"},\"finishReason\":\"MALFORMED_FUNCTION_CALL\",\"index\":0}],\"responseId\":\"r4\"}\r\n\r\n".utf8)
        #expect(StreamFeeding.whole(bytes).contains(.finish(choice: 0, reason: .error(native: "MALFORMED_FUNCTION_CALL"))))
    }
}
