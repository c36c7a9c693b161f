import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Bad input, auth, upstream error mapping, failover and timeouts through the real server.
@Suite struct ErrorHandlingTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        limits: { max_body_bytes: 4096 }
        providers:
          openai: { api_key: sk-secret-provider-key, base_url: "\(fake.baseURL(.openai))" }
          limited: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=429"))" }
          hinted: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=429,retry_after=7"))" }
          quota: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=429,error=insufficient_quota"))" }
          badkey: { kind: openai, api_key: sk-secret-provider-key, base_url: "\(fake.baseURL(.openai, knobs: "status=401"))" }
          broken: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=500"))" }
          busy: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=503"))" }
          slow: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "latency=3000"))", timeouts: { first_byte: "300ms" } }
          dead: { kind: openai, api_key: k, base_url: "http://127.0.0.1:9/v1" }
        models:
          - name: resilient
            to: broken/gpt-4o-mini
            fallbacks: [dead/gpt-4o-mini, openai/gpt-4o-mini]
          - name: strict
            to: limited/gpt-4o-mini
            fallbacks: [openai/gpt-4o-mini]
            retry: { on: [server_error] }

        """
    }

    static func expectOpenAIError(_ answer: GatewayHarness.Answer, status: Int, type: String? = nil, code: String? = nil) {
        #expect(answer.status == status, "\(answer.text)")
        let error = answer.json["error"]
        #expect(error?["message"]?.stringValue?.isEmpty == false, "\(answer.text)")
        if let type { #expect(error?["type"]?.stringValue == type, "\(answer.text)") }
        if let code { #expect(error?["code"]?.stringValue == code, "\(answer.text)") }
        #expect(answer.header("x-request-id") != nil)
    }

    @Test func authenticationFailures() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let missing = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("gpt-4o"), key: nil)
            Self.expectOpenAIError(missing, status: 401, type: "invalid_request_error", code: "missing_api_key")
            // The whole body, as OpenAI shapes it: exactly these four members, `param` null.
            #expect(
                missing.json
                    == [
                        "error": [
                            "message": "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                            "type": "invalid_request_error", "param": nil, "code": "missing_api_key",
                        ]
                    ], "\(missing.text)")
            #expect(missing.header("content-type") == "application/json")
            #expect(missing.header("x-should-retry") == "false", "a missing key is not fixed by retrying")
            #expect(missing.header("retry-after") == nil)
            #expect(missing.header("x-switchyard-provider") == nil)
            let wrong = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("gpt-4o"), key: "sk-nope")
            Self.expectOpenAIError(wrong, status: 401, type: "invalid_request_error", code: "invalid_api_key")
            #expect(
                wrong.json
                    == [
                        "error": [
                            "message": "Incorrect API key provided.", "type": "invalid_request_error", "param": nil,
                            "code": "invalid_api_key",
                        ]
                    ], "\(wrong.text)")
            #expect(!wrong.text.contains("sk-nope"), "the presented key is not echoed")
            let models = try await h.get("/v1/models", key: "sk-nope")
            Self.expectOpenAIError(models, status: 401, type: "invalid_request_error", code: "invalid_api_key")
            let modelsNoKey = try await h.get("/v1/models", key: nil)
            Self.expectOpenAIError(modelsNoKey, status: 401, type: "invalid_request_error", code: "missing_api_key")
            #expect(await h.fake.requests().isEmpty, "nothing reached a provider")
        }
    }

    @Test func badInputGetsClearErrors() async throws {
        try await GatewayHarness.run(Self.config) { h in
            Self.expectOpenAIError(
                try await h.request("/v1/chat/completions", body: #"{"model": "gpt-4o", "messages": [}"#), status: 400,
                type: "invalid_request_error", code: "invalid_json")
            Self.expectOpenAIError(try await h.request("/v1/chat/completions", body: "not json"), status: 400)
            Self.expectOpenAIError(try await h.request("/v1/chat/completions", body: "[1,2]"), status: 400)
            let noModel = try await h.request("/v1/chat/completions", body: #"{"messages":[]}"#)
            Self.expectOpenAIError(noModel, status: 400)
            #expect(noModel.json["error"]?["param"] == "model")
            let noMessages = try await h.request("/v1/chat/completions", body: #"{"model":"gpt-4o"}"#)
            #expect(noMessages.json["error"]?["param"] == "messages")
            let numericModel = try await h.request("/v1/chat/completions", body: #"{"model":42,"messages":[]}"#)
            Self.expectOpenAIError(numericModel, status: 400)
            let oversized = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("gpt-4o", String(repeating: "x", count: 5000)))
            Self.expectOpenAIError(oversized, status: 413)
            let unknown = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("gpt-9-ultra"))
            Self.expectOpenAIError(unknown, status: 404, code: "model_not_found")
            #expect(unknown.json["error"]?["message"]?.stringValue?.contains("provider/model") == true)
            #expect(unknown.header("x-should-retry") == "false")
            #expect(await h.fake.requests().isEmpty, "nothing reached a provider")
        }
    }

    @Test func upstreamErrorsAreMapped() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let limited = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("limited/gpt-4o-mini"))
            Self.expectOpenAIError(limited, status: 429, type: "requests", code: "rate_limit_exceeded")
            // A bare 429 is openai/error-429-rate-limit.json with its headers (`retry-after: 2`); the
            // `retry_after` knob sets another value.
            #expect(limited.header("retry-after") == "2", "retry-after relayed")
            #expect(limited.header("x-switchyard-provider") == "limited")
            let hinted = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("hinted/gpt-4o-mini"))
            Self.expectOpenAIError(hinted, status: 429, type: "requests", code: "rate_limit_exceeded")
            #expect(hinted.header("retry-after") == "7", "the provider's own retry-after, not a default")
            #expect(hinted.header("x-switchyard-provider") == "hinted")
            let quota = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("quota/gpt-4o-mini"))
            Self.expectOpenAIError(quota, status: 429, code: "insufficient_quota")
            #expect(quota.header("x-should-retry") == "false")
            let badKey = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("badkey/gpt-4o-mini"))
            Self.expectOpenAIError(badKey, status: 502, code: "upstream_auth_failed")
            #expect(!badKey.text.contains("sk-secret"), "provider key never reaches the client")
            let broken = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("broken/gpt-4o-mini"))
            Self.expectOpenAIError(broken, status: 502, type: "server_error")
            let busy = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("busy/gpt-4o-mini"))
            Self.expectOpenAIError(busy, status: 503, code: "overloaded")
            let dead = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("dead/gpt-4o-mini"))
            Self.expectOpenAIError(dead, status: 502, code: "upstream_error")
            #expect(!dead.text.contains("127.0.0.1:9"), "upstream URL not revealed")
        }
    }

    @Test func timeoutBeforeFirstByteIs504() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("slow/gpt-4o-mini"))
            Self.expectOpenAIError(answer, status: 504, code: "timeout")
        }
    }

    @Test func failoverTriesTheNextDeployment() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("resilient"))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("x-switchyard-provider") == "openai")
            #expect(answer.header("x-switchyard-attempts") == "3")
            // rate_limit is not in this model's retry classes: no failover, the 429 is final.
            let strict = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("strict"))
            #expect(strict.status == 429)
            #expect(strict.header("x-switchyard-attempts") == "1")
        }
    }
}
