import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// The in-place SSE relay: however the provider's bytes are cut into reads, the client gets the same
/// events byte for byte (minus the usage chunk it did not ask for) and the same usage is read.
@Suite struct StreamRelayTests {
    struct Relayed: Equatable {
        var bytes: [UInt8]
        var usage: Usage?
        var done: Bool
        var finish: Bool
        var error: Bool
    }

    func relay(_ reads: [[UInt8]], strip: Bool = true) -> Relayed {
        var relay = StreamRelay(stripUsageChunk: strip, flavor: .standard)
        var out = ByteBuffer()
        for read in reads { relay.process(ByteBuffer(bytes: read), into: &out) }
        relay.finish(into: &out)
        return Relayed(
            bytes: Array(buffer: out), usage: relay.usage, done: relay.sawDone, finish: relay.sawFinish,
            error: relay.sawError)
    }

    @Test func everySplitPointGivesTheSameResult() throws {
        for file in ["chat-stream-text.txt", "chat-stream-tool-calls.txt", "chat-stream-error-midstream.txt"] {
            let transcript = try Fixtures.bytes("openai", file)
            let whole = relay([transcript])
            for split in 0...transcript.count {
                let parts = [Array(transcript[..<split]), Array(transcript[split...])]
                #expect(relay(parts) == whole, "\(file) split at \(split)")
            }
            let bytewise = relay(transcript.map { [$0] })
            #expect(bytewise == whole, "\(file) byte by byte")
        }
    }

    @Test func keepsEverythingButTheUsageChunkAndReadsIt() throws {
        let transcript = try Fixtures.bytes("openai", "chat-stream-text.txt")
        let stripped = relay([transcript], strip: true)
        let kept = relay([transcript], strip: false)
        #expect(kept.bytes == transcript)
        #expect(stripped.usage != nil && stripped.usage == kept.usage)
        #expect(stripped.done && stripped.finish && !stripped.error)
        var parser = SSEParser()
        let original = parser.feed(transcript)
        var reparser = SSEParser()
        let relayed = reparser.feed(stripped.bytes)
        #expect(relayed.count == original.count - 1)
        #expect(relayed.allSatisfy { !String(decoding: $0.data, as: UTF8.self).contains(#""choices":[]"#) })
    }

    @Test func commentsMultiLineEventsAndKeysInsideStringsAreHandled() {
        let events = [
            ": keep-alive\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"say \\\"usage\\\": {\\\"prompt_tokens\\\":9} \\\"error\\\": {\"}}]}\n\n",
            "event: message\ndata: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}\n\n",
            "data: [DONE]\n\n",
        ]
        let bytes = Array(events.joined().utf8)
        let result = relay([bytes])
        #expect(result.usage?.totalInput == 3 && result.usage?.totalOutput == 4)
        #expect(!result.error, "keys inside a string are not keys")
        #expect(result.finish && result.done)
        #expect(String(decoding: result.bytes, as: UTF8.self) == events[0] + events[1] + events[2] + events[4])
        for split in 0...bytes.count {
            #expect(relay([Array(bytes[..<split]), Array(bytes[split...])]) == result, "split at \(split)")
        }
    }

    @Test func crLineEndsSwitchToTheGeneralParser() {
        let lf = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
        let crlf = "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\r\n\r\ndata: [DONE]\r\n\r\n"
        let result = relay([Array(lf.utf8), Array(crlf.utf8)])
        #expect(result.finish && result.done)
        var parser = SSEParser()
        #expect(parser.feed(result.bytes).count == 3)
    }

    @Test func costHeaderIsFixedPoint() {
        #expect(AnswerContext.formatCost(0) == "0.00000000")
        #expect(AnswerContext.formatCost(0.000125) == "0.00012500")
        #expect(AnswerContext.formatCost(12.5) == "12.50000000")
        #expect(AnswerContext.formatCost(0.123456789) == "0.12345679")
    }

    @Test func affinityMaskIsCounted() {
        #expect(EventLoopSizing.allowedCPUCount(status: "Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n") == 2)
        #expect(EventLoopSizing.allowedCPUCount(status: "Cpus_allowed:\tffffffff,00000002\n") == 33)
        #expect(EventLoopSizing.allowedCPUCount(status: "Name:\tx\n") == nil)
        #expect((EventLoopSizing.allowedCPUCount() ?? 1) >= 1)
    }
}
