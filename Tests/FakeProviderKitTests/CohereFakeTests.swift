import FakeProviderKit
import Foundation
import Testing

/// The fake Cohere v2 chat, end to end, checked against `Fixtures/providers/cohere`.
@Suite struct CohereFakeTests {
    static let headers = [("authorization", "Bearer co-test"), ("content-type", "application/json")]

    @Test func textAnswerHasTheFixtureShape() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.cohere) + "/v2/chat",
                body: #"{"model":"command-a-03-2025","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Paris?"}],"stream":false}"#,
                headers: Self.headers
            )
            #expect(reply.status == 200)
            let body = try reply.json()
            #expect(try body.shape() == NativeFixtures.json("cohere", "chat-response-text.json").shape())
            #expect(body["message"]?["content"]?[0]?["text"]?.string == "Echo: Weather in Paris?")
            #expect(body["finish_reason"]?.string == "COMPLETE")
            #expect(body["usage"]?["billed_units"]?["input_tokens"]?.int == 6)
            #expect(body["usage"]?["tokens"]?["input_tokens"]?.int == 506)
        }
    }

    @Test func toolCallsHaveTheFixtureShape() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.cohere) + "/v2/chat"
            let reply = try await httpSend(url, body: try NativeFixtures.text("cohere", "chat-request.json"), headers: Self.headers)
            let body = try reply.json()
            #expect(try body.shape() == NativeFixtures.json("cohere", "chat-response-tool-calls.json").shape())
            let call = try #require(body["message"]?["tool_calls"]?[0])
            #expect(call["id"]?.string?.hasPrefix("get_weather_") == true)
            #expect(call["function"]?["arguments"]?.string == #"{"city":"What's the weather in Paris?"}"#)
            #expect(body["finish_reason"]?.string == "TOOL_CALL")

            // The tool result comes back: text, echoing the user.
            let followUp = try await httpSend(url, body: try NativeFixtures.text("cohere", "chat-request-tool-result.json"), headers: Self.headers)
            #expect(try followUp.json()["message"]?["content"]?[0]?["text"]?.string == "Echo: What's the weather in Paris?")
            #expect(try followUp.json()["finish_reason"]?.string == "COMPLETE")
        }
    }

    @Test func streamsMatchTheFixtures() async throws {
        try await FakeProviderServer().withRunning { fake in
            let text = try await httpSend(
                fake.baseURL(.cohere, knobs: "chunks=2") + "/v2/chat",
                body: #"{"model":"command-a-03-2025","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}]}"#,
                headers: Self.headers
            )
            #expect(text.header("content-type") == "text/event-stream")
            #expect(!text.text.contains("[DONE]"))
            let events = parseSSE(text.text)
            let fixture = parseSSE(try NativeFixtures.text("cohere", "chat-stream-text.txt"))
            #expect(events.map(\.name) == fixture.map(\.name))
            for (ours, theirs) in zip(events, fixture) {
                #expect(try ours.json().shape() == theirs.json().shape(), "\(ours.name ?? "")")
                #expect(try ours.json()["type"]?.string == ours.name)
            }
            let joined = try events.compactMap { try $0.json()["delta"]?["message"]?["content"]?["text"]?.string }.joined()
            #expect(joined == "Echo: Weather in Paris?")

            let tools = try await httpSend(
                fake.baseURL(.cohere) + "/v2/chat",
                body: try NativeFixtures.text("cohere", "chat-request.json").replacingOccurrences(of: #""stream": false"#, with: #""stream": true"#),
                headers: Self.headers
            )
            let toolEvents = parseSSE(tools.text)
            let toolFixture = parseSSE(try NativeFixtures.text("cohere", "chat-stream-tool-calls.txt"))
            #expect(collapse(toolEvents.map(\.name)) == collapse(toolFixture.map(\.name)))
            var shapes: [String: String] = [:]
            for event in toolFixture where shapes[event.name ?? ""] == nil {
                shapes[event.name ?? ""] = try event.json().shape()
            }
            for event in toolEvents {
                #expect(try event.json().shape() == shapes[event.name ?? ""], "\(event.name ?? "")")
            }
            let arguments = try toolEvents.compactMap { try $0.json()["delta"]?["message"]?["tool_calls"]?["function"]?["arguments"]?.string }
            #expect(arguments.joined() == #"{"city":"What's the weather in Paris?"}"#)
        }
    }

    @Test func errorsAndMidstreamFailure() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"model":"command-a-03-2025","messages":[{"role":"user","content":"hi"}]}"#
            let keyless = try await httpSend(fake.baseURL(.cohere) + "/v2/chat", body: body, headers: [])
            #expect(keyless.status == 401)
            #expect(try keyless.json().keys == ["id", "message"])

            let limited = try await httpSend(fake.baseURL(.cohere, knobs: "status=429") + "/v2/chat", body: body, headers: Self.headers)
            #expect(limited.status == 429)
            let fixture = try NativeFixtures.json("cohere", "error-429.json")
            #expect(try limited.json().shape() == fixture.shape())
            #expect(try limited.json()["message"] == fixture["message"])

            let empty = try await httpSend(fake.baseURL(.cohere) + "/v2/chat", body: #"{"model":"m","messages":[]}"#, headers: Self.headers)
            #expect(empty.status == 400)
            #expect(try empty.json()["message"] == NativeFixtures.json("cohere", "error-400.json")["message"])

            let broken = try await httpSend(
                fake.baseURL(.cohere, knobs: "midstream_error=2") + "/v2/chat",
                body: #"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#,
                headers: Self.headers
            )
            let events = parseSSE(broken.text)
            #expect(events.map(\.name) == ["message-start", "content-start", "message-end"])
            #expect(try events.last?.json()["delta"]?["finish_reason"]?.string == "ERROR")
        }
    }
}
