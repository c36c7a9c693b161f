import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Issue 11 §2: `parallel_tool_calls: false` (LangChain's structured output and forced tools send it) works on
/// providers without the switch. The provider here answers two calls anyway; the client gets the first only,
/// and `x-switchyard-adjusted` says the gateway kept the constraint itself.
@Suite struct AdjustedParametersTests {
    static let converseTwoCalls =
        #"{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"tooluse_first","name":"get_weather","input":{"city":"Rome"}}},{"toolUse":{"toolUseId":"tooluse_second","name":"get_time","input":{"zone":"CET"}}}]}},"stopReason":"tool_use","usage":{"inputTokens":10,"outputTokens":5,"totalTokens":15},"metrics":{"latencyMs":1}}"#
    static let cohereTwoCalls =
        #"{"id":"c1","finish_reason":"TOOL_CALL","message":{"role":"assistant","tool_plan":"Both.","tool_calls":[{"id":"get_weather_first","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}},{"id":"get_time_second","type":"function","function":{"name":"get_time","arguments":"{\"zone\":\"CET\"}"}}]},"usage":{"billed_units":{"input_tokens":10,"output_tokens":5},"tokens":{"input_tokens":10,"output_tokens":5}}}"#
    static let geminiTwoCalls =
        #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Rome"}}},{"functionCall":{"name":"get_time","args":{"zone":"CET"}}}]},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},"modelVersion":"gemini-2.5-flash","responseId":"r1"}"#

    static let scripts: [String: ScriptedProvider.Script] = [
        "bedrock": .init(chunks: [converseTwoCalls]),
        "cohere": .init(chunks: [cohereTwoCalls]),
        "gemini": .init(chunks: [geminiTwoCalls]),
        "gemini-stream": .init(contentType: "text/event-stream", chunks: ["data: \(geminiTwoCalls)\r\n\r\n"]),
    ]

    static func config(_ base: String) -> String {
        """
        providers:
          bedrock: { kind: bedrock, api_key: k-bedrock, region: us-east-1, base_url: "\(base)/bedrock" }
          cohere: { kind: cohere, api_key: k-cohere, base_url: "\(base)/cohere" }
          gemini: { kind: gemini, api_key: k-gemini, base_url: "\(base)/gemini/v1beta" }
          gemini-stream: { kind: gemini, api_key: k-gemini, base_url: "\(base)/gemini-stream/v1beta" }
        """
    }

    static let models = [
        "bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0", "cohere/command-a-03-2025", "gemini/gemini-2.5-flash",
    ]
    static let tools =
        #","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}]"#

    static func withGateway(_ body: @Sendable (GatewayHarness) async throws -> Void) async throws {
        try await ScriptedProvider.run(scripts) { base in try await GatewayHarness.run({ _ in config(base) }, body) }
    }

    static func callNames(_ answer: GatewayHarness.Answer) -> [String] {
        answer.json["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?
            .compactMap { $0["function"]?["name"]?.stringValue } ?? []
    }

    @Test func serialToolCallsKeepTheFirstCallAndSaySo() async throws {
        try await Self.withGateway { h in
            for model in Self.models {
                let serial = try await h.request(
                    "/v1/chat/completions",
                    body: GatewayHarness.chat(model, extra: Self.tools + #","parallel_tool_calls":false"#))
                #expect(serial.status == 200, "\(model): \(serial.text)")
                #expect(Self.callNames(serial) == ["get_weather"], "\(model): \(serial.text)")
                #expect(serial.header("x-switchyard-adjusted") == "parallel_tool_calls", "\(model)")
                #expect(serial.json["choices"]?.arrayValue?.first?["finish_reason"] == "tool_calls")

                let parallel = try await h.request(
                    "/v1/chat/completions", body: GatewayHarness.chat(model, extra: Self.tools))
                #expect(Self.callNames(parallel) == ["get_weather", "get_time"], "\(model): \(parallel.text)")
                #expect(parallel.header("x-switchyard-adjusted") == nil, "\(model)")
            }
        }
    }

    @Test func serialToolCallsInAStreamKeepTheFirstCall() async throws {
        try await Self.withGateway { h in
            let answer = try await h.request(
                "/v1/chat/completions",
                body: GatewayHarness.chat(
                    "gemini-stream/gemini-2.5-flash", extra: Self.tools + #","parallel_tool_calls":false,"stream":true"#))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("x-switchyard-adjusted") == "parallel_tool_calls")
            let chunks: [JSONValue] = GatewayHarness.events(answer.body).compactMap { try? JSON.parse($0) }
            let calls: [JSONValue] = chunks.flatMap { chunk -> [JSONValue] in
                chunk["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue ?? []
            }
            #expect(!calls.isEmpty, "\(answer.text)")
            #expect(calls.allSatisfy { $0["index"] == 0 }, "\(answer.text)")
            #expect(calls.compactMap { $0["function"]?["name"]?.stringValue } == ["get_weather"])
        }
    }

    @Test func anthropicClientsDisablingParallelToolUseGetOneBlock() async throws {
        try await Self.withGateway { h in
            let body = #"{"model":"bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0","max_tokens":100,"messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"auto","disable_parallel_tool_use":true},"tools":[{"name":"get_weather","input_schema":{"type":"object"}},{"name":"get_time","input_schema":{"type":"object"}}]}"#
            let answer = try await h.request("/v1/messages", body: body, headers: [("anthropic-version", "2023-06-01")])
            #expect(answer.status == 200, "\(answer.text)")
            let uses = answer.json["content"]?.arrayValue?.filter { $0["type"] == "tool_use" } ?? []
            #expect(uses.compactMap { $0["name"]?.stringValue } == ["get_weather"], "\(answer.text)")
            #expect(answer.header("x-switchyard-adjusted") == "parallel_tool_calls")
        }
    }
}
