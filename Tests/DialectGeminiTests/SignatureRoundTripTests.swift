import Testing
import SwitchyardCore
@testable import DialectGemini

/// Thought signatures and synthesised call ids survive a tool loop: Gemini answer → canonical (as an OpenAI client
/// would see it) → next Gemini request.
@Suite struct SignatureRoundTripTests {
    let codec = GeminiCodec()

    @Test func functionCallSignaturesAndNamesComeBack() throws {
        let response = try codec.decodeResponse(try Fixtures.bytes("generate-response-function-call.json"))
        let assistant = try #require(response.choices.first?.message)
        let calls = assistant.toolCalls
        #expect(calls.count == 2)
        // The client answers in the opposite order, by id only (OpenAI tool messages carry no name).
        var timeResult = Message.text(.tool, "14:05")
        timeResult.toolCallId = calls[1].id
        var weatherResult = Message.text(.tool, #"{"temp_c": 18, "conditions": "cloudy"}"#)
        weatherResult.toolCallId = calls[0].id
        var request = ChatRequest(
            model: "travel", messages: [.text(.user, "What's the weather and local time in Paris?"), assistant, timeResult, weatherResult])
        request.tools = [ToolDefinition(name: "get_weather"), ToolDefinition(name: "get_local_time")]
        let body = try JSON.parse(try codec.encodeRequest(request, upstreamModel: "gemini-3-flash-preview").body)
        let contents = try #require(body["contents"]?.arrayValue)
        #expect(contents.count == 3)
        let fixture = try Fixtures.json("generate-response-function-call.json")
        // The model turn is exactly what Gemini sent: signature on the first call only, no ids.
        #expect(contents[1]["parts"] == fixture["candidates"]?[0]?["content"]?["parts"])
        #expect(contents[1]["role"] == "model")
        #expect(
            contents[2]["parts"] == [
                ["functionResponse": ["name": "get_local_time", "response": ["output": "14:05"]]],
                ["functionResponse": ["name": "get_weather", "response": ["output": ["temp_c": 18, "conditions": "cloudy"]]]],
            ])
    }

    @Test func streamedCallsAssembleToTheSameReplay() throws {
        // What an accumulator builds from the stream events: the same call, id and signature.
        var calls: [Int: ToolCall] = [:]
        for event in StreamFeeding.whole(try Fixtures.bytes("stream-function-call.txt")) {
            switch event {
            case .toolCallStart(_, let index, let id, let name): calls[index] = ToolCall(id: id, name: name, arguments: "")
            case .toolCallArgumentsDelta(_, let index, let fragment): calls[index]?.arguments += fragment
            case .toolCallSignature(_, let index, let signature): calls[index]?.signature = signature
            default: break
            }
        }
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = calls.keys.sorted().compactMap { calls[$0] }
        var result = Message.text(.tool, "18C")
        result.toolCallId = assistant.toolCalls[0].id
        let body = try JSON.parse(
            try codec.encodeRequest(ChatRequest(model: "m", messages: [.text(.user, "q"), assistant, result]), upstreamModel: "gemini-2.5-flash").body)
        #expect(body["contents"]?[1]?["parts"]?[0]?["thoughtSignature"] == .string(StreamTests.signature))
        #expect(body["contents"]?[1]?["parts"]?[1]?["thoughtSignature"] == nil)
        #expect(body["contents"]?[2]?["parts"]?[0]?["functionResponse"]?["name"] == "get_weather")
    }

    @Test func answerSignatureReturnsToItsPart() throws {
        let response = try codec.decodeResponse(try Fixtures.bytes("generate-response-thinking.json"))
        let assistant = try #require(response.choices.first?.message)
        let body = try JSON.parse(
            try codec.encodeRequest(ChatRequest(model: "m", messages: [.text(.user, "q"), assistant, .text(.user, "and tomorrow?")]), upstreamModel: "gemini-2.5-pro").body)
        let fixture = try Fixtures.json("generate-response-thinking.json")
        #expect(body["contents"]?[1]?["parts"] == fixture["candidates"]?[0]?["content"]?["parts"])
    }
}
