@testable import FakeProviderKit
import Foundation
import NIOCore
import Testing

/// The fake Bedrock Runtime (Converse, ConverseStream, SigV4), checked against `Fixtures/providers/bedrock`.
@Suite struct BedrockFakeTests {
    static let headers = [("authorization", "Bearer bedrock-api-key"), ("content-type", "application/json")]
    static let model = "us.anthropic.claude-sonnet-4-5-20250929-v1%3A0"

    // MARK: Framing

    @Test func crcIsZlibs() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(bitwiseCRC32(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func encoderReproducesTheFixtureFramesByteForByte() throws {
        for file in ["converse-stream-text.eventstream", "converse-stream-tool-use.eventstream", "converse-stream-exception.eventstream"] {
            let bytes = try NativeFixtures.bytes("bedrock", file)
            var rebuilt: [UInt8] = []
            for frame in try decodeFrames(bytes) {
                let encoded = EventStream.message(headers: frame.headers, payload: ByteBuffer(bytes: frame.payload))
                rebuilt.append(contentsOf: encoded.readableBytesView)
            }
            #expect(rebuilt == bytes, "\(file)")
        }
    }

    // MARK: Converse

    @Test func converseHasTheFixtureShape() async throws {
        try await FakeProviderServer().withRunning { fake in
            // The captured boto3 request: thinking on, the last turn a tool result → reasoning + text.
            let reply = try await httpSend(
                fake.baseURL(.bedrock) + "/model/\(Self.model)/converse",
                body: try NativeFixtures.text("bedrock", "converse-request.json"),
                headers: Self.headers
            )
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json")
            #expect(reply.header("x-amzn-RequestId")?.count == 36)
            let body = try reply.json()
            let fixture = try NativeFixtures.json("bedrock", "converse-response-tool-use.json")
            #expect(body.keys == fixture.keys)
            #expect(body["usage"]?.shape() == fixture["usage"]?.shape())
            #expect(body["metrics"]?.shape() == fixture["metrics"]?.shape())
            let content = try #require(body["output"]?["message"]?["content"]?.array)
            #expect(content.count == 2)
            #expect(content[0].shape() == fixture["output"]?["message"]?["content"]?[0]?.shape())
            #expect(content[1].shape() == fixture["output"]?["message"]?["content"]?[1]?.shape())
            #expect(content[1]["text"]?.string == "Echo: What's the weather in Paris?")
            #expect(body["stopReason"]?.string == "end_turn")
            let usage = try #require(body["usage"])
            #expect(usage["totalTokens"]?.int == (usage["inputTokens"]?.int ?? 0) + (usage["outputTokens"]?.int ?? 0))
            // "You are a concise assistant." + "What's the weather in Paris?" + 1.
            #expect(usage["inputTokens"]?.int == 11)
        }
    }

    @Test func toolUseAnswersWithAnObjectInput() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.bedrock) + "/model/amazon.nova-pro-v1%3A0/converse",
                body: #"{"messages":[{"role":"user","content":[{"text":"Paris"}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object","required":["city"]}}}}],"toolChoice":{"auto":{}}}}"#,
                headers: Self.headers
            )
            let body = try reply.json()
            let fixture = try NativeFixtures.json("bedrock", "converse-response-tool-use.json")
            let block = try #require(body["output"]?["message"]?["content"]?[0])
            #expect(block.shape(opaque: ["input"]) == fixture["output"]?["message"]?["content"]?[2]?.shape(opaque: ["input"]))
            #expect(block["toolUse"]?["toolUseId"]?.string?.hasPrefix("tooluse_") == true)
            #expect(block["toolUse"]?["input"] == .object([.init(key: "city", value: .string("Paris"))]))
            #expect(body["stopReason"]?.string == "tool_use")
        }
    }

    @Test func conversationRulesAreEnforced() async throws {
        try await FakeProviderServer().withRunning { fake in
            let url = fake.baseURL(.bedrock) + "/model/\(Self.model)/converse"
            let cases = [
                #"{"messages":[{"role":"assistant","content":[{"text":"a"}]}]}"#,
                #"{"messages":[{"role":"user","content":[{"text":"a"}]},{"role":"user","content":[{"text":"b"}]}]}"#,
                #"{"messages":[{"role":"user","content":[]}]}"#,
                #"{"messages":[{"role":"user","content":[{"text":"a"}]},{"role":"assistant","content":[{"toolUse":{"toolUseId":"t","name":"f","input":{}}}]},{"role":"user","content":[{"toolResult":{"toolUseId":"t","content":[{"text":"x"}]}}]}]}"#,
            ]
            for body in cases {
                let reply = try await httpSend(url, body: body, headers: Self.headers)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.header("x-amzn-ErrorType") == "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/")
                #expect(try reply.json().keys == ["message"])
            }
        }
    }

    // MARK: ConverseStream

    @Test func textStreamMatchesTheFixtureFrames() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.bedrock, knobs: "chunks=2") + "/model/\(Self.model)/converse-stream",
                body: #"{"messages":[{"role":"user","content":[{"text":"Why is the sky blue?"}]}]}"#,
                headers: Self.headers
            )
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/vnd.amazon.eventstream")
            let frames = try decodeFrames(reply.body)
            let fixture = try decodeFrames(try NativeFixtures.bytes("bedrock", "converse-stream-text.eventstream"))
            #expect(frames.count == fixture.count)
            for (ours, theirs) in zip(frames, fixture) {
                #expect(ours.headers.map(\.name) == theirs.headers.map(\.name))
                #expect(ours.headers.map(\.value) == theirs.headers.map(\.value))
                #expect(try ours.json().shape() == theirs.json().shape(), "\(ours.header(":event-type") ?? "")")
            }
            let text = try frames.compactMap { try $0.json()["delta"]?["text"]?.string }.joined()
            #expect(text == "Echo: Why is the sky blue?")
            let metadata = try #require(try frames.last?.json())
            #expect(metadata["usage"]?["outputTokens"]?.int == 6)
        }
    }

    @Test func toolStreamMatchesTheFixtureFrames() async throws {
        try await FakeProviderServer().withRunning { fake in
            let reply = try await httpSend(
                fake.baseURL(.bedrock) + "/model/\(Self.model)/converse-stream",
                body: #"{"messages":[{"role":"user","content":[{"text":"Paris"}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"required":["city"]}}}}]},"additionalModelRequestFields":{"thinking":{"type":"enabled","budget_tokens":1024}}}"#,
                headers: Self.headers
            )
            let frames = try decodeFrames(reply.body)
            // The fixture has a text block (index 1) between reasoning and tool use; the fake has none.
            let fixture = try decodeFrames(try NativeFixtures.bytes("bedrock", "converse-stream-tool-use.eventstream")).filter { frame in
                try frame.json()["contentBlockIndex"]?.int != 1
            }
            #expect(collapse(frames.map { $0.header(":event-type") }) == collapse(fixture.map { $0.header(":event-type") }))
            var shapes: [String: String] = [:]
            for frame in fixture where shapes[try Self.kind(frame)] == nil {
                shapes[try Self.kind(frame)] = try frame.json().shape()
            }
            for frame in frames {
                let kind = try Self.kind(frame)
                #expect(try frame.json().shape() == shapes[kind], "\(kind)")
            }
            let input = try frames.compactMap { try $0.json()["delta"]?["toolUse"]?["input"]?.string }.joined()
            #expect(input == #"{"city":"Paris"}"#)
            let stop = try #require(try frames.first { $0.header(":event-type") == "messageStop" }?.json())
            #expect(stop["stopReason"]?.string == "tool_use")
        }
    }

    @Test func midstreamErrorIsAnExceptionFrameAndCutDropsTheConnection() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"messages":[{"role":"user","content":[{"text":"Why is the sky blue?"}]}]}"#
            let reply = try await httpSend(
                fake.baseURL(.bedrock, knobs: "midstream_error=2") + "/model/\(Self.model)/converse-stream",
                body: body,
                headers: Self.headers
            )
            let frames = try decodeFrames(reply.body)
            let fixture = try decodeFrames(try NativeFixtures.bytes("bedrock", "converse-stream-exception.eventstream"))
            #expect(frames.count == 3)
            #expect(frames.last?.headers.map(\.name) == fixture.last?.headers.map(\.name))
            #expect(frames.last?.headers.map(\.value) == fixture.last?.headers.map(\.value))
            #expect(frames.last?.payload == fixture.last?.payload)

            let cut = try await receiveUntilCut(
                fake.baseURL(.bedrock, knobs: "cut_after=2") + "/model/\(Self.model)/converse-stream",
                body: body,
                headers: Self.headers
            )
            #expect(cut.failed)
            #expect(try decodeFrames(cut.bytes).count == 2)
        }
    }

    @Test func errorsCarryTheErrorTypeHeader() async throws {
        try await FakeProviderServer().withRunning { fake in
            let body = #"{"messages":[{"role":"user","content":[{"text":"hi"}]}]}"#
            let expected: [(Int, String, String)] = [
                (400, "ValidationException", "error-400-validation.json"), (403, "AccessDeniedException", "error-403-access-denied.json"),
                (404, "ResourceNotFoundException", "error-404-resource-not-found.json"),
                (408, "ModelTimeoutException", "error-408-model-timeout.json"), (424, "ModelErrorException", "error-424-model-error.json"),
                (429, "ThrottlingException", "error-429-throttling.json"), (500, "InternalServerException", "error-500-internal.json"),
                (503, "ServiceUnavailableException", "error-503-service-unavailable.json"),
            ]
            for (status, code, file) in expected {
                let reply = try await httpSend(fake.baseURL(.bedrock, knobs: "status=\(status)") + "/model/\(Self.model)/converse", body: body, headers: Self.headers)
                #expect(reply.status == status)
                #expect(reply.header("x-amzn-ErrorType") == code + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                #expect(try reply.json() == NativeFixtures.json("bedrock", file))
                #expect(reply.header("retry-after") == nil)
            }
            let hinted = try await httpSend(fake.baseURL(.bedrock, knobs: "error=throttling,retry_after=3") + "/model/m/converse", body: body, headers: Self.headers)
            #expect(hinted.status == 429)
            #expect(hinted.header("retry-after") == "3")
        }
    }

    // MARK: SigV4

    @Test func sigV4MatchesTheWorkedExample() throws {
        let example = try NativeFixtures.text("bedrock", "sigv4-worked-example.txt")
        func section(_ title: String) -> String {
            let after = example.components(separatedBy: "=== \(title) ===\n")[1]
            return after.components(separatedBy: "\n===")[0]
        }
        let body = ByteBuffer(string: #"{"messages":[{"role":"user","content":[{"text":"Hello"}]}],"inferenceConfig":{"maxTokens":256}}"#)
        #expect(SigV4.payloadHash(body) == "d8695502972bd4d482308b656a524b7a7efcebba591a06801fadba6b39700dd1")
        let canonical = SigV4.canonicalRequest(
            method: "POST",
            path: "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse",
            query: nil,
            headers: [
                ("x-amz-date", "20260115T120000Z"), ("host", "bedrock-runtime.us-east-1.amazonaws.com"),
                ("content-type", "application/json"),
            ],
            payloadHash: SigV4.payloadHash(body)
        )
        #expect(canonical == section("canonical request"))
        let stringToSign = SigV4.stringToSign(amzDate: "20260115T120000Z", scope: "20260115/us-east-1/bedrock/aws4_request", canonicalRequest: canonical)
        #expect(stringToSign == section("string to sign"))
        let signature = SigV4.signature(
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            date: "20260115",
            region: "us-east-1",
            service: "bedrock",
            stringToSign: stringToSign
        )
        #expect(signature == "9822d2b802c94b27623182cd50c2321f5889c126054b7822e5db006cb0f9af68")
        let header =
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260115/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=\(signature)"
        #expect(SigV4.Authorization(header)?.signedHeaders == ["content-type", "host", "x-amz-date"])
        #expect(example.contains(header))
    }

    @Test func sigV4SignaturesAreVerifiedWithTheSecretKnob() async throws {
        try await FakeProviderServer().withRunning { fake in
            let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
            // `/` must be percent-encoded to stay inside the knob segment.
            let knobs = "sigv4_secret=wJalrXUtnFEMI%2FK7MDENG%2BbPxRfiCYEXAMPLEKEY"
            let base = fake.baseURL(.bedrock, knobs: knobs)
            let path = String(base.dropFirst(fake.url.count)) + "/model/\(Self.model)/converse"
            let body = #"{"messages":[{"role":"user","content":[{"text":"Hello"}]}],"inferenceConfig":{"maxTokens":256}}"#
            let host = String(fake.url.dropFirst("http://".count))

            func signedHeaders(secret: String, service: String = "bedrock", tamper: Bool = false) -> [(String, String)] {
                let amzDate = "20260115T120000Z"
                let canonical = SigV4.canonicalRequest(
                    method: "POST",
                    path: path[...],
                    query: nil,
                    headers: [("content-type", "application/json"), ("host", host), ("x-amz-date", amzDate)],
                    payloadHash: SigV4.payloadHash(ByteBuffer(string: tamper ? body + " " : body))
                )
                let scope = "20260115/us-east-1/\(service)/aws4_request"
                let signature = SigV4.signature(
                    secret: secret,
                    date: "20260115",
                    region: "us-east-1",
                    service: service,
                    stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical)
                )
                return [
                    ("content-type", "application/json"), ("x-amz-date", amzDate),
                    ("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\(scope), SignedHeaders=content-type;host;x-amz-date, Signature=\(signature)"),
                ]
            }

            let url = fake.url + path
            let good = try await httpSend(url, body: body, headers: signedHeaders(secret: secret))
            #expect(good.status == 200)
            #expect(try good.json()["output"]?["message"]?["content"]?[0]?["text"]?.string == "Echo: Hello")

            for headers in [signedHeaders(secret: "wrong"), signedHeaders(secret: secret, tamper: true)] {
                let bad = try await httpSend(url, body: body, headers: headers)
                #expect(bad.status == 403)
                #expect(bad.header("x-amzn-ErrorType")?.hasPrefix("InvalidSignatureException:") == true)
            }
            let wrongService = try await httpSend(url, body: body, headers: signedHeaders(secret: secret, service: "bedrock-runtime"))
            #expect(wrongService.status == 403)
            #expect(try wrongService.json()["message"]?.string == "Credential should be scoped to correct service: 'bedrock'. ")

            let unsigned = try await httpSend(url, body: body, headers: [("content-type", "application/json")])
            #expect(unsigned.status == 403)
            #expect(unsigned.header("x-amzn-ErrorType")?.hasPrefix("MissingAuthenticationTokenException:") == true)

            // Without the secret knob, well-formed SigV4 passes unchecked; `key=` pins the access key id.
            let lenient = fake.baseURL(.bedrock, knobs: "key=AKIDOTHER") + "/model/m/converse"
            let otherKey = try await httpSend(lenient, body: body, headers: signedHeaders(secret: "anything"))
            #expect(otherKey.status == 403)
            #expect(otherKey.header("x-amzn-ErrorType")?.hasPrefix("UnrecognizedClientException:") == true)
            let open = fake.baseURL(.bedrock) + "/model/m/converse"
            #expect(try await httpSend(open, body: body, headers: signedHeaders(secret: "anything")).status == 200)

            let notBedrock = try await httpSend(fake.baseURL(.cohere, knobs: knobs) + "/v2/chat", body: "{}", headers: Self.headers)
            #expect(notBedrock.status == 400)
        }
    }

    @Test func modelIDsArePercentDecoded() throws {
        let route = try Route.parse(method: "POST", path: "/bedrock/model/\(Self.model)/converse-stream", query: nil)
        #expect(route.endpoint == .bedrockConverse(modelID: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", stream: true))
        let arn = try Route.parse(method: "POST", path: "/bedrock/tag=x/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aprompt-router%2Fr/converse", query: nil)
        #expect(arn.endpoint == .bedrockConverse(modelID: "arn:aws:bedrock:us-east-1:1:prompt-router/r", stream: false))
    }

    /// A frame's kind: event type refined by its delta or start member.
    static func kind(_ frame: WireFrame) throws -> String {
        let json = try frame.json()
        let detail = json["delta"]?.keys.first { $0 != "p" } ?? json["start"]?.keys.first
        let type = frame.header(":event-type") ?? frame.header(":exception-type") ?? ""
        let reasoning = json["delta"]?["reasoningContent"]?.keys.first
        return [type, detail, reasoning].compactMap { $0 }.joined(separator: "/")
    }
}
