@testable import SwitchyardCore
import Testing

@Suite struct SSETests {
    @Test func parsesLineEndingsCommentsAndMultilineData() {
        var parser = SSEParser()
        let text = ": keep-alive\r\ndata: a\r\ndata: b\r\n\r\nevent: ping\rdata: {}\r\r: OPENROUTER PROCESSING\n\ndata: [DONE]\n\n"
        let all = parser.feed(Array(text.utf8)) + parser.finish()
        #expect(all.filter(\.isCommentOnly).map(\.raw) == [Array(": OPENROUTER PROCESSING\n\n".utf8)])
        let events = all.filter { !$0.isCommentOnly }
        #expect(events.map(\.dataText) == ["a\nb", "{}", "[DONE]"])
        #expect(events[1].event == "ping")
        #expect(events[2].isDone)
        // Raw bytes keep comments, so a relay forwards keep-alives too.
        #expect(events[0].raw == Array(": keep-alive\r\ndata: a\r\ndata: b\r\n\r\n".utf8))
    }

    @Test func deliversAnUnterminatedLastEvent() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: x".utf8)).isEmpty)
        let events = parser.finish()
        #expect(events.map(\.dataText) == ["x"])
    }

    @Test func byteByByteFeedingMatchesWholeFeeding() throws {
        let fixtures = Fixtures.openAIFamily.flatMap { provider in
            Fixtures.files(provider, where: { $0.hasSuffix(".txt") }).map { (provider, $0) }
        }
        // The OpenAI-family stream transcripts in Tests/Fixtures/providers: a moved folder fails here.
        #expect(fixtures.count == 14)
        for (provider, file) in fixtures {
            let bytes = try Fixtures.bytes(provider, file)
            var whole = SSEParser()
            let expected = whole.feed(bytes) + whole.finish()
            var split = SSEParser()
            var events: [SSEEvent] = []
            for byte in bytes { events += split.feed([byte]) }
            events += split.finish()
            #expect(events == expected, "\(provider)/\(file)")
            #expect(!expected.isEmpty, "\(provider)/\(file)")
            // Forwarding raw events reproduces the transcript's events exactly.
            var reparsed = SSEParser()
            let again = reparsed.feed(expected.flatMap(\.raw)) + reparsed.finish()
            #expect(again.map(\.data) == expected.map(\.data), "\(provider)/\(file)")
        }
    }

    @Test func writerRoundTripsThroughParser() {
        let payload = "line one\nline two"
        var parser = SSEParser()
        let events = parser.feed(SSEWriter.event(payload, name: "message_delta"))
        #expect(events.count == 1)
        #expect(events[0].dataText == payload)
        #expect(events[0].event == "message_delta")
        #expect(SSEWriter.done == Array("data: [DONE]\n\n".utf8))
    }
}
