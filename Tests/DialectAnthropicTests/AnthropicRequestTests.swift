import Testing
import SwitchyardCore
@testable import DialectAnthropic

/// Golden tests against every request fixture, and the outbound encoder's choices for other dialects' requests.
@Suite struct AnthropicRequestTests {
    /// Documented normalisation of the encoder: `stream: false` is the default and is not written.
    static func normalise(_ body: JSONValue) -> JSONValue {
        guard case .object(var fields) = body else { return body }
        if fields["stream"] == false { fields["stream"] = nil }
        return .object(fields)
    }

    static let requestFixtures = Fixtures.files(prefix: "messages-request-")

    @Test func everyRequestFixtureIsCovered() {
        #expect(Self.requestFixtures.count == 6)
    }

    @Test(arguments: requestFixtures)
    func requestRoundTrip(file: String) throws {
        let original = try Fixtures.json(file)
        let decoded = try AnthropicRequest.decode(try Fixtures.bytes(file))
        let model = try #require(original["model"]?.stringValue)
        let encoded = try AnthropicRequest.encode(decoded, model: model)
        let problems = Fixtures.differences(Self.normalise(original), encoded)
        #expect(problems.isEmpty, "\(file): \(problems)")
        #expect(try AnthropicRequest.decode(encoded) == decoded, "canonical form is stable")
    }

    @Test func countTokensRoundTrip() throws {
        let original = try Fixtures.json("count-tokens-request.json")
        let decoded = try AnthropicRequest.decode(original)
        #expect(decoded.maxOutputTokens == nil)
        let encoded = try AnthropicRequest.encodeCountTokens(decoded, model: "claude-sonnet-4-6")
        #expect(Fixtures.differences(original, encoded).isEmpty)
        let request = try AnthropicCodec().encodeCountTokensRequest(decoded, upstreamModel: "claude-sonnet-4-6")
        #expect(request.path == "/v1/messages/count_tokens")
        #expect(try AnthropicCountTokens.decodeResponse(try Fixtures.bytes("count-tokens-response.json")) == 412)
        #expect(AnthropicCountTokens.encodeResponse(inputTokens: 412) == ["input_tokens": 412])
    }

    @Test func decodesToolTurnIntoCanonicalMessages() throws {
        let request = try AnthropicRequest.decode(try Fixtures.json("messages-request-tools.json"))
        #expect(request.messages.map(\.role) == [.system, .user, .assistant, .tool, .tool])
        let assistant = request.messages[2]
        #expect(assistant.text == "I'll check both.")
        #expect(assistant.toolCalls.map(\.id) == ["toolu_01z2s7ZwJoON28mil0tp9Um4", "toolu_01BSPgLvuY6LF62w0T1t1CsR"])
        #expect(try JSON.parse(assistant.toolCalls[0].arguments) == ["city": "Paris", "unit": "celsius"])
        #expect(request.messages[3].toolCallId == "toolu_01z2s7ZwJoON28mil0tp9Um4")
        #expect(request.messages[3].toolResultIsError == nil)
        #expect(request.messages[3].text == #"{"temp_c":18,"conditions":"cloudy"}"#)
        #expect(request.messages[4].toolResultIsError == true)
        #expect(request.messages[4].text == "time service unavailable")
        #expect(request.tools.map(\.name) == ["get_weather", "get_local_time"])
        #expect(request.toolChoice == .auto)
        #expect(request.parallelToolCalls == true)
        #expect(request.maxOutputTokens == 1024)
    }

    @Test func decodesThinkingMediaAndSignatures() throws {
        let request = try AnthropicRequest.decode(try Fixtures.json("messages-request-thinking.json"))
        #expect(request.reasoningBudget == 4096)
        #expect(request.reasoningEffort == nil)
        let user = request.messages[0]
        #expect(user.content.count == 4)
        if case .image(let url, _) = user.content[1] {
            #expect(url.hasPrefix("data:image/png;base64,iVBORw0KGgo"))
        } else {
            Issue.record("base64 image expected")
        }
        #expect(user.content[2] == .image(url: "https://example.com/images/paris.jpg", detail: nil))
        if case .file(let data, nil, "report.pdf") = user.content[3] {
            #expect(data == "data:application/pdf;base64,JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoK")
        } else {
            Issue.record("PDF document expected as a file part")
        }
        let reasoning = request.messages[1].reasoning
        #expect(reasoning.count == 2)
        guard case .text(let text, let signature?) = reasoning.first else {
            Issue.record("signed thinking expected")
            return
        }
        #expect(text.hasPrefix("The user wants a walk recommendation"))
        #expect(signature.hasPrefix("EqQD/vWncrmlUrXPk"))
        if case .redacted(let data) = reasoning[1] { #expect(data.hasPrefix("EmwKAhgB")) } else { Issue.record("redacted") }
        #expect(request.messages[2].role == .tool)
    }

    @Test func thinkingSignatureSurvivesUnchanged() throws {
        let original = try Fixtures.json("messages-request-thinking.json")
        let blocks = original["messages"]?.arrayValue?[1]["content"]
        let request = try AnthropicRequest.decode(original)
        let encoded = try AnthropicRequest.encode(request, model: "claude-haiku-4-5-20251001")
        let sent = encoded["messages"]?.arrayValue?[1]["content"]
        #expect(sent?.arrayValue?[0] == blocks?.arrayValue?[0])
        #expect(sent?.arrayValue?[1] == blocks?.arrayValue?[1])
        // Also through the bytes the codec sends.
        let wire = try AnthropicCodec().encodeRequest(request, upstreamModel: "claude-haiku-4-5-20251001")
        let parsed = try JSON.parse(wire.body)
        #expect(parsed["messages"]?.arrayValue?[1]["content"]?.arrayValue?[0]["signature"] == blocks?.arrayValue?[0]["signature"])
    }

    @Test func structuredOutputAndEffortWithoutThinking() throws {
        let request = try AnthropicRequest.decode(try Fixtures.json("messages-request-structured-output.json"))
        guard case .jsonSchema(_, let schema, _, _) = request.responseFormat else {
            Issue.record("json_schema expected")
            return
        }
        #expect(schema["required"] == ["name", "date", "participants"])
        // Effort without thinking steers verbosity only: not canonical reasoning.
        #expect(request.reasoningEffort == nil)
        #expect(request.extra["output_config"] == ["effort": "medium"])
    }

    @Test func adaptiveThinkingDecodes() throws {
        let request = try AnthropicRequest.decode(try Fixtures.json("messages-request-adaptive-thinking.json"))
        #expect(request.reasoningEffort == "high")
        #expect(request.reasoningBudget == nil)
        let bare = try AnthropicRequest.decode([
            "model": "claude-opus-4-7", "max_tokens": 100, "thinking": ["type": "adaptive"],
            "messages": [["role": "user", "content": "hi"]],
        ])
        #expect(bare.reasoningEffort == "high", "the API's default effort")
    }

    // MARK: - Outbound choices

    static func openAIStyle(_ messages: [Message] = [.text(.user, "Hi")]) -> ChatRequest {
        ChatRequest(model: "public-name", messages: messages)
    }

    @Test(arguments: [
        ("claude-haiku-4-5-20251001", false), ("claude-sonnet-4-5-20250929", false), ("claude-opus-4-1-20250805", false),
        ("claude-sonnet-4-20250514", false), ("claude-3-7-sonnet-20250219", false), ("claude-sonnet-4-6", true),
        ("claude-opus-4-6", true), ("claude-opus-4-7", true), ("claude-sonnet-5", true), ("claude-opus-5-5", true),
        ("claude-mythos-preview", true), ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", false),
        ("claude-opus-4-6@20260101", true),
    ])
    func thinkingFormFollowsModel(model: String, adaptive: Bool) throws {
        var request = Self.openAIStyle()
        request.reasoningEffort = "high"
        let body = try AnthropicRequest.encode(request, model: model)
        if adaptive {
            #expect(body["thinking"] == ["type": "adaptive"])
            #expect(body["output_config"]?["effort"] == "high")
        } else {
            #expect(body["thinking"] == ["type": "enabled", "budget_tokens": 16384])
            #expect(body["output_config"] == nil)
            // max_tokens must exceed the budget; the default answer room is kept on top.
            #expect(body["max_tokens"] == .int(16384 + 4096))
        }
    }

    @Test func effortWordsMapPerForm() throws {
        var request = Self.openAIStyle()
        request.reasoningEffort = "minimal"
        #expect(try AnthropicRequest.encode(request, model: "claude-opus-4-7")["output_config"]?["effort"] == "low")
        #expect(try AnthropicRequest.encode(request, model: "claude-haiku-4-5")["thinking"]?["budget_tokens"] == 1024)
        request.reasoningEffort = "none"
        #expect(try AnthropicRequest.encode(request, model: "claude-opus-4-7")["thinking"] == nil)
        #expect(try AnthropicRequest.encode(request, model: "claude-haiku-4-5")["thinking"] == nil)
        request.reasoningEffort = nil
        request.reasoningBudget = 4096
        let adaptive = try AnthropicRequest.encode(request, model: "claude-opus-4-7")
        #expect(adaptive["thinking"] == ["type": "adaptive"])
        #expect(adaptive["output_config"]?["effort"] == "medium")
        request.maxOutputTokens = 20000
        #expect(try AnthropicRequest.encode(request, model: "claude-haiku-4-5")["max_tokens"] == 20000)
    }

    @Test func adaptiveRequestToBudgetModelKeepsDisplay() throws {
        let request = try AnthropicRequest.decode(try Fixtures.json("messages-request-adaptive-thinking.json"))
        let body = try AnthropicRequest.encode(request, model: "claude-haiku-4-5-20251001")
        #expect(body["thinking"] == ["type": "enabled", "budget_tokens": 16384, "display": "summarized"])
        #expect(body["max_tokens"] == 32000)
        #expect(body["output_config"] == nil, "budget models get no effort unless the client paired it with a budget")
    }

    @Test func explicitDisabledThinkingIsKept() throws {
        let request = try AnthropicRequest.decode([
            "model": "claude-sonnet-4-6", "max_tokens": 10, "thinking": ["type": "disabled"],
            "messages": [["role": "user", "content": "hi"]],
        ])
        #expect(try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")["thinking"] == ["type": "disabled"])
    }

    @Test func samplingParametersFollowModel() throws {
        var request = Self.openAIStyle()
        request.temperature = 0.7
        request.topP = 0.9
        request.topK = 40
        let opus47 = try AnthropicRequest.encode(request, model: "claude-opus-4-7")
        #expect(opus47["temperature"] == nil && opus47["top_p"] == nil && opus47["top_k"] == nil)
        let sonnet5 = try AnthropicRequest.encode(request, model: "claude-sonnet-5")
        #expect(sonnet5["temperature"] == nil)
        let sonnet45 = try AnthropicRequest.encode(request, model: "claude-sonnet-4-5")
        #expect(sonnet45["temperature"] == 0.7)
        #expect(sonnet45["top_p"] == nil, "4.5 rejects temperature with top_p")
        #expect(sonnet45["top_k"] == 40)
        let old = try AnthropicRequest.encode(request, model: "claude-3-5-sonnet-20241022")
        #expect(old["temperature"] == 0.7 && old["top_p"] == 0.9 && old["top_k"] == 40)
        request.reasoningEffort = "low"
        let thinking = try AnthropicRequest.encode(request, model: "claude-3-7-sonnet-20250219")
        #expect(thinking["temperature"] == nil && thinking["top_k"] == nil && thinking["top_p"] == nil)
        #expect(thinking["thinking"]?["type"] == "enabled")
    }

    @Test func openAIToolLoopBecomesAnthropicTurns() throws {
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [
            ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#),
            ToolCall(id: "call_2", name: "get_time", arguments: ""),
        ]
        var first = Message.text(.tool, "18C")
        first.toolCallId = "call_1"
        var second = Message.text(.tool, "failed")
        second.toolCallId = "call_2"
        second.toolResultIsError = true
        var request = Self.openAIStyle([
            .text(.system, "Be brief."), .text(.user, "Weather?"), assistant, first, second, .text(.user, "Thanks"),
        ])
        request.tools = [ToolDefinition(name: "get_weather", parameters: ["type": "object"]), ToolDefinition(name: "get_time")]
        request.toolChoice = .required
        request.parallelToolCalls = false
        request.stop = ["END"]
        request.user = "user-1"
        request.stream = true
        let body = try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")
        #expect(body["system"] == "Be brief.")
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.count == 3)
        #expect(messages[1]["content"]?.arrayValue?.map { $0["type"] } == ["tool_use", "tool_use"])
        #expect(messages[1]["content"]?.arrayValue?[0]["input"] == ["city": "Paris"])
        #expect(messages[1]["content"]?.arrayValue?[1]["input"] == [:], "empty arguments are an empty object")
        let results = try #require(messages[2]["content"]?.arrayValue)
        #expect(results.map { $0["type"] } == ["tool_result", "tool_result", "text"])
        #expect(results[0] == ["type": "tool_result", "tool_use_id": "call_1", "content": "18C"])
        #expect(results[1]["is_error"] == true)
        #expect(body["tools"]?.arrayValue?[1]["input_schema"] == ["type": "object", "properties": [:]])
        #expect(body["tool_choice"] == ["type": "any", "disable_parallel_tool_use": true])
        #expect(body["stop_sequences"] == ["END"])
        #expect(body["metadata"] == ["user_id": "user-1"])
        #expect(body["stream"] == true)
        #expect(body["max_tokens"] == 4096)
    }

    @Test func toolResultsGoBeforeOtherContentOfTheirTurn() throws {
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [ToolCall(id: "toolu_1", name: "f", arguments: "{}")]
        var result = Message.text(.tool, "ok")
        result.toolCallId = "toolu_1"
        let request = Self.openAIStyle([.text(.user, "go"), assistant, .text(.user, "note"), result])
        let body = try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")
        let last = body["messages"]?.arrayValue?.last?["content"]?.arrayValue
        #expect(last?.map { $0["type"] } == ["tool_result", "text"])
    }

    @Test func toolChoiceVariants() throws {
        var request = Self.openAIStyle()
        request.toolChoice = ToolChoice.none
        #expect(try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")["tool_choice"] == nil, "no tools, no choice")
        request.tools = [ToolDefinition(name: "f")]
        #expect(try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")["tool_choice"] == ["type": "none"])
        request.toolChoice = .function(name: "f")
        #expect(try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")["tool_choice"] == ["type": "tool", "name": "f"])
        request.toolChoice = nil
        request.parallelToolCalls = false
        #expect(
            try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")["tool_choice"]
                == ["type": "auto", "disable_parallel_tool_use": true])
        request.parallelToolCalls = true
        #expect(try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")["tool_choice"] == nil)
    }

    @Test func mediaPartsBecomeAnthropicSources() throws {
        let request = Self.openAIStyle([
            Message(role: .user, content: [
                .image(url: "data:image/jpeg;base64,/9j/4AAQ", detail: "high"),
                .image(url: "https://example.com/a.png", detail: nil),
                .file(data: "data:application/pdf;base64,JVBERi0x", fileId: nil, filename: "a.pdf"),
                .file(data: "data:text/plain;base64,aGVsbG8=", fileId: nil, filename: nil),
                .file(data: nil, fileId: "file_123", filename: nil),
            ])
        ])
        let blocks = try #require(try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")["messages"]?.arrayValue?[0]["content"]?.arrayValue)
        #expect(blocks[0] == ["type": "image", "source": ["type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"]])
        #expect(blocks[1] == ["type": "image", "source": ["type": "url", "url": "https://example.com/a.png"]])
        #expect(
            blocks[2]
                == ["type": "document", "title": "a.pdf",
                    "source": ["type": "base64", "media_type": "application/pdf", "data": "JVBERi0x"]])
        #expect(blocks[3]["source"] == ["type": "text", "media_type": "text/plain", "data": "hello"])
        #expect(blocks[4]["source"] == ["type": "file", "file_id": "file_123"])
    }

    static func invalid(_ request: ChatRequest, model: String = "claude-sonnet-4-6") -> GatewayError? {
        do {
            _ = try AnthropicRequest.encode(request, model: model)
            return nil
        } catch {
            return error
        }
    }

    @Test func unsupportedInputsFailClearly() throws {
        let audio = Self.invalid(Self.openAIStyle([Message(role: .user, content: [.audio(data: "AAAA", format: "wav")])]))
        #expect(audio?.kind == .invalidRequest)
        #expect(audio?.message.contains("Anthropic cannot take audio input") == true)
        #expect(audio?.param == "messages[0].content[0]")

        let ftp = Self.invalid(Self.openAIStyle([Message(role: .user, content: [.image(url: "ftp://x/y.png", detail: nil)])]))
        #expect(ftp?.kind == .invalidRequest)

        let docx = Self.invalid(
            Self.openAIStyle([Message(role: .user, content: [.file(data: "data:application/msword;base64,AA", fileId: nil, filename: nil)])]))
        #expect(docx?.message.contains("PDF or plain text") == true)

        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [ToolCall(id: "call_1", name: "f", arguments: "{not json")]
        let args = Self.invalid(Self.openAIStyle([.text(.user, "x"), assistant]))
        #expect(args?.kind == .invalidRequest)
        #expect(args?.param == "messages[1].tool_calls[0]")

        var json = Self.openAIStyle()
        json.responseFormat = .jsonObject
        #expect(Self.invalid(json)?.param == "response_format")

        var many = Self.openAIStyle()
        many.choiceCount = 2
        #expect(Self.invalid(many)?.param == "n")

        var orphan = Message.text(.tool, "x")
        orphan.toolCallId = nil
        #expect(Self.invalid(Self.openAIStyle([.text(.user, "x"), orphan]))?.kind == .invalidRequest)
    }

    @Test func unsignedReasoningIsNotReplayed() throws {
        var assistant = Message.text(.assistant, "Answer")
        assistant.reasoning = [.text("DeepSeek thought", signature: nil), .text("marked", signature: "")]
        let body = try AnthropicRequest.encode(Self.openAIStyle([.text(.user, "q"), assistant, .text(.user, "more")]), model: "claude-sonnet-4-6")
        #expect(body["messages"]?.arrayValue?[1]["content"] == "Answer")
    }

    @Test func thinkingIsLeftOffInsideToolLoopWithoutReplayableThinking() throws {
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [ToolCall(id: "toolu_1", name: "f", arguments: "{}")]
        var result = Message.text(.tool, "ok")
        result.toolCallId = "toolu_1"
        var request = Self.openAIStyle([.text(.user, "go"), assistant, result])
        request.reasoningEffort = "medium"
        let withoutSignature = try AnthropicRequest.encode(request, model: "claude-haiku-4-5")
        #expect(withoutSignature["thinking"] == nil)
        #expect(withoutSignature["max_tokens"] == 4096, "no budget, so no raised max_tokens")
        let adaptive = try AnthropicRequest.encode(request, model: "claude-opus-4-7")
        #expect(adaptive["thinking"] == nil)
        #expect(adaptive["output_config"]?["effort"] == "medium")

        request.messages[1].reasoning = [.text("plan", signature: "c2lnbmF0dXJl")]
        let signed = try AnthropicRequest.encode(request, model: "claude-haiku-4-5")
        #expect(signed["thinking"]?["type"] == "enabled")
        #expect(signed["messages"]?.arrayValue?[1]["content"]?.arrayValue?[0]["type"] == "thinking")
    }

    @Test func systemAndDeveloperMessagesAreHoisted() throws {
        let request = Self.openAIStyle([
            .text(.system, "One."), .text(.user, "q"), .text(.developer, "Two."),
        ])
        let body = try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")
        #expect(body["system"] == [["type": "text", "text": "One."], ["type": "text", "text": "Two."]])
        #expect(body["messages"]?.arrayValue?.count == 1)
        // Mid-conversation system turns of the newer API decode in place.
        let decoded = try AnthropicRequest.decode([
            "model": "claude-sonnet-4-6", "messages": [
                ["role": "user", "content": "q"], ["role": "system", "content": "Be nice."],
            ],
        ])
        #expect(decoded.messages.map(\.role) == [.user, .system])
    }

    @Test func extrasAreForwardedButBookkeepingIsNot() throws {
        let request = try AnthropicRequest.decode([
            "model": "claude-sonnet-4-6", "max_tokens": 10, "service_tier": "auto",
            "cache_control": ["type": "ephemeral"], "metadata": ["user_id": "u", "other": "x"],
            "tools": [
                ["name": "f", "input_schema": ["type": "object"], "cache_control": ["type": "ephemeral"]],
                ["type": "web_search_20250305", "name": "web_search", "max_uses": 3],
            ],
            "messages": [["role": "user", "content": "hi"]],
        ])
        #expect(request.tools.map(\.name) == ["f"])
        #expect(request.user == "u")
        let body = try AnthropicRequest.encode(request, model: "claude-sonnet-4-6")
        #expect(body["service_tier"] == "auto")
        #expect(body["cache_control"] == ["type": "ephemeral"])
        #expect(body["metadata"] == ["user_id": "u", "other": "x"])
        #expect(body["tools"]?.arrayValue?.count == 2)
        #expect(body["tools"]?.arrayValue?[0]["cache_control"] == ["type": "ephemeral"])
        #expect(body["tools"]?.arrayValue?[1]["type"] == "web_search_20250305")
        #expect(body[AnthropicRequest.toolFieldsKey] == nil)
        #expect(body[AnthropicRequest.serverToolsKey] == nil)
    }

    @Test func codecSetsPathHeadersAndDefaultMaxTokens() throws {
        let codec = AnthropicCodec(defaultMaxTokens: 8192)
        let encoded = try codec.encodeRequest(Self.openAIStyle(), upstreamModel: "claude-sonnet-4-6")
        #expect(encoded.path == "/v1/messages")
        #expect(encoded.headers.contains { $0.0 == "anthropic-version" && $0.1 == "2023-06-01" })
        let body = try JSON.parse(encoded.body)
        #expect(body["max_tokens"] == 8192)
        #expect(body["model"] == "claude-sonnet-4-6")
        var explicit = Self.openAIStyle()
        explicit.maxOutputTokens = 300
        #expect(try JSON.parse(try codec.encodeRequest(explicit, upstreamModel: "claude-sonnet-4-6").body)["max_tokens"] == 300)
    }

    @Test func rejectsMalformedInboundRequests() {
        #expect(throws: GatewayError.self) { try AnthropicRequest.decode(Array("{".utf8)) }
        do {
            _ = try AnthropicRequest.decode(["messages": []])
            Issue.record("missing model accepted")
        } catch {
            #expect(error.param == "model")
            #expect(error.kind == .invalidRequest)
        }
        do {
            _ = try AnthropicRequest.decode(["model": "m", "messages": [["role": "robot", "content": "x"]]])
            Issue.record("bad role accepted")
        } catch {
            #expect(error.param == "messages.0.role")
        }
        do {
            _ = try AnthropicRequest.decode([
                "model": "m", "messages": [["role": "user", "content": [["type": "tool_result"]]]],
            ])
            Issue.record("tool_result without id accepted")
        } catch {
            #expect(error.param == "messages.0.content.0")
        }
    }
}

@Suite struct DataURITests {
    @Test func parsesMediaTypeAndEncoding() {
        let png = DataURI("data:image/png;base64,iVBO")
        #expect(png?.mediaType == "image/png")
        #expect(png?.isBase64 == true)
        #expect(png?.payload == "iVBO")
        let bare = DataURI("data:;base64,aGk=")
        #expect(bare?.mediaType == "")
        #expect(bare?.decodedText == "hi")
        #expect(DataURI("data:text/plain,a%20b")?.decodedText == "a b")
        #expect(DataURI("https://example.com/x.png") == nil)
    }
}
