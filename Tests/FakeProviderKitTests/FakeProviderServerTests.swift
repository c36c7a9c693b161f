import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// End-to-end: start the fake on an ephemeral port and talk to it over HTTP.
@Suite struct FakeProviderServerTests {
    @Test func chatCompletionEchoesTheLastUserMessage() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await post(
                fake.baseURL(.openai) + "/chat/completions",
                #"{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello there"}]}"#
            )
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "x-request-id")?.hasPrefix("req_") == true)
            let body = try reply.json()
            #expect(body["object"] as? String == "chat.completion")
            #expect(body["model"] as? String == "gpt-4o")
            let choice = try #require((body["choices"] as? [[String: Any]])?.first)
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["content"] as? String == "Echo: hello there")
            #expect(message["refusal"] is NSNull)
            #expect(choice["finish_reason"] as? String == "stop")
            let usage = try #require(body["usage"] as? [String: Any])
            // 2 + 2 words in the messages, + 1.
            #expect(usage["prompt_tokens"] as? Int == 5)
            #expect(usage["completion_tokens"] as? Int == 3)
            #expect(usage["total_tokens"] as? Int == 8)
        }
    }

    @Test func streamFollowsTheOpenAIFraming() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await post(
                fake.baseURL(.openai, knobs: "chunks=4") + "/chat/completions",
                #"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"#
            )
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type") == "text/event-stream; charset=utf-8")
            let events = reply.sseData()
            #expect(events.last == "[DONE]")
            let chunks = try events.dropLast().map(parseJSON)
            // role, 4 content chunks, finish, usage.
            #expect(chunks.count == 7)
            let deltas = chunks.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]) }
            #expect(deltas.first?["role"] as? String == "assistant")
            #expect(deltas.compactMap { $0["content"] as? String }.joined() == "Echo: hi")
            #expect((chunks[5]["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "stop")
            #expect((chunks[6]["choices"] as? [Any])?.isEmpty == true)
            #expect((chunks[6]["usage"] as? [String: Any])?["total_tokens"] as? Int == 4)
            #expect(chunks[0]["usage"] is NSNull)
        }
    }

    @Test func usageStylesFollowTheProvider() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
            // DeepSeek: usage on the finish chunk, without being asked.
            let deepseek = try await post(fake.baseURL(.deepseek) + "/chat/completions", body).sseData()
            let deepseekFinish = try parseJSON(deepseek[deepseek.count - 2])
            #expect((deepseekFinish["usage"] as? [String: Any])?["prompt_cache_miss_tokens"] as? Int == 2)
            // Groq: inside x_groq.
            let groq = try await post(fake.baseURL(.groq) + "/chat/completions", body).sseData()
            let groqFinish = try parseJSON(groq[groq.count - 2])
            #expect(((groqFinish["x_groq"] as? [String: Any])?["usage"] as? [String: Any])?["total_tokens"] as? Int == 4)
            // OpenAI without include_usage: none at all; with usage_style=none either.
            let openai = try await post(fake.baseURL(.openai) + "/chat/completions", body).sseData()
            #expect(!openai.contains { $0.contains("usage") })
        }
    }

    @Test func statusKnobAnswersWithTheFixtureAndItsHeaders() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#
            let openai = try await post(fake.baseURL(.openai, knobs: "status=429") + "/chat/completions", body)
            #expect(openai.status == 429)
            #expect(openai.headers.first(name: "retry-after") == "2")
            #expect(openai.headers.first(name: "retry-after-ms") == "1220")
            let error = try #require(try openai.json()["error"] as? [String: Any])
            #expect(error["code"] as? String == "rate_limit_exceeded")

            let quota = try await post(fake.baseURL(.openai, knobs: "error=insufficient_quota,retry_after=none") + "/chat/completions", body)
            #expect(quota.status == 429)
            #expect(quota.headers.first(name: "retry-after") == nil)
            #expect((try quota.json()["error"] as? [String: Any])?["type"] as? String == "insufficient_quota")

            let openrouter = try await post(fake.baseURL(.openrouter, knobs: "status=503") + "/chat/completions", body)
            #expect(openrouter.status == 503)
            #expect((try openrouter.json()["error"] as? [String: Any])?["code"] as? Int == 503)

            let typo = try await post(fake.baseURL(.openai, knobs: "stauts=429") + "/chat/completions", body)
            #expect(typo.status == 400)
        }
    }

    @Test func failFirstFailsThenSucceeds() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.mistral, knobs: "fail_first=2,status=503") + "/chat/completions"
            let body = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#
            var statuses: [Int] = []
            for _ in 0..<3 {
                statuses.append(try await post(url, body).status)
            }
            #expect(statuses == [503, 503, 200])
        }
    }

    @Test func cutAfterDropsTheConnectionMidStream() async throws {
        try await FakeProviderServer().withRunning { fake in
            var request = HTTPClientRequest(url: fake.baseURL(.openai, knobs: "cut_after=2") + "/chat/completions")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer sk-test")
            request.body = .bytes(ByteBuffer(string: #"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 200)
            var received = ""
            await #expect(throws: (any Error).self) {
                for try await part in response.body {
                    received += String(buffer: part)
                }
            }
            #expect(received.components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }.count == 2)
            #expect(!received.contains("[DONE]"))
        }
    }

    @Test func midstreamErrorSendsAnErrorEventWithoutDone() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await post(
                fake.baseURL(.openai, knobs: "midstream_error=1") + "/chat/completions",
                #"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#
            )
            let events = reply.sseData()
            #expect(events.count == 2)
            #expect((try parseJSON(events[1])["error"] as? [String: Any])?["type"] as? String == "server_error")
        }
    }

    @Test func hangNeverAnswersButTheServerStaysUp() async throws {
        try await FakeProviderServer().withRunning { fake in
            var request = HTTPClientRequest(url: fake.baseURL(.openai, knobs: "hang=1") + "/chat/completions")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer sk-test")
            request.body = .bytes(ByteBuffer(string: #"{"model":"m","messages":[]}"#))
            await #expect(throws: (any Error).self) {
                _ = try await HTTPClient.shared.execute(request, timeout: .milliseconds(300))
            }
            let health = try await get(fake.url + "/_fake/health")
            #expect(health.status == 200)
        }
    }

    @Test func azureNeedsAnAPIKeyAndReportsTheDeployment() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.azureOpenAI) + "/openai/deployments/my-gpt/chat/completions?api-version=2024-10-21"
            let body = #"{"messages":[{"role":"user","content":"hi"}]}"#
            let bearer = try await post(url, body)
            #expect(bearer.status == 401)
            #expect((try bearer.json()["error"] as? [String: Any])?["code"] as? String == "401")

            let keyed = try await post(url, body, headers: [("api-key", "azure-key")])
            #expect(keyed.status == 200)
            let json = try keyed.json()
            #expect(json["model"] as? String == "my-gpt")
            #expect(json["prompt_filter_results"] is [Any])

            let stream = try await post(url, #"{"stream":true,"messages":[]}"#, headers: [("api-key", "azure-key")]).sseData()
            let first = try parseJSON(stream[0])
            #expect(first["id"] as? String == "")
            #expect((first["choices"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func embeddingsAreDeterministicInBothEncodings() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.openai) + "/embeddings"
            let floats = try await post(url, #"{"model":"text-embedding-3-small","input":["a b","c"],"dimensions":4}"#).json()
            let data = try #require(floats["data"] as? [[String: Any]])
            #expect(data.count == 2)
            let vector = try #require(data[0]["embedding"] as? [Double])
            #expect(vector.count == 4)
            #expect(abs(vector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)

            let encoded = try await post(url, #"{"model":"text-embedding-3-small","input":"a b","dimensions":4,"encoding_format":"base64"}"#).json()
            let text = try #require((encoded["data"] as? [[String: Any]])?.first?["embedding"] as? String)
            let bytes = try #require(Data(base64Encoded: text))
            let decoded = stride(from: 0, to: bytes.count, by: 4).map { offset in
                Float(bitPattern: bytes[offset..<offset + 4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            }
            #expect(decoded == vector.map { Float($0) })
        }
    }

    @Test func toolCallsStreamAsFragments() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"""
                {"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Paris"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}
                """#
            let events = try await post(fake.baseURL(.openai) + "/chat/completions", body).sseData()
            let calls = try events.dropLast().map(parseJSON).compactMap {
                ((($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first
            }
            let id = try #require(calls.first?["id"] as? String)
            #expect(id.hasPrefix("call_") && id.count == 29)
            let arguments = calls.compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }.joined()
            #expect(arguments == #"{"city":"Paris"}"#)
        }
    }

    @Test func requestsAreRecorded() async throws {
        let server = FakeProviderServer()
        try await server.withRunning { fake in
            _ = try await post(fake.baseURL(.vllm) + "/completions", #"{"model":"m","prompt":"x"}"#, headers: [("X-Trace", "t1")])
            let recorded = await fake.requests()
            #expect(recorded.count == 1)
            #expect(recorded.first?.method == "POST")
            #expect(recorded.first?.path == "/vllm/v1/completions")
            #expect(recorded.first?.headers["x-trace"] == "t1")
            #expect(recorded.first?.bodyText == #"{"model":"m","prompt":"x"}"#)

            let listed = try await get(fake.url + "/_fake/requests")
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.body.utf8)) as? [[String: Any]])
            #expect(entries.first?["path"] as? String == "/vllm/v1/completions")

            await server.clearRequests()
            #expect(await server.requests().isEmpty)
        }
    }
}

// MARK: - HTTP helpers

struct Reply {
    let status: Int
    let headers: HTTPHeaders
    let body: String

    func json() throws -> [String: Any] {
        try parseJSON(self.body)
    }

    /// The payloads of the `data:` events, in order (comments skipped).
    func sseData() -> [String] {
        self.body.components(separatedBy: "\n\n").compactMap { event in
            event.hasPrefix("data: ") ? String(event.dropFirst(6)) : nil
        }
    }
}

func parseJSON(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

func post(_ url: String, _ json: String, headers: [(String, String)] = [("authorization", "Bearer sk-test")]) async throws -> Reply {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "content-type", value: "application/json")
    for (name, value) in headers {
        request.headers.add(name: name, value: value)
    }
    request.body = .bytes(ByteBuffer(string: json))
    return try await send(request)
}

func get(_ url: String) async throws -> Reply {
    try await send(HTTPClientRequest(url: url))
}

private func send(_ request: HTTPClientRequest) async throws -> Reply {
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 1 << 22)
    return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
}
