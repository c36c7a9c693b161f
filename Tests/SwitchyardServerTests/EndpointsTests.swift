import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Models, embeddings, legacy completions, health and the Azure deployment URL.
@Suite struct EndpointsTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          openai: { api_key: sk-fake, base_url: "\(fake.baseURL(.openai))" }
          azure: { kind: azure-openai, api_key: az-key, api_version: "2024-10-21", base_url: "\(fake.baseURL(.azureOpenAI))" }
          local: { kind: vllm, base_url: "\(fake.baseURL(.vllm))" }
        models:
          - name: house-embed
            to: openai/text-embedding-3-small
          - name: corp-gpt
            to: azure/my-gpt4o-deployment

        """
    }

    @Test func healthAndReadinessNeedNoKey() async throws {
        try await GatewayHarness.run(Self.config) { h in
            #expect(try await h.get("/health", key: nil).status == 200)
            let ready = try await h.get("/ready", key: nil)
            #expect(ready.status == 200)
            #expect(ready.json["providers"]?.intValue == 3)
        }
    }

    @Test func modelListShowsConfiguredThenCatalogModels() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.get("/v1/models")
            #expect(answer.status == 200)
            #expect(answer.json["object"] == "list")
            let ids = answer.json["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(Array(ids.prefix(2)) == ["house-embed", "corp-gpt"])
            #expect(ids.contains("openai/gpt-4o"))
            #expect(ids.contains("openai/text-embedding-3-small"))
            #expect(answer.json["data"]?.arrayValue?.first?["object"] == "model")
        }
    }

    @Test func embeddingsFloatAndBase64() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request(
                "/v1/embeddings", body: #"{"model":"house-embed","input":["a b","c d"],"dimensions":4}"#)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["data"]?.arrayValue?.count == 2)
            #expect(answer.json["data"]?.arrayValue?.first?["embedding"]?.arrayValue?.count == 4)
            #expect(answer.header("x-switchyard-model") == "text-embedding-3-small")
            let b64 = try await h.request(
                "/v1/embeddings", body: #"{"model":"house-embed","input":"x","encoding_format":"base64"}"#)
            #expect(b64.json["data"]?.arrayValue?.first?["embedding"]?.stringValue != nil)
            let requestID = try #require(answer.header("x-request-id"))
            #expect(await h.records.record(for: requestID)?.usage.totalInput ?? 0 > 0)
            let missing = try await h.request("/v1/embeddings", body: #"{"model":"house-embed"}"#)
            #expect(missing.status == 400)
        }
    }

    @Test func legacyCompletions() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request(
                "/v1/completions", body: #"{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":16}"#)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.json["object"] == "text_completion")
            #expect(answer.json["choices"]?.arrayValue?.first?["text"]?.stringValue?.isEmpty == false)
            let stream = try await h.request(
                "/v1/completions", body: #"{"model":"local/my-model","prompt":"go","stream":true}"#)
            #expect(GatewayHarness.events(stream.body).last == "[DONE]")
        }
    }

    @Test func azureUsesDeploymentURLAndApiKeyHeader() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("corp-gpt"))
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("x-switchyard-provider") == "azure")
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.path.contains("/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2024-10-21"))
            #expect(seen.headers["api-key"] == "az-key")
            #expect(seen.headers["authorization"] == nil)
        }
    }

    @Test func insaneRequestIDsAreReplaced() async throws {
        try await GatewayHarness.run(Self.config) { h in
            let long = String(repeating: "a", count: 200)
            let answer = try await h.get("/v1/models", headers: [("x-request-id", long)])
            let id = try #require(answer.header("x-request-id"))
            #expect(id != long)
            #expect(id.hasPrefix("req_"))
        }
    }
}
