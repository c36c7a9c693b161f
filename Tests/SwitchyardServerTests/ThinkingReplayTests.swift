import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer
import SwitchyardConfig

/// Issue 11 §3 for Anthropic thinking: a client that rebuilds its history from a tool call's id, name and
/// arguments drops the signed thinking block. Anthropic (and Claude on Bedrock) then refuse a thinking request
/// (the fake enforces this as the API does); the gateway sends that turn without thinking and says so.
@Suite struct ThinkingReplayTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          anthropic: { api_key: sk-ant-test, base_url: "\(fake.baseURL(.anthropic))" }
          bedrock: { api_key: k-bedrock, region: us-east-1, base_url: "\(fake.baseURL(.bedrock))" }
        """
    }

    static let tools =
        #""tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]"#

    static func firstTurn(_ model: String) -> String {
        #"{"model":"\#(model)","reasoning_effort":"high","max_tokens":2000,\#(tools),"messages":[{"role":"user","content":"Rome"}]}"#
    }

    /// The second turn; `assistant` is the assistant message as the client echoes it.
    static func secondTurn(_ model: String, assistant: JSONValue, callID: String) -> String {
        let messages: JSONValue = [
            ["role": "user", "content": "Rome"], assistant,
            ["role": "tool", "tool_call_id": .string(callID), "content": "sunny"],
        ]
        return #"{"model":"\#(model)","reasoning_effort":"high","max_tokens":2000,\#(tools),"messages":\#(JSON.encodeString(messages))}"#
    }

    static func lastBody(_ h: GatewayHarness) async throws -> JSONValue {
        let request = try #require(await h.fake.requests().last)
        return try JSON.parse(request.body)
    }

    @Test(arguments: ["anthropic/claude-sonnet-4-5", "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0"])
    func toolLoopWithoutItsThinkingBlockIsSentWithoutThinking(model: String) async throws {
        try await GatewayHarness.run(Self.config) { h in
            let first = try await h.request("/v1/chat/completions", body: Self.firstTurn(model))
            #expect(first.status == 200, "\(first.text)")
            let message = try #require(first.json["choices"]?.arrayValue?.first?["message"])
            let call = try #require(message["tool_calls"]?.arrayValue?.first, "\(first.text)")
            let callID = try #require(call["id"]?.stringValue)
            #expect(message["reasoning_details"]?.arrayValue?.isEmpty == false, "the provider thought: \(first.text)")

            // Echoed whole (reasoning_details included): thinking goes out again, nothing adjusted.
            let whole = try await h.request(
                "/v1/chat/completions", body: Self.secondTurn(model, assistant: message, callID: callID))
            #expect(whole.status == 200, "\(whole.text)")
            #expect(whole.header("x-switchyard-adjusted") == nil)
            let wholeBody = try await Self.lastBody(h)
            #expect((wholeBody["thinking"] ?? wholeBody["additionalModelRequestFields"]?["thinking"]) != nil, "\(wholeBody)")

            // Rebuilt from id, name and arguments only: thinking is off for this turn, and the answer says so.
            let rebuilt: JSONValue = [
                "role": "assistant", "content": .null,
                "tool_calls": [["id": .string(callID), "type": "function", "function": call["function"] ?? .null]],
            ]
            let answer = try await h.request(
                "/v1/chat/completions", body: Self.secondTurn(model, assistant: rebuilt, callID: callID))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("x-switchyard-adjusted") == "thinking")
            #expect(answer.json["choices"]?.arrayValue?.first?["finish_reason"] == "stop")
            let body = try await Self.lastBody(h)
            #expect(body["thinking"] == nil && body["additionalModelRequestFields"]?["thinking"] == nil, "\(body)")
        }
    }

    @Test func theFakeRefusesSuchATurnAsAnthropicDoes() async throws {
        try await GatewayHarness.run(Self.config) { h in
            // Straight to the fake, as a client of Anthropic's own API would send it.
            var request = HTTPClientRequest(url: h.fake.baseURL(.anthropic) + "/v1/messages")
            request.method = .POST
            request.headers.add(name: "x-api-key", value: "sk-ant-test")
            request.headers.add(name: "anthropic-version", value: "2023-06-01")
            request.headers.add(name: "content-type", value: "application/json")
            let body = #"{"model":"claude-sonnet-4-5","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":1024},"tools":[{"name":"get_weather","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"Rome"},{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"sunny"}]}]}"#
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await h.http.execute(request, timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status.code == 400)
            #expect(text.contains("a final `assistant` message must start with a thinking block"), "\(text)")
        }
    }
}
