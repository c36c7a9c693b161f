@testable import FakeProviderKit
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// Knobs shared with the OpenAI fakes, applied to the native dialects.
@Suite struct NativeKnobTests {
    @Test func basePathsHaveTheRealBaseURLShapes() {
        #expect(FakeProvider.anthropic.basePath() == "/anthropic")
        #expect(FakeProvider.gemini.basePath(knobs: "status=503") == "/gemini/status=503/v1beta")
        #expect(FakeProvider.bedrock.basePath() == "/bedrock")
        #expect(FakeProvider.cohere.basePath(knobs: "chunks=2") == "/cohere/chunks=2")
        #expect(FakeProvider.cohere.dialect == .cohere)
        #expect(FakeProvider.groq.dialect == .openAI)
    }

    @Test func nativeRoutes() throws {
        #expect(try Route.parse(method: "POST", path: "/anthropic/v1/messages", query: nil).endpoint == .anthropicMessages)
        #expect(try Route.parse(method: "POST", path: "/anthropic/v1/messages/count_tokens", query: nil).endpoint == .anthropicCountTokens)
        let stream = try Route.parse(method: "POST", path: "/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent", query: "alt=sse")
        #expect(stream.endpoint == .geminiGenerate(model: "gemini-2.5-flash", stream: .sse))
        let encoded = try Route.parse(method: "POST", path: "/gemini/v1/models/gemini-2.5-pro%3AgenerateContent", query: nil)
        #expect(encoded.endpoint == .geminiGenerate(model: "gemini-2.5-pro", stream: nil))
        #expect(try Route.parse(method: "POST", path: "/cohere/v2/chat", query: nil).endpoint == .cohereChat)
        #expect(throws: Route.Failure.notFound(.cohere)) {
            try Route.parse(method: "POST", path: "/cohere/v1/chat/completions", query: nil)
        }
        #expect(throws: Route.Failure.self) {
            try Route.parse(method: "POST", path: "/gemini/error=rate_limit/v1beta/models/m:generateContent", query: nil)
        }
        #expect(try Route.parse(method: "POST", path: "/gemini/error=resource_exhausted/v1beta/models/m:generateContent", query: nil).knobs.errorName == "resource_exhausted")
        #expect(try Route.parse(method: "POST", path: "/bedrock/sigv4_secret=a%2Fb/model/m/converse", query: nil).knobs.sigV4Secret == "a/b")
    }

    @Test func failFirstThenSuccessInTheNativeShape() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.anthropic, knobs: "fail_first=1,tag=ff") + "/v1/messages"
            let body = #"{"model":"m","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"#
            let headers = [("x-api-key", "k"), ("anthropic-version", "2023-06-01")]
            let first = try await httpSend(url, body: body, headers: headers)
            #expect(first.status == 500)
            #expect(try first.json()["error"]?["type"]?.string == "api_error")
            #expect(try await httpSend(url, body: body, headers: headers).status == 200)
        }
    }

    @Test func hangAndHangAfterStall() async throws {
        try await FakeProviderServer().withRunning { fake in
            var request = HTTPClientRequest(url: fake.baseURL(.gemini, knobs: "hang=1") + "/models/m:generateContent")
            request.method = .POST
            request.headers.add(name: "x-goog-api-key", value: "k")
            request.body = .bytes(ByteBuffer(string: #"{"contents":[{"parts":[{"text":"hi"}]}]}"#))
            await #expect(throws: (any Error).self) {
                _ = try await HTTPClient.shared.execute(request, timeout: .milliseconds(300))
            }

            var streaming = HTTPClientRequest(url: fake.baseURL(.cohere, knobs: "hang_after=1") + "/v2/chat")
            streaming.method = .POST
            streaming.headers.add(name: "authorization", value: "Bearer k")
            streaming.body = .bytes(ByteBuffer(string: #"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#))
            let response = try await HTTPClient.shared.execute(streaming, timeout: .seconds(5))
            // The request deadline does not cover the body: read in a task and give up after a while.
            let reader = Task { () -> (text: String, ended: Bool) in
                var received = ""
                do {
                    for try await part in response.body {
                        received += String(buffer: part)
                    }
                    return (received, true)
                } catch {
                    return (received, false)
                }
            }
            try await Task.sleep(for: .milliseconds(400))
            reader.cancel()
            let outcome = await reader.value
            #expect(!outcome.ended)
            #expect(parseSSE(outcome.text).map(\.name) == ["message-start"])
        }
    }

    @Test func requestsAreRecordedAndChunksSplitTheText() async throws {
        let server = FakeProviderServer()
        try await server.withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.anthropic, knobs: "chunks=5") + "/v1/messages",
                body: #"{"model":"m","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"one two three"}]}"#,
                headers: [("x-api-key", "sk-ant-x"), ("anthropic-version", "2023-06-01"), ("anthropic-beta", "b1")]
            )
            let texts = try parseSSE(reply.text).compactMap { try $0.json()["delta"]?["text"]?.string }
            #expect(texts.count == 5)
            #expect(texts.joined() == "Echo: one two three")
            let recorded = try #require(await fake.requests().last)
            #expect(recorded.path == "/anthropic/chunks=5/v1/messages")
            #expect(recorded.headers["x-api-key"] == "sk-ant-x")
            #expect(recorded.headers["anthropic-beta"] == "b1")
            #expect(recorded.bodyText.contains("one two three"))
        }
    }
}
