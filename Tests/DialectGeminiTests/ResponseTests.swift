import Testing
import SwitchyardCore
@testable import DialectGemini

/// Golden tests of the response codec against every response fixture, and the decoded canonical values.
@Suite struct ResponseTests {
    let codec = GeminiCodec()

    /// Usage keeps only the counts: the per-modality `*TokensDetails` lists have no canonical home.
    static func expectedReencoding(_ fixture: JSONValue) -> JSONValue {
        var expected = fixture
        for key in ["promptTokensDetails", "cacheTokensDetails", "candidatesTokensDetails", "toolUsePromptTokensDetails"] {
            expected = JSONDiff.setting(nil, at: ["usageMetadata", .key(key)], in: expected)
        }
        return expected
    }

    static let responseFixtures = (try? Fixtures.names(kind: "response"))?.filter { $0.hasPrefix("generate-") } ?? []

    @Test func everyResponseFixtureIsCovered() {
        #expect(Self.responseFixtures.count == 5)
    }

    @Test(arguments: responseFixtures)
    func fixtureRoundTrips(_ file: String) throws {
        let response = try codec.decodeResponse(try Fixtures.bytes(file))
        let encoded = try JSON.parse(try codec.encodeResponse(response))
        let differences = JSONDiff.differences(Self.expectedReencoding(try Fixtures.json(file)), encoded)
        #expect(differences.isEmpty, "\(file): \(differences)")
        // Canonical → Gemini → canonical is exact.
        #expect(try codec.decodeResponse(try codec.encodeResponse(response)) == response)
    }

    @Test func textAnswer() throws {
        let response = try codec.decodeResponse(try Fixtures.bytes("generate-response-text.json"))
        #expect(response.id == "dv0thxG2wE2aSpdSF8tDgI")
        #expect(response.model == "gemini-2.5-flash")
        #expect(response.choices.count == 1)
        #expect(response.choices[0].message.text == "Air molecules scatter blue light much more than red light, so the sky looks blue.")
        #expect(response.choices[0].finishReason == .stop)
        // candidates exclude thoughts: output 19, reasoning 231 (mapping.md §2)
        #expect(response.usage == Usage(input: 9, output: 19, cacheRead: 0, cacheWrite: 0, reasoning: 231))
        #expect(response.usage?.total == 259)
    }

    @Test func functionCallsFinishAsToolCalls() throws {
        let response = try codec.decodeResponse(try Fixtures.bytes("generate-response-function-call.json"))
        let choice = try #require(response.choices.first)
        #expect(choice.finishReason == .toolCalls)
        #expect(choice.extra["native_finish_reason"] == "STOP")
        let calls = choice.message.toolCalls
        #expect(calls.map(\.name) == ["get_weather", "get_local_time"])
        #expect(calls[0].arguments == #"{"city":"Paris","unit":"celsius"}"#)
        #expect(calls[1].arguments == #"{"tz":"Europe/Paris"}"#)
        #expect(calls[0].signature?.hasPrefix("CssB7e") == true)
        #expect(calls[1].signature == nil)
        for call in calls {
            // The minted id proper is `call_` + 24 alphanumerics; a signed call's id also carries its signature.
            let (base, carried) = GeminiToolCallID.split(call.id)
            #expect(base.hasPrefix("call_"))
            #expect(base.count == 29)
            #expect(base.dropFirst(5).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(carried == call.signature)
        }
        #expect(calls[1].id.count == 29)
        #expect(calls[0].id != calls[1].id)
        // Deterministic: decoding again names the calls the same way.
        #expect(try codec.decodeResponse(try Fixtures.bytes("generate-response-function-call.json")).choices[0].message.toolCalls == calls)
        #expect(response.usage == Usage(input: 142, output: 38, reasoning: 96))
    }

    @Test func thoughtsBecomeReasoningAndTheAnswerSignatureIsKept() throws {
        let response = try codec.decodeResponse(try Fixtures.bytes("generate-response-thinking.json"))
        let message = try #require(response.choices.first?.message)
        #expect(message.text == "Yes — 18 °C and cloudy is pleasant walking weather; take a light jacket.")
        #expect(message.reasoning.count == 2)
        guard case .text(let thought, let thoughtSignature) = message.reasoning[0],
            case .text(let empty, let answerSignature) = message.reasoning[1]
        else {
            Issue.record("expected two text reasoning blocks")
            return
        }
        #expect(thought.hasPrefix("**Weighing the conditions**"))
        #expect(thoughtSignature == nil)
        #expect(empty.isEmpty)
        #expect(answerSignature?.hasPrefix("CssB7e") == true)
        // input = prompt − cached (1310 − 1024); cache_read = cached
        #expect(response.usage == Usage(input: 286, output: 21, cacheRead: 1024, reasoning: 180))
    }

    @Test func blockedPromptIsAContentFilterFinish() throws {
        let response = try codec.decodeResponse(try Fixtures.bytes("generate-response-prompt-blocked.json"))
        #expect(response.choices.count == 1)
        #expect(response.choices[0].finishReason == .contentFilter)
        #expect(response.choices[0].message.content.isEmpty)
        #expect(response.extra["promptFeedback"]?["blockReason"] == "SAFETY")
        #expect(response.usage == Usage(input: 14))
    }

    @Test func safetyStopIsAContentFilterFinish() throws {
        let response = try codec.decodeResponse(try Fixtures.bytes("generate-response-safety-finish.json"))
        #expect(response.choices[0].finishReason == .contentFilter)
        #expect(response.choices[0].message.content.isEmpty)
        #expect(response.choices[0].extra["safetyRatings"]?.arrayValue?.count == 4)
    }

    @Test(arguments: [
        ("STOP", false, FinishReason.stop), ("STOP", true, .toolCalls), ("MAX_TOKENS", false, .length),
        ("RECITATION", false, .contentFilter), ("PROHIBITED_CONTENT", false, .contentFilter),
        ("MALFORMED_FUNCTION_CALL", false, .error(native: "MALFORMED_FUNCTION_CALL")),
        ("MISSING_THOUGHT_SIGNATURE", false, .error(native: "MISSING_THOUGHT_SIGNATURE")),
        ("OTHER", false, .error(native: "OTHER")), ("SOMETHING_NEW", false, .other("SOMETHING_NEW")),
    ])
    func finishReasons(_ native: String, _ hasToolCalls: Bool, _ expected: FinishReason) {
        #expect(GeminiFinishReason.decode(native, hasToolCalls: hasToolCalls) == expected)
    }

    @Test func finishReasonsEncodeKeepingTheNativeValue() {
        #expect(GeminiFinishReason.encode(.contentFilter) == "SAFETY")
        #expect(GeminiFinishReason.encode(.contentFilter, native: "RECITATION") == "RECITATION")
        #expect(GeminiFinishReason.encode(.toolCalls, native: "STOP") == "STOP")
        #expect(GeminiFinishReason.encode(.length, native: "end_turn") == "MAX_TOKENS")
        #expect(GeminiFinishReason.encode(.error(native: "malformed_tool_use")) == "OTHER")
        #expect(GeminiFinishReason.encode(.stopSequence) == "STOP")
    }

    @Test func malformedBodiesAreUpstreamErrors() {
        #expect(throws: GatewayError.self) { try codec.decodeResponse(Array("not json".utf8)) }
        do {
            _ = try codec.decodeResponse(Array(#"{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}"#.utf8))
            Issue.record("an error body should throw")
        } catch {
            #expect(error.kind == .overloaded)
        }
    }

    @Test func foreignResponsesEncodeWithoutForeignExtras() throws {
        var message = Message(role: .assistant, content: [.text("hi")], contentWasText: true)
        message.toolCalls = [ToolCall(id: "toolu_01", name: "f", arguments: #"{"a":1}"#)]
        var choice = Choice(index: 0, message: message, finishReason: .toolCalls)
        choice.extra["logprobs"] = .null
        var response = ChatResponse(id: "chatcmpl-1", model: "gpt-4o", created: 1, choices: [choice], usage: Usage(input: 3, output: 2))
        response.extra["system_fingerprint"] = "fp"
        let encoded = try JSON.parse(try codec.encodeResponse(response))
        let expected: JSONValue = [
            "responseId": "chatcmpl-1", "modelVersion": "gpt-4o",
            "candidates": [
                [
                    "content": ["role": "model", "parts": [["text": "hi"], ["functionCall": ["name": "f", "args": ["a": 1]]]]],
                    "finishReason": "STOP", "index": 0,
                ]
            ],
            "usageMetadata": ["promptTokenCount": 3, "candidatesTokenCount": 2, "totalTokenCount": 5],
        ]
        #expect(JSONDiff.differences(expected, encoded) == [])
    }
}
