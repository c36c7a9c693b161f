import FakeProviderKit
import Foundation
import Testing

/// The fake Gemini API, end to end, checked against `Fixtures/providers/gemini`.
@Suite struct GeminiFakeTests {
    static let headers = [("x-goog-api-key", "AIza-test"), ("content-type", "application/json")]

    @Test func functionCallHasTheFixtureShape() async throws {
        try await FakeProviderServer().withRunning { fake in
            // Tools and thinkingConfig (budget 512, includeThoughts): a functionCall part with a signature.
            let reply = try await httpSend(
                fake.baseURL(.gemini) + "/models/gemini-2.5-flash:generateContent",
                body: try NativeFixtures.text("gemini", "generate-request-tools.json"),
                headers: Self.headers
            )
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json; charset=UTF-8")
            let body = try reply.json()
            let fixture = try NativeFixtures.json("gemini", "generate-response-function-call.json")
            #expect(body.keys == fixture.keys)
            #expect(body["candidates"]?[0]?.keys == fixture["candidates"]?[0]?.keys)
            #expect(body["usageMetadata"]?.shape() == fixture["usageMetadata"]?.shape())
            let parts = try #require(body["candidates"]?[0]?["content"]?["parts"]?.array)
            // A thought summary first (includeThoughts), then the call.
            #expect(parts.count == 2)
            #expect(parts[0]["thought"] == .bool(true))
            let call = parts[1]
            #expect(call.shape(opaque: ["args"]) == fixture["candidates"]?[0]?["content"]?["parts"]?[0]?.shape(opaque: ["args"]))
            #expect(call["functionCall"]?["name"]?.string == "get_weather")
            let question = "What's the weather and local time in Paris?"
            #expect(call["functionCall"]?["args"] == .object([.init(key: "city", value: .string(question))]))
            #expect(body["candidates"]?[0]?["finishReason"]?.string == "STOP")
            #expect(body["modelVersion"]?.string == "gemini-2.5-flash")
            #expect(body["responseId"]?.string?.count == 22)
        }
    }

    @Test func textAnswerEchoesWithUsage() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.gemini) + "/models/gemini-2.5-flash:generateContent",
                body: #"{"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":128}}}"#,
                headers: Self.headers
            )
            let body = try reply.json()
            let fixture = try NativeFixtures.json("gemini", "generate-response-text.json")
            #expect(body.shape(opaque: ["parts"]) == fixture.shape(opaque: ["parts"]))
            // With thinking on, the signature rides on the (last) text part, as in the thinking fixture.
            let thinkingPart = try NativeFixtures.json("gemini", "generate-response-thinking.json")["candidates"]?[0]?["content"]?["parts"]?[1]
            #expect(body["candidates"]?[0]?["content"]?["parts"]?[0]?.shape() == thinkingPart?.shape())
            #expect(body["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.string == "Echo: Why is the sky blue?")
            let usage = try #require(body["usageMetadata"])
            #expect(usage["promptTokenCount"]?.int == 8)
            #expect(usage["candidatesTokenCount"]?.int == 6)
            let thoughts = try #require(usage["thoughtsTokenCount"]?.int)
            #expect(usage["totalTokenCount"]?.int == 14 + thoughts)

            // snake_case keys work too, and no thinking means no thoughtsTokenCount.
            let plain = try await httpSend(
                fake.baseURL(.gemini) + "/models/gemini-2.5-flash:generateContent",
                body: #"{"system_instruction":{"parts":[{"text":"x"}]},"contents":[{"parts":[{"text":"hi"}]}],"generation_config":{"thinking_config":{"thinking_budget":0}}}"#,
                headers: Self.headers
            ).json()
            #expect(plain["usageMetadata"]?["thoughtsTokenCount"] == nil)
            #expect(plain["usageMetadata"]?["promptTokenCount"]?.int == 3)
        }
    }

    @Test func thinkingStreamMatchesTheFixtureWithCRLF() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.gemini, knobs: "chunks=2") + "/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
                body: #"{"contents":[{"role":"user","parts":[{"text":"walk?"}]}],"generationConfig":{"thinkingConfig":{"includeThoughts":true}}}"#,
                headers: Self.headers
            )
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "text/event-stream")
            let text = reply.text
            #expect(text.hasSuffix("}\r\n\r\n"))
            #expect(!text.contains("[DONE]"))
            // Every line feed belongs to a CRLF.
            #expect(text.replacingOccurrences(of: "\r\n", with: "").contains("\n") == false)
            let events = parseSSE(text, lineEnding: "\r\n")
            let fixture = parseSSE(try NativeFixtures.text("gemini", "stream-thinking.txt"), lineEnding: "\r\n")
            #expect(events.count == fixture.count)
            for (ours, theirs) in zip(events, fixture) {
                #expect(try ours.json().shape() == theirs.json().shape())
            }
            let answer = try events.compactMap { event -> String? in
                let part = try event.json()["candidates"]?[0]?["content"]?["parts"]?[0]
                return part?["thought"] == nil ? part?["text"]?.string : nil
            }
            #expect(answer.joined() == "Echo: walk?")
        }
    }

    @Test func functionCallStreamsWhole() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.gemini) + "/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                body: #"{"contents":[{"role":"user","parts":[{"text":"Paris"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","parametersJsonSchema":{"type":"object","required":["city"]}}]}],"generationConfig":{"thinkingConfig":{"thinkingLevel":"LOW"}}}"#,
                headers: Self.headers
            )
            let events = parseSSE(reply.text, lineEnding: "\r\n")
            let fixture = parseSSE(try NativeFixtures.text("gemini", "stream-function-call.txt"), lineEnding: "\r\n")
            #expect(events.count == 1)
            let chunk = try #require(try events.first?.json())
            let first = try fixture[0].json()
            let last = try fixture[1].json()
            #expect(chunk.keys == last.keys)
            #expect(chunk["candidates"]?[0]?.keys == last["candidates"]?[0]?.keys)
            #expect(chunk["usageMetadata"]?.shape() == last["usageMetadata"]?.shape())
            let part = chunk["candidates"]?[0]?["content"]?["parts"]?[0]
            #expect(part?.shape(opaque: ["args"]) == first["candidates"]?[0]?["content"]?["parts"]?[0]?.shape(opaque: ["args"]))
            #expect(part?["functionCall"]?["args"] == .object([.init(key: "city", value: .string("Paris"))]))
            #expect(chunk["candidates"]?[0]?["finishReason"]?.string == "STOP")

            // Answered with a functionResponse: text again.
            let followUp = try await httpSend(
                fake.baseURL(.gemini) + "/models/gemini-2.5-flash:generateContent",
                body: #"{"contents":[{"role":"user","parts":[{"text":"Paris"}]},{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"output":"18 C"}}}]}],"tools":[{"functionDeclarations":[{"name":"get_weather"}]}]}"#,
                headers: Self.headers
            ).json()
            #expect(followUp["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.string == "Echo: Paris")
        }
    }

    @Test func gemini3RequiresThoughtSignaturesOnReplayedCalls() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.gemini) + "/models/gemini-3-flash-preview:generateContent"
            let signed = try NativeFixtures.text("gemini", "generate-request-multiturn.json")
            let ok = try await httpSend(url, body: signed, headers: Self.headers)
            #expect(ok.status == 200)
            #expect(
                try ok.json()["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.string
                    == "Echo: What is in this image, and is it walking weather in Paris?"
            )
            let unsigned = try await httpSend(url, body: signed.replacingOccurrences(of: "\"thoughtSignature\"", with: "\"x\""), headers: Self.headers)
            #expect(unsigned.status == 400)
            #expect(try unsigned.json() == NativeFixtures.json("gemini", "error-400-missing-thought-signature.json"))
        }
    }

    /// Gemini 3 always thinks, so it signs the first `functionCall` part (or the last text part) even
    /// without `thinkingConfig`; thought summaries still need `includeThoughts`.
    @Test(arguments: ["gemini-3-flash-preview", "gemini-3.1-pro-preview"])
    func gemini3SignsEveryAnswerLikeTheRealOne(_ model: String) async throws {
        try await FakeProviderServer().withRunning { fake in
            let tools = #"{"contents":[{"role":"user","parts":[{"text":"Paris"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","parametersJsonSchema":{"type":"object","required":["city"]}}]}]}"#
            let json = try await httpSend(fake.baseURL(.gemini) + "/models/\(model):generateContent", body: tools, headers: Self.headers).json()
            let parts = try #require(json["candidates"]?[0]?["content"]?["parts"]?.array)
            #expect(parts.count == 1)
            #expect(parts[0]["functionCall"]?["name"]?.string == "get_weather")
            let signature = try #require(parts[0]["thoughtSignature"]?.string)
            // Padded standard base64 (proto3 JSON bytes) of a few hundred bytes.
            let decoded = try #require(Data(base64Encoded: signature))
            #expect((300..<364).contains(decoded.count))
            #expect(decoded.first == 0x0A)
            #expect(json["usageMetadata"]?["thoughtsTokenCount"]?.int != nil)

            let stream = try await httpSend(
                fake.baseURL(.gemini) + "/models/\(model):streamGenerateContent?alt=sse", body: tools, headers: Self.headers)
            let events = parseSSE(stream.text, lineEnding: "\r\n")
            #expect(events.count == 1)
            let streamed = try #require(try events.first?.json()["candidates"]?[0]?["content"]?["parts"]?[0])
            #expect(streamed["functionCall"]?["name"]?.string == "get_weather")
            let streamedSignature = try #require(streamed["thoughtSignature"]?.string)
            #expect(Data(base64Encoded: streamedSignature) != nil)
            #expect(streamedSignature != signature, "signatures are per answer")

            // A text answer carries it on its last part.
            let text = try await httpSend(
                fake.baseURL(.gemini) + "/models/\(model):generateContent",
                body: #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#, headers: Self.headers
            ).json()
            let textParts = try #require(text["candidates"]?[0]?["content"]?["parts"]?.array)
            #expect(textParts.count == 1)
            #expect(textParts.last?["thoughtSignature"]?.string.flatMap { Data(base64Encoded: $0) } != nil)
        }
        // Gemini 2.5 without thinkingConfig does not sign.
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"contents":[{"role":"user","parts":[{"text":"Paris"}]}],"tools":[{"functionDeclarations":[{"name":"f"}]}]}"#
            let json = try await httpSend(fake.baseURL(.gemini) + "/models/gemini-2.5-flash:generateContent", body: body, headers: Self.headers).json()
            #expect(json["candidates"]?[0]?["content"]?["parts"]?[0]?["thoughtSignature"] == nil)
        }
    }

    static func status(_ url: String, _ contents: String...) async throws -> Int {
        let body = #"{"contents":[\#(contents.joined(separator: ","))],"tools":[{"functionDeclarations":[{"name":"f"}]}]}"#
        return try await httpSend(url, body: body, headers: Self.headers).status
    }

    /// The Gemini 3 rule (gemini.md §3): in the current turn (since the last user text), the first
    /// `functionCall` part of each model turn needs its signature; later parallel calls carry none,
    /// and earlier turns are not checked.
    @Test func gemini3ChecksTheFirstCallOfEachStepInTheCurrentTurn() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.gemini) + "/models/gemini-3-flash-preview:generateContent"
            let user = #"{"role":"user","parts":[{"text":"go"}]}"#
            let result = #"{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"output":"ok"}}}]}"#
            let signedParallel = #"{"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"CgQIARA="},{"functionCall":{"name":"f","args":{}}}]}"#
            let unsigned = #"{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]}"#
            let secondSigned = #"{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}},{"functionCall":{"name":"f","args":{}},"thoughtSignature":"CgQIARA="}]}"#
            let textFirst = #"{"role":"model","parts":[{"text":"Let me check."},{"functionCall":{"name":"f","args":{}},"thoughtSignature":"CgQIARA="}]}"#
            // (A `try` outside the macros, so the closure is inferred as throwing.)
            let parallel = try await Self.status(url, user, signedParallel, result)
            #expect(parallel == 200)
            #expect(try await Self.status(url, user, textFirst, result) == 200)
            #expect(try await Self.status(url, user, unsigned, result) == 400)
            #expect(try await Self.status(url, user, secondSigned, result) == 400)
            // Every step of the current turn is checked, not only the last one.
            #expect(try await Self.status(url, user, unsigned, result, signedParallel, result) == 400)
            // An earlier turn (before the last user text) is not.
            #expect(try await Self.status(url, user, unsigned, result, user, signedParallel, result) == 200)
        }
    }

    @Test func keysAreCheckedAndQueryKeysRecorded() async throws {
        let server = FakeProviderServer()
        try await server.withRunning { fake in
            let base = fake.baseURL(.gemini) + "/models/gemini-2.5-flash:generateContent"
            let body = #"{"contents":[{"parts":[{"text":"hi"}]}]}"#
            let missing = try await httpSend(base, body: body, headers: [])
            #expect(missing.status == 403)
            #expect(try missing.json() == NativeFixtures.json("gemini", "error-403-permission-denied.json"))

            let query = try await httpSend(base + "?key=AIza-in-url", body: body, headers: [])
            #expect(query.status == 200)
            #expect(await fake.requests().last?.path.hasSuffix(":generateContent?key=AIza-in-url") == true)

            let keyed = fake.baseURL(.gemini, knobs: "key=right") + "/models/gemini-2.5-flash:generateContent"
            let wrong = try await httpSend(keyed, body: body, headers: Self.headers)
            #expect(wrong.status == 400)
            #expect(try wrong.json() == NativeFixtures.json("gemini", "error-400-api-key-invalid.json"))
            #expect(try await httpSend(keyed, body: body, headers: [("x-goog-api-key", "right")]).status == 200)

            let empty = try await httpSend(base, body: #"{"contents":[]}"#, headers: Self.headers)
            #expect(try empty.json() == NativeFixtures.json("gemini", "error-400-invalid-argument.json"))

            let models = try await httpSend(fake.baseURL(.gemini) + "/models", method: "GET", headers: Self.headers)
            #expect(try models.json() == NativeFixtures.json("gemini", "models-list.json"))
        }
    }

    @Test func errorsFollowTheFixtures() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"contents":[{"parts":[{"text":"hi"}]}]}"#
            func call(_ knobs: String) async throws -> RawReply {
                try await httpSend(fake.baseURL(.gemini, knobs: knobs) + "/models/gemini-2.5-flash:generateContent", body: body, headers: Self.headers)
            }
            let exhausted = try await call("status=429")
            #expect(exhausted.status == 429)
            #expect(exhausted.header("retry-after") == nil)
            let fixture = try NativeFixtures.json("gemini", "error-429-resource-exhausted.json")
            #expect(try exhausted.json().shape() == fixture.shape())
            #expect(try exhausted.json()["error"]?["details"]?[2]?["retryDelay"]?.string == "1s")
            #expect(try await call("status=429,retry_after=9").json()["error"]?["details"]?[2]?["retryDelay"]?.string == "9s")
            #expect(try await call("status=429,retry_after=none").json()["error"]?["details"]?.array?.count == 2)

            for (status, file) in [
                (503, "error-503-unavailable.json"), (500, "error-500-internal.json"), (404, "error-404-not-found.json"),
                (504, "error-504-deadline-exceeded.json"), (403, "error-403-permission-denied.json"),
            ] {
                let reply = try await call("status=\(status)")
                #expect(reply.status == status)
                #expect(try reply.json() == NativeFixtures.json("gemini", file))
            }
        }
    }

    @Test func midstreamErrorAndArrayMode() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"contents":[{"parts":[{"text":"Why is the sky blue?"}]}]}"#
            let reply = try await httpSend(
                fake.baseURL(.gemini, knobs: "midstream_error=1") + "/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                body: body,
                headers: Self.headers
            )
            let events = parseSSE(reply.text, lineEnding: "\r\n")
            let fixture = parseSSE(try NativeFixtures.text("gemini", "stream-error-midstream.txt"), lineEnding: "\r\n")
            #expect(events.count == 2)
            #expect(events.last?.data == fixture.last?.data)
            #expect(try events[0].json().shape(opaque: ["usageMetadata"]) == fixture[0].json().shape(opaque: ["usageMetadata"]))

            // Without alt=sse the chunks form one JSON array.
            let array = try await httpSend(
                fake.baseURL(.gemini, knobs: "chunks=4") + "/models/gemini-2.5-flash:streamGenerateContent",
                body: body,
                headers: Self.headers
            )
            let chunks = try #require(try array.json().array)
            #expect(chunks.count == 4)
            #expect(chunks.last?["candidates"]?[0]?["finishReason"]?.string == "STOP")
        }
    }
}
