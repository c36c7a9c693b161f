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

    /// What a body reader has seen so far, shared between the reading task and the test.
    actor Received {
        private(set) var text = ""
        /// nil while the body is open; true when it ended normally, false when it failed.
        private(set) var ended: Bool?

        func append(_ part: String) { self.text += part }
        func end(normally: Bool) { self.ended = normally }
        var hasEventOrEnded: Bool { self.text.contains("\n\n") || self.ended != nil }
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    static func eventually(
        within timeout: Duration = .seconds(10), _ condition: @Sendable () async -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return await condition()
    }

    @Test func hangAndHangAfterStall() async throws {
        try await FakeProviderServer().withRunning { fake in
            // hang=1: the request is received (recorded) but no answer head ever comes.
            var request = HTTPClientRequest(url: fake.baseURL(.gemini, knobs: "hang=1") + "/models/m:generateContent")
            request.method = .POST
            request.headers.add(name: "x-goog-api-key", value: "k")
            request.body = .bytes(ByteBuffer(string: #"{"contents":[{"parts":[{"text":"hi"}]}]}"#))
            let hanging = request
            let hung = Task { try await HTTPClient.shared.execute(hanging, timeout: .seconds(30)) }
            let arrived = await Self.eventually { await fake.requests().contains { $0.path.contains("/hang=1/") } }
            #expect(arrived, "the hanging request reached the fake")
            // A later exchange with the same server completes while the first still has no answer.
            #expect(try await httpSend(fake.url + "/_fake/health", method: "GET", headers: []).status == 200)
            hung.cancel()
            await #expect(throws: (any Error).self, "no answer came before the client gave up") {
                _ = try await hung.value
            }

            // hang_after=1: exactly one event, then the stream stays open until the client leaves.
            var streaming = HTTPClientRequest(url: fake.baseURL(.cohere, knobs: "hang_after=1") + "/v2/chat")
            streaming.method = .POST
            streaming.headers.add(name: "authorization", value: "Bearer k")
            streaming.body = .bytes(ByteBuffer(string: #"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#))
            let response = try await HTTPClient.shared.execute(streaming, timeout: .seconds(5))
            #expect(response.status == .ok)
            let received = Received()
            // The request deadline does not cover the body: read in a task, cancelled below.
            let reader = Task {
                do {
                    for try await part in response.body { await received.append(String(buffer: part)) }
                    await received.end(normally: true)
                } catch {
                    await received.end(normally: false)
                }
            }
            let firstEvent = await Self.eventually { await received.hasEventOrEnded }
            #expect(firstEvent, "the first event arrived")
            // Without the stall the rest of the stream follows at once; a round trip to the same server
            // gives it the chance to show up before looking again.
            #expect(try await httpSend(fake.url + "/_fake/health", method: "GET", headers: []).status == 200)
            #expect(await received.ended == nil, "the stream is still open after its first event")
            #expect(parseSSE(await received.text).map(\.name) == ["message-start"])
            reader.cancel()
            let closed = await Self.eventually { await received.ended != nil }
            #expect(closed, "cancelling the reader ends the body")
            #expect(await received.ended == false, "the stalled stream never ends normally")
            #expect(parseSSE(await received.text).map(\.name) == ["message-start"])
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
