import Foundation
import Testing

@testable import DialectBedrock
@testable import SwitchyardCore
import DialectOpenAI

/// A conversation begun on Gemini carries signed tool-call ids of hundreds of characters; continued on another
/// provider after a failover, each id must fit that provider and a call must still pair with its result.
@Suite struct ToolCallIDFittingTests {
    static let longID = "call_AbCdEfGhIjKlMnOpQrStUvWx__" + String(repeating: "CiQBcsjafQ", count: 40) + "Zz9k"

    static func history(id: String) -> ChatRequest {
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [ToolCall(id: id, name: "get_weather", arguments: #"{"city":"Rome"}"#)]
        var result = Message.text(.tool, "sunny")
        result.toolCallId = id
        var request = ChatRequest(model: "m", messages: [.text(.user, "Rome?"), assistant, result])
        request.tools = [ToolDefinition(name: "get_weather")]
        return request
    }

    @Test func shortIDsAreKeptAndLongOnesShortenedTheSameEachTime() {
        #expect(ToolCallIDFitting.fitted("call_abc", maxLength: 40) == "call_abc")
        let fitted = ToolCallIDFitting.fitted(Self.longID, maxLength: 40)
        #expect(fitted.count == 29 && fitted.hasPrefix("call_"))
        #expect(fitted == ToolCallIDFitting.fitted(Self.longID, maxLength: 40))
        #expect(fitted != ToolCallIDFitting.fitted(Self.longID + "x", maxLength: 40))
        #expect(ToolCallIDFitting.fitted("tool.use:1", maxLength: 64, restrictedCharacters: true).hasPrefix("call_"))
    }

    @Test func openAIGetsIDsOfAtMostFortyCharactersThatStillPair() throws {
        let body = OpenAIRequest.encode(Self.history(id: Self.longID))
        let messages = try #require(body["messages"]?.arrayValue)
        let callID = try #require(messages[1]["tool_calls"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(callID.count <= 40)
        #expect(messages[2]["tool_call_id"]?.stringValue == callID)
        let short = OpenAIRequest.encode(Self.history(id: "call_kept"))
        #expect(short["messages"]?.arrayValue?[2]["tool_call_id"] == "call_kept")
    }

    @Test func bedrockGetsIDsItAcceptsThatStillPair() throws {
        let encoded = try BedrockCodec().encodeRequest(Self.history(id: Self.longID), upstreamModel: "amazon.nova-pro-v1:0")
        let body = try JSON.parse(encoded.body)
        let blocks = (body["messages"]?.arrayValue ?? []).flatMap { $0["content"]?.arrayValue ?? [] }
        let useIDs: [String] = blocks.compactMap { $0["toolUse"]?["toolUseId"]?.stringValue }
        let resultIDs: [String] = blocks.compactMap { $0["toolResult"]?["toolUseId"]?.stringValue }
        let useID = try #require(useIDs.first)
        let resultID = try #require(resultIDs.first)
        #expect(useID == resultID)
        #expect(useID.count <= 64 && useID.utf8.allSatisfy(ToolCallIDFitting.isWordByte))
    }
}
