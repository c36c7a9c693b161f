import DialectOpenAI
import SwitchyardConfig
@testable import SwitchyardCore
import SwitchyardProviders
import Testing

/// Golden tests of the OpenAI codec against every OpenAI-family fixture: decode, re-encode, compare.
@Suite struct OpenAICodecTests {
    /// Puts equivalent spellings into one form before comparing (documented normalisations of the encoder).
    static func normalise(_ value: JSONValue, key: String? = nil) -> JSONValue? {
        switch value {
        case .null:
            return nil  // null and absent mean the same in this dialect
        case .object(var fields):
            if let maxTokens = fields["max_tokens"], fields["max_completion_tokens"] == nil, fields["messages"] != nil {
                fields["max_completion_tokens"] = maxTokens
                fields["max_tokens"] = nil
            }
            if let reasoning = fields["reasoning"], reasoning.stringValue != nil, fields["role"] != nil {
                fields["reasoning_content"] = reasoning
                fields["reasoning"] = nil
            }
            if case .string(let stop) = fields["stop"] ?? .null { fields["stop"] = [.string(stop)] }
            if let parts = fields["content"]?.arrayValue, parts.count == 1, parts[0]["type"] == "text",
                let text = parts[0]["text"]
            {
                fields["content"] = text
            }
            if fields["tool_calls"]?.arrayValue?.isEmpty == true { fields["tool_calls"] = nil }
            if fields["tool_choice"] == "any" { fields["tool_choice"] = "required" }  // Mistral's synonym
            var result: [String: JSONValue] = [:]
            for (k, v) in fields {
                if let normalised = normalise(v, key: k) { result[k] = normalised }
            }
            return .object(result)
        case .array(let items):
            return .array(items.compactMap { normalise($0) })
        case .double(let d) where d.rounded() == d && abs(d) < 1e15:
            return .int(Int64(d))
        default:
            return value
        }
    }

    /// Every leaf of `original` is present and equal in `encoded`, except under `ignoring` keys.
    static func covers(_ original: JSONValue, _ encoded: JSONValue, path: String = "$", ignoring: Set<String>)
        -> [String]
    {
        switch (original, encoded) {
        case (.object(let a), .object(let b)):
            return a.flatMap { key, value -> [String] in
                if ignoring.contains(key) { return [] }
                // Streaming-style `index` inside a response's tool calls (Mistral) is not carried.
                if key == "index", path.contains("tool_calls[") { return [] }
                guard let other = b[key] else { return ["\(path).\(key) missing"] }
                return covers(value, other, path: "\(path).\(key)", ignoring: ignoring)
            }
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return ["\(path) has \(b.count) items, expected \(a.count)"] }
            return zip(a, b).enumerated().flatMap { covers($1.0, $1.1, path: "\(path)[\($0)]", ignoring: ignoring) }
        default:
            return original == encoded ? [] : ["\(path): \(original) != \(encoded)"]
        }
    }

    static var requestFixtures: [(String, String)] {
        Fixtures.openAIFamily.flatMap { provider in
            Fixtures.files(provider, where: { $0.hasPrefix("chat-request") }).map { (provider, $0) }
        }
    }

    static var responseFixtures: [(String, String)] {
        Fixtures.openAIFamily.flatMap { provider in
            Fixtures.files(provider, where: { $0.hasPrefix("chat-response") }).map { (provider, $0) }
        }
    }

    @Test func everyFamilyHasFixtures() {
        // Exactly what Tests/Fixtures/providers holds: a moved or emptied folder fails here.
        #expect(Self.requestFixtures.count == 12)
        #expect(Self.responseFixtures.count == 14)
    }

    @Test(arguments: requestFixtures)
    func requestRoundTrip(provider: String, file: String) throws {
        let original = try Fixtures.json(provider, file)
        let decoded = try OpenAIRequest.decode(original)
        let encoded = OpenAIRequest.encode(decoded)
        #expect(try OpenAIRequest.decode(encoded) == decoded, "canonical form is stable")
        let problems = Self.covers(
            Self.normalise(original) ?? .null, Self.normalise(encoded) ?? .null, ignoring: [])
        #expect(problems.isEmpty, "\(provider)/\(file): \(problems)")
    }

    @Test(arguments: responseFixtures)
    func responseRoundTrip(provider: String, file: String) throws {
        let original = try Fixtures.json(provider, file)
        let flavor = ProviderKind.named(provider).map { ($0.dialect == .openai ? (ProviderAdapters.adapter(for: $0) as? OpenAICompatibleAdapter)?.usageFlavor : nil) ?? .standard } ?? .standard
        let decoded = try OpenAIResponse.decode(try Fixtures.bytes(provider, file), flavor: flavor)
        let encoded = OpenAIResponse.encode(decoded)
        let again = try OpenAIResponse.decode(JSON.encode(encoded), flavor: .standard)
        #expect(again == decoded, "canonical form is stable")
        // Usage sub-details beyond the canonical counts (audio, prediction tokens) are not carried;
        // Mistral's thinking parts become `reasoning_content`.
        // OpenRouter's `reasoning_details[].format` names the upstream's encoding; the canonical reasoning
        // block does not carry it (same-dialect traffic is passed through untouched, so it is never lost there).
        var ignoring: Set<String> = ["completion_tokens_details", "prompt_tokens_details", "format"]
        // xAI counts reasoning outside completion_tokens; re-encoded for OpenAI clients it is inside.
        if provider == "xai" { ignoring.formUnion(["completion_tokens", "total_tokens"]) }
        var expected = Self.normalise(original) ?? .null
        if provider == "mistral", file.contains("thinking") { expected = Self.dropContent(expected) }
        let problems = Self.covers(expected, Self.normalise(encoded) ?? .null, ignoring: ignoring)
        #expect(problems.isEmpty, "\(provider)/\(file): \(problems)")
        #expect(!decoded.choices.isEmpty)
        #expect(decoded.choices.allSatisfy { $0.finishReason != nil })
    }

    static func dropContent(_ value: JSONValue) -> JSONValue {
        guard case .object(var body) = value, var choices = body["choices"]?.arrayValue else { return value }
        for i in choices.indices {
            if case .object(var choice) = choices[i], case .object(var message) = choice["message"] ?? .null {
                message["content"] = nil
                choice["message"] = .object(message)
                choices[i] = .object(choice)
            }
        }
        body["choices"] = .array(choices)
        return .object(body)
    }

    @Test func decodesToolTurn() throws {
        let request = try OpenAIRequest.decode(try Fixtures.json("openai", "chat-request-tools.json"))
        #expect(request.messages.map(\.role) == [.system, .user, .assistant, .tool, .tool])
        #expect(request.messages[2].toolCalls.map(\.id) == ["call_jR4YfKNQQhQhX4j82keKPgCl", "call_QA71L2G5K5anTNrufuMcTazt"])
        #expect(request.messages[2].toolCalls[0].arguments == #"{"city":"Paris","unit":"celsius"}"#)
        #expect(request.messages[4].text == "14:05")
        #expect(request.tools.map(\.name) == ["get_weather", "get_local_time"])
        #expect(request.toolChoice == .auto)
        #expect(request.maxOutputTokens == 300)
    }

    @Test func decodesMultimodalParts() throws {
        let request = try OpenAIRequest.decode(try Fixtures.json("openai", "chat-request-multimodal.json"))
        let parts = request.messages[0].content
        #expect(parts.count == 5)
        #expect(parts[1] == .image(url: "https://example.com/images/cat.jpg", detail: "high"))
        if case .audio(_, let format) = parts[3] { #expect(format == "wav") } else { Issue.record("audio part") }
        if case .file(let data, _, let name) = parts[4] {
            #expect(name == "report.pdf")
            #expect(data?.hasPrefix("data:application/pdf;base64,") == true)
        } else {
            Issue.record("file part")
        }
    }

    @Test func decodesStructuredOutputAndReasoning() throws {
        let schema = try OpenAIRequest.decode(try Fixtures.json("openai", "chat-request-json-schema.json"))
        guard case .jsonSchema(let name, _, let strict, _) = schema.responseFormat else {
            Issue.record("json_schema expected")
            return
        }
        #expect(!name.isEmpty)
        #expect(strict == true)
        let deepseek = try OpenAIRequest.decode(try Fixtures.json("deepseek", "chat-request-tool-turn.json"))
        #expect(deepseek.messages[1].reasoning == [.text("I should call get_weather for Paris.", signature: nil)])
        #expect(deepseek.extra["thinking"] == ["type": "enabled"])
        let mistral = try OpenAIResponse.decode(try Fixtures.bytes("mistral", "chat-response-thinking.json"))
        #expect(mistral.choices[0].message.reasoning == [.text("9.8 = 9.80, which exceeds 9.11.", signature: nil)])
        #expect(mistral.choices[0].message.text == "9.8 is greater.")
    }

    @Test func usageFollowsProviderSemantics() throws {
        let openai = try OpenAIResponse.decode(try Fixtures.bytes("openai", "chat-response-basic.json"))
        let raw = try Fixtures.json("openai", "chat-response-basic.json")["usage"]
        #expect(openai.usage?.totalInput == raw?["prompt_tokens"]?.intValue)
        #expect(openai.usage?.totalOutput == raw?["completion_tokens"]?.intValue)
        let xaiRaw = try Fixtures.json("xai", "chat-response-reasoning.json")["usage"] ?? .null
        let xai = try #require(OpenAIUsage.decode(xaiRaw, flavor: .reasoningExcluded))
        let reasoning = xaiRaw["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0
        #expect(reasoning > 0)
        #expect(xai.output == xaiRaw["completion_tokens"]?.intValue)
        #expect(xai.reasoning == reasoning)
        // Re-encoded for OpenAI clients, completion tokens include reasoning as OpenAI counts them.
        #expect(OpenAIUsage.encode(xai)["completion_tokens"]?.intValue == xai.output + reasoning)
        let deepseekUsage = try Fixtures.json("deepseek", "chat-response-reasoning.json")["usage"] ?? .null
        let deepseek = try #require(OpenAIUsage.decode(deepseekUsage))
        #expect(deepseek.cacheRead == deepseekUsage["prompt_cache_hit_tokens"]?.intValue)
    }

    @Test(arguments: [
        ("openai", "error-400-context-length.json", GatewayError.Kind.contextWindow),
        ("openai", "error-400-invalid-request.json", .invalidRequest),
        ("openai", "error-401-invalid-api-key.json", .upstreamAuthentication),
        ("openai", "error-403-unsupported-country.json", .upstreamPermission),
        ("openai", "error-404-model-not-found.json", .notFound),
        ("openai", "error-429-insufficient-quota.json", .quotaExhausted),
        ("openai", "error-429-rate-limit.json", .rateLimited),
        ("openai", "error-500-server-error.json", .upstreamError),
        ("openai", "error-503-overloaded.json", .overloaded),
        ("azure-openai", "error-400-content-filter.json", .contentPolicy),
        ("azure-openai", "error-404-deployment.json", .notFound),
        ("azure-openai", "error-429.json", .rateLimited),
        ("mistral", "error-422-validation.json", .invalidRequest),
        ("groq", "error-429.json", .rateLimited),
        ("openrouter", "error-402.json", .quotaExhausted),
        ("openrouter", "error-429.json", .rateLimited),
    ])
    func classifiesProviderErrors(provider: String, file: String, kind: GatewayError.Kind) throws {
        let status = try #require(try Fixtures.manifest(provider, file)?["status"]?.intValue)
        let error = OpenAIErrors.decode(status: status, body: try Fixtures.bytes(provider, file))
        #expect(error.kind == kind)
        #expect(!error.message.isEmpty)
        #expect(error.upstreamStatus == status)
    }

    @Test func gatewayErrorsUseOpenAIShapeAndStatus() {
        let upstreamAuth = GatewayError(.upstreamAuthentication, "rejected", code: "invalid_api_key")
        #expect(OpenAIErrors.status(for: upstreamAuth).status == 502)
        // The provider's own code must not suggest the client's key is wrong.
        #expect(OpenAIErrors.body(for: upstreamAuth)["error"]?["code"] == "upstream_auth_failed")
        let notFound = GatewayError(.notFound, "no such model", param: "model")
        let body = OpenAIErrors.body(for: notFound)
        #expect(body["error"]?["type"] == "invalid_request_error")
        #expect(body["error"]?["param"] == "model")
        #expect(body["error"]?["code"] == "model_not_found")
        #expect(OpenAIErrors.status(for: GatewayError(.overloaded, "x")).status == 503)
        #expect(OpenAIErrors.status(for: GatewayError(.timeout, "x")).status == 504)
        #expect(OpenAIErrors.status(for: GatewayError(.requestTooLarge, "x")).status == 413)
    }

    @Test func rejectsBadRequestsWithParam() {
        #expect(throws: GatewayError.self) { try OpenAIRequest.decode(Array("{".utf8)) }
        do {
            _ = try OpenAIRequest.decode(["messages": []])
            Issue.record("missing model accepted")
        } catch {
            #expect(error.param == "model")
        }
        do {
            _ = try OpenAIRequest.decode(["model": "m", "messages": [["role": "robot", "content": "x"]]])
            Issue.record("bad role accepted")
        } catch {
            #expect(error.param == "messages[0].role")
        }
    }
}

@Suite struct OpenAIUsageScannerTests {
    /// The byte-level usage reader agrees with the tree decoder on every fixture that has usage.
    @Test func byteLevelUsageMatchesTreeDecoding() throws {
        var checked = 0
        for provider in Fixtures.openAIFamily {
            for file in Fixtures.files(provider, where: { $0.hasPrefix("chat-response") || $0.hasPrefix("completions-response") || $0.hasPrefix("embeddings-response") }) {
                let bytes = try Fixtures.bytes(provider, file)
                guard let tree = try Fixtures.json(provider, file)["usage"], !tree.isNull else { continue }
                for flavor in [OpenAIUsage.Flavor.standard, .reasoningExcluded] {
                    let fast = bytes.withUnsafeBytes { raw -> Usage? in
                        guard let field = try? JSONScanner.topLevelFields(raw).first(where: { $0.key == "usage" }) else { return nil }
                        return OpenAIUsage.decode(raw, field.value, flavor: flavor)
                    }
                    #expect(fast == OpenAIUsage.decode(tree, flavor: flavor), "\(provider)/\(file)")
                }
                checked += 1
            }
        }
        // Every chat/completions/embeddings response fixture of the family carries usage.
        #expect(checked == 16)
    }
}

/// The documented reasoning representation for OpenAI-dialect clients (OpenAIReasoning).
@Suite struct OpenAIReasoningTests {
    @Test func signedThinkingSurvivesAnOpenAIClientRoundTrip() throws {
        var message = Message(role: .assistant, content: [.text("It is sunny.")])
        message.reasoning = [.text("Check the weather.", signature: "EqQBCkYIBxgCKkDsig=="), .redacted(data: "opaque==")]
        message.toolCalls = [ToolCall(id: "toolu_01", name: "get_weather", arguments: #"{"city":"Paris"}"#, signature: "gem-sig")]
        var request = ChatRequest(model: "m", messages: [.text(.user, "weather?"), message])
        request.tools = [ToolDefinition(name: "get_weather")]
        // What a client sends back after receiving the assistant message from the gateway.
        let wire = JSON.encode(OpenAIRequest.encode(request))
        let echoed = try OpenAIRequest.decode(wire)
        #expect(echoed.messages[1].reasoning == message.reasoning)
        #expect(echoed.messages[1].toolCalls == message.toolCalls)
        let json = try JSON.parse(wire)
        #expect(json["messages"]?.arrayValue?[1]["reasoning_content"] == "Check the weather.")
    }

    @Test func streamSignaturesAreEmittedAndRead() {
        var encoder = OpenAIStreamEncoder(id: "c", model: "m", created: 0, includeUsage: false)
        let events: [StreamEvent] = [
            .reasoningDelta(choice: 0, text: "hmm"), .reasoningSignature(choice: 0, signature: "sig=="),
            .toolCallStart(choice: 0, index: 0, id: "call_1", name: "f"), .toolCallSignature(choice: 0, index: 0, signature: "g=="),
            .toolCallArgumentsDelta(choice: 0, index: 0, fragment: "{}"), .finish(choice: 0, reason: .toolCalls),
        ]
        var bytes: [UInt8] = []
        for event in events { bytes += encoder.encode(event) }
        bytes += encoder.finish()
        let decoded = OpenAIStream.decodeTranscript(bytes).filter { if case .roleStart = $0 { return false } else { return true } }
        #expect(Array(decoded.drop { if case .start = $0 { return true } else { return false } }) == events)
    }
}
