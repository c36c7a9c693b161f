import Testing
import SwitchyardCore
@testable import DialectAnthropic

@Suite struct AnthropicResponseTests {
    static let responseFixtures = Fixtures.files(prefix: "messages-response-")

    @Test func everyResponseFixtureIsCovered() {
        #expect(Self.responseFixtures.count == 5)
    }

    /// Decode → encode reproduces the fixture, nulls aside (null and absent are equal in the SDK's models).
    @Test(arguments: responseFixtures)
    func responseRoundTrip(file: String) throws {
        let original = try Fixtures.json(file)
        let decoded = try AnthropicResponse.decode(try Fixtures.bytes(file))
        let model = try #require(original["model"]?.stringValue)
        let encoded = AnthropicResponse.encode(decoded, model: model)
        var expected = Fixtures.droppingNulls(original)
        var actual = Fixtures.droppingNulls(encoded)
        // `stop_sequence: null` is written as the SDK's models require it; compare it apart.
        #expect(encoded["stop_sequence"] == original["stop_sequence"])
        if case .object(var e) = expected, case .object(var a) = actual {
            e["stop_sequence"] = nil
            a["stop_sequence"] = nil
            expected = .object(e)
            actual = .object(a)
        }
        let problems = Fixtures.differences(expected, actual)
        #expect(problems.isEmpty, "\(file): \(problems)")
        #expect(try AnthropicResponse.decode(JSON.encode(encoded)) == decoded, "canonical form is stable")
    }

    @Test func decodesToolUseAndUsage() throws {
        let response = try AnthropicResponse.decode(try Fixtures.bytes("messages-response-tool-use.json"))
        let choice = try #require(response.choices.first)
        #expect(choice.finishReason == .toolCalls)
        #expect(choice.message.text == "I'll check both.")
        #expect(choice.message.toolCalls.map(\.id) == ["toolu_01BFa73JpnHkoGMx12BSAJOf", "toolu_01z0diQ78VQFcPU5FyGfwaAk"])
        #expect(try JSON.parse(choice.message.toolCalls[1].arguments) == ["tz": "Europe/Paris"])
        // input_tokens excludes the cache: canonical input stays 512, the cache read is its own bucket.
        #expect(response.usage == Usage(input: 512, output: 118, cacheRead: 380, cacheWrite: 0))
        #expect(response.id == "msg_01bU4kwYHwC67p0ojgbtZWjn")
    }

    @Test func decodesThinkingInOrderWithSignatures() throws {
        let response = try AnthropicResponse.decode(try Fixtures.bytes("messages-response-thinking.json"))
        let message = try #require(response.choices.first?.message)
        #expect(message.reasoning.count == 2)
        guard case .text(_, let signature?) = message.reasoning[0], case .redacted = message.reasoning[1] else {
            Issue.record("thinking then redacted thinking expected")
            return
        }
        #expect(signature.hasPrefix("EqQDuRrNn4Psxu"))
        #expect(message.text.hasPrefix("Yes — it's a mild 18 °C"))
        #expect(response.usage?.cacheWrite == 1650)
        #expect(response.usage?.totalInput == 1890 + 1650)
    }

    @Test func stopReasonsMapBothWays() throws {
        let refusal = try AnthropicResponse.decode(try Fixtures.bytes("messages-response-refusal.json"))
        #expect(refusal.choices[0].finishReason == .contentFilter)
        #expect(refusal.choices[0].extra["stop_details"]?["category"] == "cyber")
        let length = try AnthropicResponse.decode(try Fixtures.bytes("messages-response-max-tokens.json"))
        #expect(length.choices[0].finishReason == .length)

        let pairs: [(String, FinishReason)] = [
            ("end_turn", .stop), ("stop_sequence", .stopSequence), ("max_tokens", .length),
            ("model_context_window_exceeded", .contextWindow), ("tool_use", .toolCalls), ("refusal", .contentFilter),
            ("pause_turn", .pause),
        ]
        for (native, canonical) in pairs {
            #expect(AnthropicResponse.decodeStopReason(native) == canonical)
            #expect(
                AnthropicResponse.encodeStopReason(
                    canonical, stopSequence: "###", hasToolCalls: false, contextWindowStopReason: true) == native)
        }
        #expect(AnthropicResponse.encodeStopReason(.contextWindow, stopSequence: nil, hasToolCalls: false) == "max_tokens")
        #expect(AnthropicResponse.encodeStopReason(.stopSequence, stopSequence: nil, hasToolCalls: false) == "end_turn")
        #expect(AnthropicResponse.encodeStopReason(.stop, stopSequence: nil, hasToolCalls: true) == "tool_use")
        #expect(AnthropicResponse.encodeStopReason(.error(native: "MALFORMED"), stopSequence: nil, hasToolCalls: false) == "end_turn")
    }

    @Test func stopSequenceIsNamed() throws {
        var body = try Fixtures.json("messages-response-basic.json")
        if case .object(var fields) = body {
            fields["stop_reason"] = "stop_sequence"
            fields["stop_sequence"] = "\n\nHuman:"
            body = .object(fields)
        }
        let decoded = try AnthropicResponse.decode(body)
        #expect(decoded.choices[0].finishReason == .stopSequence)
        #expect(decoded.choices[0].stopSequence == "\n\nHuman:")
        let encoded = AnthropicResponse.encode(decoded, model: "m")
        #expect(encoded["stop_reason"] == "stop_sequence")
        #expect(encoded["stop_sequence"] == "\n\nHuman:")
    }

    /// An answer from another provider, shaped for an Anthropic client.
    @Test func encodesForeignAnswerForAnthropicClients() throws {
        var message = Message.text(.assistant, "Calling.")
        message.reasoning = [.text("DeepSeek-style reasoning", signature: nil)]
        message.toolCalls = [
            ToolCall(id: "call_abc", name: "get_weather", arguments: #"{"city":"Paris"}"#),
            ToolCall(id: "call_def", name: "broken", arguments: "{truncated"),
        ]
        var choice = Choice(index: 0, message: message, finishReason: .toolCalls)
        choice.extra["logprobs"] = .null
        var response = ChatResponse(
            id: "chatcmpl-123", model: "gpt-4o", created: 1, choices: [choice],
            usage: Usage(input: 10, output: 5, cacheRead: 90, cacheWrite: 0, reasoning: 7))
        response.extra["usage_extra"] = ["cost": 0.01]
        let encoded = AnthropicResponse.encode(response, model: "public-model")
        #expect(encoded["id"] == "msg_chatcmpl-123")
        #expect(encoded["type"] == "message")
        #expect(encoded["role"] == "assistant")
        #expect(encoded["model"] == "public-model")
        #expect(encoded["stop_reason"] == "tool_use")
        #expect(encoded["stop_sequence"] == .null)
        #expect(encoded["usage_extra"] == nil)
        let content = try #require(encoded["content"]?.arrayValue)
        #expect(content.map { $0["type"] } == ["thinking", "text", "tool_use", "tool_use"])
        #expect(content[0]["signature"] == "", "unsigned thinking is marked non-replayable")
        #expect(content[2]["input"] == ["city": "Paris"])
        #expect(content[3]["input"] == [:], "a model's broken arguments do not fail the answer")
        let usage = try #require(encoded["usage"])
        #expect(usage["input_tokens"] == 10)
        #expect(usage["cache_read_input_tokens"] == 90)
        #expect(usage["cache_creation_input_tokens"] == 0)
        #expect(usage["output_tokens"] == 12, "Anthropic output includes reasoning")
        #expect(usage["output_tokens_details"] == ["thinking_tokens": 7])
        // The unsigned thinking reads back without a signature, so it is never replayed to Anthropic.
        let back = try AnthropicResponse.decode(JSON.encode(encoded))
        #expect(back.choices[0].message.reasoning == [.text("DeepSeek-style reasoning", signature: nil)])
        #expect(back.usage == response.usage)
    }

    @Test func errorBodyWithSuccessStatusIsAnError() throws {
        let body = try Fixtures.bytes("error-529-overloaded.json")
        do {
            _ = try AnthropicResponse.decode(body)
            Issue.record("error body accepted as an answer")
        } catch {
            #expect(error.kind == .overloaded)
        }
        #expect(throws: GatewayError.self) { try AnthropicResponse.decode(Array("<html>".utf8)) }
    }
}
