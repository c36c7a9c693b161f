@testable import DialectCohere
import DialectOpenAI
import SwitchyardCore
import Testing

/// Golden and mapping tests of the response codec (Response.swift).
@Suite struct CohereResponseTests {
    let codec = CohereCodec()

    static var responseFixtures: [String] { CohereFixtures.files(kind: "response") }

    @Test func fixturesAreListed() {
        #expect(Self.responseFixtures == ["chat-response-text.json", "chat-response-tool-calls.json"])
    }

    /// Decoding then encoding gives the fixture back exactly (no normalisation needed).
    @Test(arguments: responseFixtures)
    func responseRoundTrip(file: String) throws {
        let original = try CohereFixtures.json(file)
        let decoded = try codec.decodeResponse(try CohereFixtures.bytes(file))
        let encoded = try codec.encodeResponse(decoded)
        #expect(try codec.decodeResponse(encoded) == decoded, "canonical form is stable")
        let problems = differences(normaliseNumbers(original), normaliseNumbers(try JSON.parse(encoded)))
        #expect(problems.isEmpty, "\(file): \(problems)")
    }

    @Test func decodesText() throws {
        let response = try codec.decodeResponse(try CohereFixtures.bytes("chat-response-text.json"))
        #expect(response.id == "674edefc-08ab-484e-a17e-362effffde58")
        #expect(response.choices.count == 1)
        let choice = response.choices[0]
        #expect(choice.message.role == .assistant)
        #expect(choice.message.content == [.text("It is 18 °C and cloudy in Paris.")])
        #expect(choice.finishReason == .stop)
        #expect(choice.extra["native_finish_reason"] == "COMPLETE")
        // Billed on billed_units, not on `tokens` (which counts Cohere's hidden preamble).
        #expect(response.usage == Usage(input: 31, output: 11))
        #expect(response.extra["usage_extra"]?["tokens"]?["input_tokens"] == 702)
    }

    @Test func decodesToolCalls() throws {
        let response = try codec.decodeResponse(try CohereFixtures.bytes("chat-response-tool-calls.json"))
        let message = response.choices[0].message
        #expect(response.choices[0].finishReason == .toolCalls)
        #expect(message.content.isEmpty)
        #expect(message.reasoning == [.text("I will look up the weather in Paris.", signature: nil)])
        #expect(message.toolCalls == [ToolCall(id: "get_weather_la33nmwhd9lf", name: "get_weather", arguments: #"{"city":"Paris"}"#)])
        #expect(response.usage?.totalInput == 29)
        #expect(response.usage?.totalOutput == 18)
    }

    /// Seen through the OpenAI dialect, a Cohere answer is a normal chat completion.
    @Test func reencodesForOpenAIClients() throws {
        let response = try codec.decodeResponse(try CohereFixtures.bytes("chat-response-tool-calls.json"))
        let openai = OpenAIResponse.encode(response)
        let choice = openai["choices"]?[item: 0]
        #expect(choice?["finish_reason"] == "tool_calls")
        #expect(choice?["message"]?["tool_calls"]?[item: 0]?["id"] == "get_weather_la33nmwhd9lf")
        #expect(choice?["message"]?["reasoning_content"] == "I will look up the weather in Paris.")
        #expect(openai["usage"]?["prompt_tokens"] == 29)
        #expect(openai["usage"]?["completion_tokens"] == 18)
    }

    @Test func decodesThinkingCitationsAndCache() throws {
        let body: JSONValue = [
            "id": "r1", "finish_reason": "MAX_TOKENS",
            "message": [
                "role": "assistant",
                "content": [["type": "thinking", "thinking": "Hmm."], ["type": "text", "text": "Part one, "], ["type": "text", "text": "part two."]],
                "citations": [["start": 0, "end": 4, "text": "Part", "sources": []]],
            ],
            "usage": ["billed_units": ["input_tokens": 100, "output_tokens": 20, "search_units": 1], "cached_tokens": 60],
            "logprobs": [["token_ids": [1], "logprobs": [-0.5]]],
        ]
        let response = try codec.decodeResponse(JSON.encode(body))
        let message = response.choices[0].message
        #expect(message.reasoning == [.text("Hmm.", signature: nil)])
        #expect(message.content == [.text("Part one, part two.")])
        #expect(message.extra["citations"]?.arrayValue?.count == 1)
        #expect(response.choices[0].finishReason == .length)
        #expect(response.usage == Usage(input: 40, output: 20, cacheRead: 60))
        let again = try JSON.parse(try codec.encodeResponse(response))
        #expect(again["usage"] == ["billed_units": ["input_tokens": 100, "output_tokens": 20, "search_units": 1], "cached_tokens": 60])
        #expect(again["message"]?["citations"] == body["message"]?["citations"])
        #expect(again["message"]?["content"]?[item: 0] == ["type": "thinking", "thinking": "Hmm."])
        #expect(again["logprobs"] == body["logprobs"])
        // Cached tokens beyond the billed input (preamble) are clamped: billed input stays the total.
        let clamped = CohereResponse.decodeUsage(["billed_units": ["input_tokens": 10, "output_tokens": 1], "cached_tokens": 600])
        #expect(clamped == Usage(input: 0, output: 1, cacheRead: 10))
    }

    @Test(arguments: [
        ("COMPLETE", FinishReason.stop), ("STOP_SEQUENCE", .stopSequence), ("MAX_TOKENS", .length),
        ("TOOL_CALL", .toolCalls), ("ERROR", .error(native: "ERROR")), ("TIMEOUT", .error(native: "TIMEOUT")),
        ("SOMETHING_NEW", .other("SOMETHING_NEW")),
    ])
    func finishReasonsRoundTrip(native: String, canonical: FinishReason) {
        #expect(CohereResponse.decodeFinishReason(native) == canonical)
        #expect(CohereResponse.encodeFinishReason(canonical) == native)
    }

    @Test func otherDialectsFinishReasonsHaveCohereNames() {
        #expect(CohereResponse.encodeFinishReason(.contextWindow) == "MAX_TOKENS")
        #expect(CohereResponse.encodeFinishReason(.pause) == "COMPLETE")
        #expect(CohereResponse.encodeFinishReason(.contentFilter) == "ERROR")
        #expect(CohereResponse.encodeFinishReason(.error(native: "MALFORMED_FUNCTION_CALL")) == "ERROR")
    }

    @Test func malformedResponsesAreUpstreamErrors() {
        for body in ["", "not json", "[1]", #"{"message":{"role":"assistant","tool_calls":[{"function":{}}]}}"#] {
            do {
                _ = try codec.decodeResponse(Array(body.utf8))
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.kind == .upstreamError, "\(body)")
            }
        }
    }
}
