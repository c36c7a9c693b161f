import DialectOpenAI
import SwitchyardConfig
@testable import SwitchyardCore
import SwitchyardProviders
import Testing

/// Stream fixtures decoded event by event, then re-encoded and decoded again.
@Suite struct OpenAIStreamTests {
    static var streamFixtures: [(String, String)] {
        Fixtures.openAIFamily.flatMap { provider in
            Fixtures.files(provider, where: { $0.hasPrefix("chat-stream") }).map { (provider, $0) }
        }
    }

    struct Summary: Equatable {
        var text = ""
        var reasoning = ""
        var calls: [Int: (id: String, name: String, arguments: String)] = [:]
        var finish: FinishReason?
        var usage: Usage?
        var error: GatewayError?

        static func == (a: Summary, b: Summary) -> Bool {
            a.text == b.text && a.reasoning == b.reasoning && a.finish == b.finish && a.usage == b.usage
                && a.error?.message == b.error?.message
                && a.calls.mapValues { "\($0.id)|\($0.name)|\($0.arguments)" }
                    == b.calls.mapValues { "\($0.id)|\($0.name)|\($0.arguments)" }
        }

        init(_ events: [StreamEvent]) {
            for event in events {
                switch event {
                case .textDelta(0, let t): text += t
                case .reasoningDelta(0, let t): reasoning += t
                case .toolCallStart(0, let index, let id, let name): calls[index] = (id, name, "")
                case .toolCallArgumentsDelta(0, let index, let fragment): calls[index]?.arguments += fragment
                case .finish(0, let reason): finish = reason
                case .usage(let u): usage = u
                case .error(let e): error = e
                default: break
                }
            }
        }
    }

    @Test func everyFamilyStreamIsCovered() {
        #expect(Self.streamFixtures.count == 13)
    }

    @Test(arguments: streamFixtures)
    func decodeEncodeDecode(provider: String, file: String) throws {
        let flavor = ProviderKind.named(provider).map { ($0.dialect == .openai ? (ProviderAdapters.adapter(for: $0) as? OpenAICompatibleAdapter)?.usageFlavor : nil) ?? .standard } ?? .standard
        let events = OpenAIStream.decodeTranscript(try Fixtures.bytes(provider, file), flavor: flavor)
        let summary = Summary(events)
        #expect(summary.finish != nil || summary.error != nil, "\(provider)/\(file) ends with a finish or an error")
        if summary.error == nil {
            #expect(!summary.text.isEmpty || !summary.calls.isEmpty, "\(provider)/\(file) carries content")
        }
        for call in summary.calls.values {
            #expect((try? JSON.parse(call.arguments)) != nil, "arguments reassemble into JSON: \(call.arguments)")
        }
        guard case .start(let id, _, _) = events.first else {
            Issue.record("\(provider)/\(file): no start")
            return
        }
        #expect(!id.isEmpty, "the start takes a real id, not Azure's empty leading event")
        var encoder = OpenAIStreamEncoder(id: "", model: "", created: 0, includeUsage: true)
        var transcript: [UInt8] = []
        for event in events { transcript += encoder.encode(event) }
        if summary.error == nil { transcript += encoder.finish() }
        let again = OpenAIStream.decodeTranscript(transcript)
        #expect(Summary(again) == summary, "\(provider)/\(file)")
    }

    @Test func toolCallStreamReassembles() throws {
        let summary = Summary(OpenAIStream.decodeTranscript(try Fixtures.bytes("openai", "chat-stream-tool-calls.txt")))
        #expect(summary.calls[0]?.id == "call_DOYZpfMXDgJED1UomuZffQ5h")
        #expect(summary.calls[0]?.arguments == #"{"city": "Paris", "unit": "celsius"}"#)
        #expect(summary.calls[1]?.name == "get_local_time")
        #expect(summary.finish == .toolCalls)
        #expect(summary.usage?.totalInput == 118)
    }

    @Test func usageVariantsAreRead() throws {
        let groq = Summary(OpenAIStream.decodeTranscript(try Fixtures.bytes("groq", "chat-stream-x-groq.txt")))
        #expect(groq.usage == Usage(input: 12, output: 3))
        let deepseek = Summary(OpenAIStream.decodeTranscript(try Fixtures.bytes("deepseek", "chat-stream-reasoning.txt")))
        #expect(deepseek.usage != nil, "usage on the finish chunk")
        #expect(!deepseek.reasoning.isEmpty)
        let ollama = Summary(OpenAIStream.decodeTranscript(try Fixtures.bytes("ollama", "chat-stream-reasoning.txt")))
        #expect(!ollama.reasoning.isEmpty, "ollama's `reasoning` field")
    }

    @Test func midStreamErrorsBecomeErrorEvents() throws {
        let openai = Summary(OpenAIStream.decodeTranscript(try Fixtures.bytes("openai", "chat-stream-error-midstream.txt")))
        #expect(openai.text == "The answer")
        #expect(openai.error?.message.contains("server had an error") == true)
        let openrouter = Summary(
            OpenAIStream.decodeTranscript(try Fixtures.bytes("openrouter", "chat-stream-midstream-error.txt")))
        #expect(openrouter.error != nil)
    }

    @Test func encoderFollowsChunkRules() throws {
        var encoder = OpenAIStreamEncoder(id: "chatcmpl-1", model: "m", created: 5, includeUsage: false)
        var parser = SSEParser()
        let bytes = encoder.encode(.roleStart(choice: 0)) + encoder.encode(.textDelta(choice: 0, text: "hi"))
            + encoder.encode(.finish(choice: 0, reason: .stop)) + encoder.encode(.usage(Usage(input: 1, output: 1)))
            + encoder.finish()
        let chunks = parser.feed(bytes).filter { !$0.isDone }.compactMap { try? JSON.parse($0.data) }
        #expect(chunks.count == 3, "no usage chunk without include_usage")
        for chunk in chunks {
            #expect(chunk["id"] == "chatcmpl-1")
            #expect(chunk["object"] == "chat.completion.chunk")
            #expect(chunk["choices"]?[0]?["finish_reason"] != nil, "finish_reason present (null) on every chunk")
            #expect(chunk["usage"] == nil)
        }
        #expect(chunks[0]["choices"]?.arrayValue?.first?["delta"]?["role"] == "assistant")
        #expect(chunks[2]["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
    }
}

extension JSONValue {
    fileprivate subscript(index: Int) -> JSONValue? {
        guard let items = arrayValue, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
