import Testing
import SwitchyardCore
@testable import DialectGemini

/// A signed Gemini call's id carries its `thoughtSignature`, so a client that echoes only id, name and arguments
/// (no `extra_content`) still replays what Gemini 3 requires (issue 11 §3).
@Suite struct SignatureInIDTests {
    let codec = GeminiCodec()
    static let signature = StreamTests.signature
    static let base = GeminiToolCallID.forResponse(responseId: "r", choice: 0, index: 0, name: "f", arguments: "{}")

    static func isIDCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    @Test(arguments: [
        signature,
        // Padded forms (Gemini's proto3 JSON pads), short and long.
        "CgQIARAB", "CgQIARA=", "CgQIAR==", String(repeating: "Ab+/", count: 600) + "xy==",
        // A payload that starts with `_` right after the `__` separator.
        "/+/+abcd",
    ])
    func idCarriesTheSignatureBothWays(_ signature: String) throws {
        let id = GeminiToolCallID.carrying(signature, in: Self.base)
        #expect(id.hasPrefix(Self.base + "__"))
        // Only what Anthropic's `^[a-zA-Z0-9_-]+$` (and Bedrock) accept in tool-use ids.
        #expect(id.utf8.allSatisfy(Self.isIDCharacter))
        let (base, carried) = GeminiToolCallID.split(id)
        #expect(base == Self.base)
        #expect(carried == signature)
        // Deterministic: the same call and signature give the same id.
        #expect(GeminiToolCallID.carrying(signature, in: Self.base) == id)
    }

    @Test func urlSafeAndUnpaddedSignaturesComeBackAsTheSameBytes() {
        // Gemini accepts either alphabet, padded or not; the id hands back the canonical form of the same bytes.
        #expect(GeminiToolCallID.split(GeminiToolCallID.carrying("ab-_cd", in: Self.base)).signature == "ab+/cd==")
        #expect(GeminiToolCallID.split(GeminiToolCallID.carrying("abcdefg", in: Self.base)).signature == "abcdefg=")
    }

    @Test func requestReattachesTheSignatureFromTheIDAlone() throws {
        let response = try codec.decodeResponse(try Fixtures.bytes("generate-response-function-call.json"))
        let answer = try #require(response.choices.first?.message)
        // What LangChain or the Anthropic SDK sends back: id, name, arguments — no signature field.
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = answer.toolCalls.map { ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments) }
        var weather = Message.text(.tool, "18C")
        weather.toolCallId = assistant.toolCalls[0].id
        var time = Message.text(.tool, "14:05")
        time.toolCallId = assistant.toolCalls[1].id
        var request = ChatRequest(model: "m", messages: [.text(.user, "weather and time?"), assistant, weather, time])
        request.tools = [ToolDefinition(name: "get_weather"), ToolDefinition(name: "get_local_time")]
        let body = try JSON.parse(try codec.encodeRequest(request, upstreamModel: "gemini-3-pro-preview").body)
        // The model turn is exactly what Gemini sent: the signature on the first call only, and no ids.
        let fixture = try Fixtures.json("generate-response-function-call.json")
        #expect(body["contents"]?[1]?["parts"] == fixture["candidates"]?[0]?["content"]?["parts"])
        #expect(body["contents"]?[1]?["parts"]?[0]?["thoughtSignature"] == .string(Self.signature))
        // Results still find their function names by the (long) id, and send no id of ours.
        #expect(
            body["contents"]?[2]?["parts"] == [
                ["functionResponse": ["name": "get_weather", "response": ["output": "18C"]]],
                ["functionResponse": ["name": "get_local_time", "response": ["output": "14:05"]]],
            ])
    }

    @Test func anExplicitSignatureWins() throws {
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [
            ToolCall(
                id: GeminiToolCallID.carrying(Self.signature, in: Self.base), name: "f", arguments: "{}",
                signature: "ZXhwbGljaXQ=")
        ]
        let body = try JSON.parse(
            try codec.encodeRequest(ChatRequest(model: "m", messages: [.text(.user, "q"), assistant]), upstreamModel: "gemini-3-pro-preview").body)
        #expect(body["contents"]?[1]?["parts"]?[0]?["thoughtSignature"] == "ZXhwbGljaXQ=")
        // An empty explicit signature is no signature: the id's is used.
        assistant.toolCalls[0].signature = ""
        let fallback = try JSON.parse(
            try codec.encodeRequest(ChatRequest(model: "m", messages: [.text(.user, "q"), assistant]), upstreamModel: "gemini-3-pro-preview").body)
        #expect(fallback["contents"]?[1]?["parts"]?[0]?["thoughtSignature"] == .string(Self.signature))
    }

    @Test func idsWithoutASignatureWorkAsBefore() throws {
        for id in [Self.base, "call_abc", "toolu_01A09q90qw90lq917835lq9", "tooluse_x", "get_weather_la33nmwhd9lf", "my__tool_abcdefgh"] {
            #expect(GeminiToolCallID.split(id).base == id)
            #expect(GeminiToolCallID.split(id).signature == nil)
            var assistant = Message(role: .assistant, content: [])
            assistant.toolCalls = [ToolCall(id: id, name: "f", arguments: "{}")]
            var result = Message.text(.tool, "ok")
            result.toolCallId = id
            let body = try JSON.parse(
                try codec.encodeRequest(ChatRequest(model: "m", messages: [.text(.user, "q"), assistant, result]), upstreamModel: "gemini-2.5-flash").body)
            #expect(body["contents"]?[1]?["parts"]?[0]?["thoughtSignature"] == nil)
            #expect(body["contents"]?[2]?["parts"]?[0]?["functionResponse"]?["name"] == "f")
        }
    }

    @Test func geminisOwnIDIsSentBackWithoutTheSuffix() throws {
        // Gemini 3 may give ids of its own: those are echoed as `functionCall.id` / `functionResponse.id`, bare.
        let answer = #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"fc-7q2","name":"f","args":{}},"thoughtSignature":"CgQIARA="}]},"finishReason":"STOP"}],"responseId":"r"}"#
        let call = try #require(try codec.decodeResponse(Array(answer.utf8)).choices.first?.message.toolCalls.first)
        #expect(GeminiToolCallID.split(call.id).base == "fc-7q2")
        #expect(GeminiToolCallID.split(call.id).signature == "CgQIARA=")
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [ToolCall(id: call.id, name: call.name, arguments: call.arguments)]
        var result = Message.text(.tool, "ok")
        result.toolCallId = call.id
        let body = try JSON.parse(
            try codec.encodeRequest(ChatRequest(model: "m", messages: [.text(.user, "q"), assistant, result]), upstreamModel: "gemini-3-pro-preview").body)
        #expect(body["contents"]?[1]?["parts"]?[0] == ["functionCall": ["id": "fc-7q2", "name": "f", "args": [:]], "thoughtSignature": "CgQIARA="])
        #expect(body["contents"]?[2]?["parts"]?[0]?["functionResponse"]?["id"] == "fc-7q2")
        // A Gemini client is answered with the bare id and the signature in its own field.
        let encoded = try JSON.parse(try codec.encodeResponse(try codec.decodeResponse(Array(answer.utf8))))
        #expect(encoded["candidates"]?[0]?["content"]?["parts"]?[0]?["functionCall"]?["id"] == "fc-7q2")
        #expect(encoded["candidates"]?[0]?["content"]?["parts"]?[0]?["thoughtSignature"] == "CgQIARA=")
        // An id Gemini gave that holds the separator is left as it is (it could not be split again).
        #expect(GeminiToolCallID.carrying("CgQIARA=", in: "a__b") == "a__b")
        #expect(GeminiToolCallID.carrying("CgQIARA=", in: "ab_") == "ab_")
    }

    @Test func malformedOrHostileIDsCarryNothing() {
        let good = GeminiToolCallID.carrying(Self.signature, in: Self.base)
        let hostile = [
            Self.base + "__", Self.base + "__!!!!!!!!", Self.base + "__abc", Self.base + "__a",
            Self.base + "__" + String(repeating: "A", count: 9) + "zzzz",  // length 4n+1, wrong check
            String(good.dropLast()),  // truncated: the check no longer matches
            String(good.dropLast(40)),
            good.replacingOccurrences(of: "CssB7e", with: "CssB7f"),  // edited payload
            good + "x",
            "__" + String(good.dropFirst(Self.base.count + 2)),  // no base
            Self.base + "__" + String(repeating: "QUFB", count: 1_000_000),  // 4 MB
            Self.base + "__é€💥\u{0}",
        ]
        for id in hostile {
            let (base, signature) = GeminiToolCallID.split(id)
            #expect(signature == nil, "\(id.prefix(60))")
            #expect(base == id)
        }
    }

    @Test func signaturesThatAreNotBase64OrTooLargeAreNotPutInIDs() {
        for signature in ["", "abc", "a", "not base64!", "abcd=", "ab===", "ab=c", String(repeating: "A", count: 21_848)] {
            #expect(GeminiToolCallID.carrying(signature, in: Self.base) == Self.base, "\(signature.prefix(20))")
        }
        #expect(GeminiToolCallID.carrying(nil, in: Self.base) == Self.base)
        // The bound is 16 KB decoded: exactly that still fits.
        let largest = String(repeating: "A", count: GeminiToolCallID.maxPayloadCharacters)
        #expect(GeminiToolCallID.split(GeminiToolCallID.carrying(largest, in: Self.base)).signature?.hasPrefix("AAAA") == true)
    }

    @Test func streamAndWholeAnswerMintTheSameSignedID() throws {
        let part = #"{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}},"thoughtSignature":"CgQIARAB+/=="}"#
        let whole = #"{"candidates":[{"content":{"role":"model","parts":[\#(part)]},"finishReason":"STOP","index":0}],"responseId":"abc"}"#
        let stream = "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[\(part)]},\"index\":0}],\"responseId\":\"abc\"}\r\n\r\n"
            + "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"STOP\",\"index\":0}],\"responseId\":\"abc\"}\r\n\r\n"
        let call = try #require(try codec.decodeResponse(Array(whole.utf8)).choices.first?.message.toolCalls.first)
        let started = StreamFeeding.whole(Array(stream.utf8)).compactMap { event -> String? in
            if case .toolCallStart(_, _, let id, _) = event { return id } else { return nil }
        }
        #expect(started == [call.id])
        #expect(GeminiToolCallID.split(call.id).signature == "CgQIARAB+/==")
        // The streamed id alone brings the signature back.
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [ToolCall(id: started[0], name: "get_weather", arguments: #"{"city":"Oslo"}"#)]
        let body = try JSON.parse(
            try codec.encodeRequest(ChatRequest(model: "m", messages: [.text(.user, "q"), assistant]), upstreamModel: "gemini-3-flash-preview").body)
        #expect(body["contents"]?[1]?["parts"]?[0]?["thoughtSignature"] == "CgQIARAB+/==")
    }

    @Test func geminiClientHistoryKeepsPlainIDs() throws {
        // A Gemini client sends signatures itself; its history's minted ids stay short (they may go to other providers).
        let request = try codec.decodeRequest(try Fixtures.bytes("generate-request-multiturn.json"), model: "gemini-3-flash-preview", stream: false)
        for call in request.messages.flatMap(\.toolCalls) {
            #expect(call.id.count == 29)
            #expect(call.signature != nil)
        }
    }
}
