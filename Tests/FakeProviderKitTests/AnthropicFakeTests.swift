import FakeProviderKit
import Foundation
import Testing

/// The fake Anthropic Messages API, end to end, checked against `Fixtures/providers/anthropic`.
@Suite struct AnthropicFakeTests {
    static let headers = [("x-api-key", "sk-ant-test"), ("anthropic-version", "2023-06-01"), ("content-type", "application/json")]
    static let bearer = [("authorization", "Bearer sk-ant-test"), ("anthropic-version", "2026-10-21")]

    @Test func messageHasTheFixtureShape() async throws {
        try await FakeProviderServer().withRunning { fake in
            let request = try NativeFixtures.text("anthropic", "messages-request-basic.json")
            let reply = try await httpSend(fake.baseURL(.anthropic) + "/v1/messages", body: request, headers: Self.headers)
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json")
            #expect(reply.header("request-id")?.hasPrefix("req_011C") == true)
            #expect(reply.header("anthropic-ratelimit-requests-limit") == "4000")
            let body = try reply.json()
            let fixture = try NativeFixtures.json("anthropic", "messages-response-basic.json")
            #expect(body.shape() == fixture.shape())
            #expect(body["id"]?.string?.hasPrefix("msg_01") == true)
            #expect(body["content"]?[0]?["text"]?.string == "Echo: Why is the sky blue?")
            #expect(body["stop_reason"]?.string == "end_turn")
            // 9 words of system + 2 + 5 + 5 in the messages, + 1.
            #expect(body["usage"]?["input_tokens"]?.int == 22)
            #expect(body["usage"]?["output_tokens"]?.int == 6)
        }
    }

    @Test func keysAndVersionAreChecked() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.anthropic) + "/v1/messages"
            let body = #"{"model":"claude-sonnet-4-6","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"#
            #expect(try await httpSend(url, body: body, headers: Self.bearer).status == 200)

            let unversioned = try await httpSend(url, body: body, headers: [("x-api-key", "k")])
            #expect(unversioned.status == 400)
            #expect(try unversioned.json()["error"]?["type"]?.string == "invalid_request_error")
            #expect(try unversioned.json()["error"]?["message"]?.string == "anthropic-version: header is required")

            let keyless = try await httpSend(url, body: body, headers: [("anthropic-version", "2023-06-01")])
            #expect(keyless.status == 401)
            #expect(try keyless.json()["error"]?["type"]?.string == "authentication_error")

            let keyed = fake.baseURL(.anthropic, knobs: "key=right") + "/v1/messages"
            let wrong = try await httpSend(keyed, body: body, headers: Self.headers)
            #expect(wrong.status == 401)
            #expect(try wrong.json().shape() == NativeFixtures.json("anthropic", "error-401-authentication.json").shape())
            #expect(try wrong.json()["request_id"]?.string == wrong.header("request-id"))
            let right = try await httpSend(keyed, body: body, headers: [("authorization", "Bearer right"), ("anthropic-version", "2023-06-01")])
            #expect(right.status == 200)
        }
    }

    @Test func samplingParametersFollowTheAPIVersion() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.anthropic) + "/v1/messages"
            let body = #"{"model":"claude-haiku-4-5","max_tokens":16,"temperature":0.7,"messages":[{"role":"user","content":"hi"}]}"#
            let rejected = try await httpSend(url, body: body, headers: Self.bearer)
            #expect(rejected.status == 400)
            let fixture = try NativeFixtures.json("anthropic", "error-400-temperature-removed.json")
            #expect(try rejected.json()["error"] == fixture["error"])
            #expect(try await httpSend(url, body: body, headers: Self.headers).status == 200)

            let missing = try await httpSend(url, body: #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, headers: Self.headers)
            #expect(missing.status == 400)
            #expect(try missing.json()["error"]?["message"]?.string == "max_tokens: Field required")
            let empty = try await httpSend(url, body: #"{"model":"m","max_tokens":8,"messages":[]}"#, headers: Self.headers)
            #expect(empty.status == 400)
        }
    }

    @Test func textStreamMatchesTheFixture() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.anthropic) + "/v1/messages",
                body: #"{"model":"claude-sonnet-4-6","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Why is the sky blue?"}]}"#,
                headers: Self.headers
            )
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "text/event-stream; charset=utf-8")
            #expect(reply.text.hasSuffix("data: {\"type\":\"message_stop\"}\n\n"))
            #expect(!reply.text.contains("[DONE]"))
            let events = parseSSE(reply.text)
            let fixture = parseSSE(try NativeFixtures.text("anthropic", "messages-stream-text.txt"))
            // Three text chunks by default, as in the fixture: the same events in the same order.
            #expect(events.map(\.name) == fixture.map(\.name))
            for (ours, theirs) in zip(events, fixture) {
                #expect(try ours.json().shape() == theirs.json().shape(), "\(ours.name ?? "")")
                #expect(try ours.json()["type"]?.string == ours.name)
            }
            let text = try events.compactMap { try $0.json()["delta"]?["text"]?.string }.joined()
            #expect(text == "Echo: Why is the sky blue?")
            let delta = try #require(try events.last { $0.name == "message_delta" }?.json())
            #expect(delta["usage"]?["output_tokens"]?.int == 6)
        }
    }

    @Test func thinkingStreamMatchesTheFixture() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.anthropic, knobs: "chunks=2") + "/v1/messages",
                body: #"{"model":"claude-opus-4-7","max_tokens":64,"stream":true,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"walk?"}]}"#,
                headers: Self.bearer
            )
            let events = parseSSE(reply.text)
            // The fixture also has a redacted_thinking block (index 1), which the fake never sends.
            let fixture = try parseSSE(try NativeFixtures.text("anthropic", "messages-stream-thinking.txt")).filter { event in
                try event.json()["index"]?.int != 1
            }
            #expect(events.map(\.name) == fixture.map(\.name))
            for (ours, theirs) in zip(events, fixture) {
                #expect(try ours.json().shape() == theirs.json().shape(), "\(ours.name ?? "")")
            }
            let signature = try #require(try events.compactMap { try $0.json()["delta"]?["signature"]?.string }.first)
            #expect(signature.hasPrefix("EqQD") && signature.count > 100)
            let blocks = try events.compactMap { try $0.json()["content_block"]?["type"]?.string }
            #expect(blocks == ["thinking", "text"])
        }
    }

    @Test func toolUseStreamsInputFragmentsAndToolResultsGetText() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.anthropic) + "/v1/messages"
            let tools = #""tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]"#
            let reply = try await httpSend(
                url,
                body: #"{"model":"claude-sonnet-4-6","max_tokens":64,"stream":true,\#(tools),"messages":[{"role":"user","content":"Paris"}]}"#,
                headers: Self.headers
            )
            let events = parseSSE(reply.text)
            // The fixture opens with a text block the fake leaves out; pings may sit anywhere.
            let fixture = try parseSSE(try NativeFixtures.text("anthropic", "messages-stream-tool-use.txt")).filter { event in
                try event.json()["index"]?.int != 0 && event.name != "ping"
            }
            let ours = events.filter { $0.name != "ping" }
            #expect(collapse(ours.map(\.name)) == collapse(fixture.map(\.name)))
            let shapes = try Dictionary(fixture.map { (try $0.json().kind, try $0.json().shape()) }, uniquingKeysWith: { first, _ in first })
            for event in ours {
                let json = try event.json()
                #expect(json.shape() == shapes[json.kind], "\(json.kind)")
            }
            #expect(events[2].name == "ping")
            let start = try #require(try events.first { $0.name == "content_block_start" }?.json()["content_block"])
            #expect(start["id"]?.string?.hasPrefix("toolu_01") == true)
            #expect(start["name"]?.string == "get_weather")
            let input = try events.compactMap { try $0.json()["delta"]?["partial_json"]?.string }
            #expect(input.first == "")
            #expect(input.joined() == #"{"city":"Paris"}"#)
            let delta = try #require(try events.last { $0.name == "message_delta" }?.json())
            #expect(delta["delta"]?["stop_reason"]?.string == "tool_use")

            // Answering the call: text again, echoing the user's words.
            let followUp = #"""
                {"model":"claude-sonnet-4-6","max_tokens":64,\#(tools),"messages":[
                 {"role":"user","content":"Paris"},
                 {"role":"assistant","content":[{"type":"tool_use","id":"toolu_01x","name":"get_weather","input":{"city":"Paris"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01x","content":"18 C"}]}]}
                """#
            let answer = try await httpSend(url, body: followUp, headers: Self.headers).json()
            #expect(answer["stop_reason"]?.string == "end_turn")
            #expect(answer["content"]?[0]?["text"]?.string == "Echo: Paris")

            let json = try await httpSend(
                url,
                body: #"{"model":"claude-sonnet-4-6","max_tokens":64,\#(tools),"messages":[{"role":"user","content":"Paris"}]}"#,
                headers: Self.headers
            ).json()
            let fixtureBlock = try NativeFixtures.json("anthropic", "messages-response-tool-use.json")["content"]?[1]
            #expect(json["content"]?[0]?.shape(opaque: ["input"]) == fixtureBlock?.shape(opaque: ["input"]))
            #expect(json["content"]?[0]?["input"] == .object([.init(key: "city", value: .string("Paris"))]))
        }
    }

    @Test func errorsFollowTheFixtures() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"#
            let overloaded = try await httpSend(fake.baseURL(.anthropic, knobs: "status=529") + "/v1/messages", body: body, headers: Self.headers)
            #expect(overloaded.status == 529)
            #expect(overloaded.header("x-should-retry") == "true")
            let fixture = try NativeFixtures.json("anthropic", "error-529-overloaded.json")
            #expect(try overloaded.json()["error"] == fixture["error"])
            #expect(try overloaded.json().keys == fixture.keys)

            let limited = try await httpSend(fake.baseURL(.anthropic, knobs: "status=429") + "/v1/messages", body: body, headers: Self.headers)
            #expect(limited.status == 429)
            #expect(limited.header("retry-after") == "1")
            #expect(try limited.json()["error"]?["type"]?.string == "rate_limit_error")
            let slower = try await httpSend(fake.baseURL(.anthropic, knobs: "status=429,retry_after=7") + "/v1/messages", body: body, headers: Self.headers)
            #expect(slower.header("retry-after") == "7")

            let spend = try await httpSend(fake.baseURL(.anthropic, knobs: "error=spend_limit") + "/v1/messages", body: body, headers: Self.headers)
            #expect(spend.status == 429)
            #expect(try spend.json()["error"] == NativeFixtures.json("anthropic", "error-429-spend-limit.json")["error"])

            for status in [400, 401, 403, 404, 413, 500, 504] {
                let reply = try await httpSend(fake.baseURL(.anthropic, knobs: "status=\(status)") + "/v1/messages", body: body, headers: Self.headers)
                #expect(reply.status == status)
                #expect(try reply.json()["type"]?.string == "error")
            }

            let badKnob = try await httpSend(fake.baseURL(.anthropic, knobs: "error=insufficient_quota") + "/v1/messages", body: body, headers: Self.headers)
            #expect(badKnob.status == 400)
            #expect(try badKnob.json()["error"]?["type"]?.string == "invalid_request_error")
        }
    }

    @Test func midstreamErrorIsAnErrorEvent() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.anthropic, knobs: "midstream_error=4") + "/v1/messages",
                body: #"{"model":"m","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#,
                headers: Self.headers
            )
            let events = parseSSE(reply.text)
            let fixture = parseSSE(try NativeFixtures.text("anthropic", "messages-stream-error-overloaded.txt"))
            #expect(events.map(\.name) == fixture.map(\.name))
            #expect(events.last?.data == fixture.last?.data)
            #expect(!reply.text.contains("message_stop"))
        }
    }

    @Test func countTokensAndModels() async throws {
        try await FakeProviderServer().withRunning { fake in
            let count = try await httpSend(
                fake.baseURL(.anthropic) + "/v1/messages/count_tokens",
                body: try NativeFixtures.text("anthropic", "count-tokens-request.json"),
                headers: Self.bearer
            )
            #expect(count.status == 200)
            // "Be brief." + "Why is the sky blue?" + 1.
            #expect(try count.json() == .object([.init(key: "input_tokens", value: .number(8))]))

            let models = try await httpSend(fake.baseURL(.anthropic) + "/v1/models", method: "GET", headers: Self.headers)
            #expect(try models.json() == NativeFixtures.json("anthropic", "models-list.json"))

            let unknown = try await httpSend(fake.baseURL(.anthropic) + "/v1/chat/completions", body: "{}", headers: Self.headers)
            #expect(unknown.status == 404)
            #expect(try unknown.json()["error"]?["type"]?.string == "not_found_error")
        }
    }
}

/// Consecutive repeats folded into one, to compare event grammars whose chunk counts differ.
func collapse(_ names: [String?]) -> [String?] {
    names.reduce(into: []) { result, name in
        if result.last != name { result.append(name) }
    }
}

extension WireJSON {
    /// An event's kind: its `type`, refined by the block or delta type it carries.
    var kind: String {
        let type = self["type"]?.string ?? ""
        let detail = self["delta"]?["type"]?.string ?? self["content_block"]?["type"]?.string
        return detail.map { type + "/" + $0 } ?? type
    }
}
