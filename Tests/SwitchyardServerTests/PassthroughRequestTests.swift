import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// The byte-level rewrite of the passthrough path and the stream relay, without a server.
@Suite struct PassthroughRequestTests {
    func rewrite(_ body: String, to model: String = "up-model") throws -> (PassthroughRequest, String) {
        let request = try PassthroughRequest(body: ByteBuffer(string: body), required: ["messages"])
        let out = request.upstreamBody(model: model, allocator: ByteBufferAllocator())
        return (request, String(buffer: out))
    }

    @Test func replacesOnlyTheModel() throws {
        let body = #"{ "messages" : [{"role":"user","content":"model \"x\""}], "model" : "publ\u0069c",  "x_vendor": {"model": "keep"} }"#
        let (request, out) = try rewrite(body, to: #"org/model-"quoted""#)
        #expect(request.model == "public")
        #expect(!request.stream)
        #expect(out == body.replacingOccurrences(of: #""publ\u0069c""#, with: #""org/model-\"quoted\"""#))
    }

    @Test func addsIncludeUsageToStreams() throws {
        let (plain, out) = try rewrite(#"{"model":"m","stream":true,"messages":[]}"#)
        #expect(plain.stream && !plain.clientWantsUsage)
        #expect(out == #"{"model":"up-model","stream":true,"messages":[],"stream_options":{"include_usage":true}}"#)
        let (_, merged) = try rewrite(#"{"model":"m","stream":true,"stream_options":{"include_obfuscation":false},"messages":[]}"#)
        let options = try JSON.parse(merged)["stream_options"]
        #expect(options == ["include_obfuscation": false, "include_usage": true])
        let (asked, untouched) = try rewrite(#"{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#)
        #expect(asked.clientWantsUsage)
        #expect(untouched == #"{"model":"up-model","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#)
        let (_, notStreaming) = try rewrite(#"{"model":"m","stream":false,"messages":[]}"#)
        #expect(!notStreaming.contains("stream_options"))
    }

    @Test(arguments: [
        (#"{"messages":[]}"#, "model"), (#"{"model":"","messages":[]}"#, "model"), (#"{"model":7,"messages":[]}"#, "model"),
        (#"{"model":"m"}"#, "messages"), (#"{"model":"m","messages":[]"#, nil), ("[]", nil),
    ])
    func rejectsBadBodies(body: String, param: String?) {
        do {
            _ = try PassthroughRequest(body: ByteBuffer(string: body), required: ["messages"])
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.kind == .invalidRequest)
            #expect(error.param == param)
        }
    }

    @Test func relayStripsOnlyTheRequestedUsageChunkAndReadsUsage() throws {
        let transcript = try Fixtures.bytes("openai", "chat-stream-tool-calls.txt")
        var relay = StreamRelay(stripUsageChunk: true, flavor: .standard)
        var out = ByteBuffer()
        // Odd chunk sizes: events split across reads.
        var offset = 0
        while offset < transcript.count {
            let end = min(transcript.count, offset + 37)
            relay.process(ByteBuffer(bytes: transcript[offset..<end]), into: &out)
            offset = end
        }
        relay.finish(into: &out)
        #expect(relay.usage?.totalInput == 118)
        #expect(relay.sawDone && relay.sawFinish && !relay.sawError)
        var parser = SSEParser()
        let original = parser.feed(transcript).filter { !$0.isDone }
        var reparser = SSEParser()
        let relayed = reparser.feed(Array(buffer: out)).filter { !$0.isDone }
        #expect(relayed.count == original.count - 1, "exactly the usage chunk is gone")
        #expect(relayed.map(\.raw) == original.dropLast().map(\.raw), "everything else byte for byte")
    }

    @Test func relayReadsGroqAndFinishChunkUsage() throws {
        for (provider, file) in [("groq", "chat-stream-x-groq.txt"), ("deepseek", "chat-stream-reasoning.txt"), ("mistral", "chat-stream.txt")] {
            var relay = StreamRelay(stripUsageChunk: true, flavor: .standard)
            var out = ByteBuffer()
            relay.process(ByteBuffer(bytes: try Fixtures.bytes(provider, file)), into: &out)
            #expect(relay.usage != nil, "\(provider)")
            #expect(relay.isComplete, "\(provider)")
        }
    }
}
