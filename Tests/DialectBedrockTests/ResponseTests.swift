import Testing
@testable import DialectBedrock
@testable import SwitchyardCore

@Suite struct ResponseTests {
    static let responseFixtures = ["converse-response-text.json", "converse-response-tool-use.json"]

    @Test func manifestListsTheResponsesTested() throws {
        #expect(try BedrockFixtures.entries(kind: "response").map(\.file) == Self.responseFixtures)
    }

    @Test(arguments: responseFixtures)
    func decodeThenEncodeIsIdentity(_ file: String) throws {
        let codec = BedrockCodec()
        let response = try codec.decodeResponse(try BedrockFixtures.bytes(file))
        let encoded = try JSON.parse(try codec.encodeResponse(response))
        #expect(numericallyNormalised(encoded) == numericallyNormalised(try BedrockFixtures.json(file)))
    }

    @Test func toolUseResponseDecodesToCanonical() throws {
        let response = try BedrockResponse.decode(try BedrockFixtures.bytes("converse-response-tool-use.json"))
        let choice = try #require(response.choices.first)
        #expect(response.choices.count == 1)
        #expect(choice.finishReason == .toolCalls)
        #expect(choice.extra["native_finish_reason"] == "tool_use")
        #expect(choice.message.role == .assistant)
        #expect(choice.message.content == [.text("Let me check the weather.")])
        #expect(choice.message.contentWasText)
        #expect(choice.message.toolCalls == [
            ToolCall(id: "tooluse_lc5GE7fSNjIqJh0PiRTMPf", name: "get_weather", arguments: #"{"city":"Paris"}"#)
        ])
        guard case .text(let text, let signature)? = choice.message.reasoning.first else {
            Issue.record("no reasoning block")
            return
        }
        #expect(text == "The user wants weather for Paris; call get_weather.")
        #expect(signature?.hasPrefix("EqQDvBqciS2z") == true)
        // inputTokens excludes the cache; canonical input does too.
        #expect(response.usage == Usage(input: 402, output: 96, cacheRead: 1100, cacheWrite: 0))
        #expect(response.usage?.total == 1598)
        #expect(response.extra["metrics"] == ["latencyMs": 2140])
    }

    @Test(arguments: [
        ("end_turn", FinishReason.stop), ("stop_sequence", .stopSequence), ("max_tokens", .length),
        ("model_context_window_exceeded", .contextWindow), ("tool_use", .toolCalls),
        ("guardrail_intervened", .contentFilter), ("content_filtered", .contentFilter),
        ("malformed_model_output", .error(native: "malformed_model_output")),
        ("malformed_tool_use", .error(native: "malformed_tool_use")), ("something_new", .other("something_new")),
    ])
    func stopReasonsMapBothWays(_ native: String, _ reason: FinishReason) {
        #expect(BedrockResponse.decodeStopReason(native) == reason)
        #expect(BedrockResponse.encodeStopReason(reason, native: native) == native)
    }

    @Test func canonicalReasonsWithoutANativeValue() {
        #expect(BedrockResponse.encodeStopReason(.contentFilter) == "content_filtered")
        #expect(BedrockResponse.encodeStopReason(.pause) == "end_turn")
        // A native value that disagrees with the canonical reason is not trusted.
        #expect(BedrockResponse.encodeStopReason(.length, native: "end_turn") == "max_tokens")
    }

    @Test func stopSequenceIsReadFromAdditionalFields() throws {
        let body: JSONValue = [
            "output": ["message": ["role": "assistant", "content": [["text": "1, 2, 3"]]]],
            "stopReason": "stop_sequence", "usage": ["inputTokens": 1, "outputTokens": 2, "totalTokens": 3],
            "metrics": ["latencyMs": 5], "additionalModelResponseFields": ["stop_sequence": "4"],
        ]
        let choice = try #require(try BedrockResponse.decode(body).choices.first)
        #expect(choice.finishReason == .stopSequence)
        #expect(choice.stopSequence == "4")
    }

    @Test func malformedBodiesAreUpstreamErrors() {
        for body in ["not json", #"{"stopReason":"end_turn"}"#, #"{"output":{"message":{"content":[{"toolUse":{}}]}}}"#] {
            do {
                _ = try BedrockResponse.decode(Array(body.utf8))
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.kind == .upstreamError)
            }
        }
    }
}
