import Testing
@testable import DialectBedrock
@testable import SwitchyardCore

@Suite struct RequestGoldenTests {
    static let requestFixtures = ["converse-request-minimal.json", "converse-request.json"]

    @Test func manifestListsTheRequestsTested() throws {
        #expect(try BedrockFixtures.entries(kind: "request").map(\.file) == Self.requestFixtures)
    }

    /// Converse → canonical → Converse gives the same JSON (numbers compared by value).
    @Test(arguments: requestFixtures)
    func decodeThenEncodeIsIdentity(_ file: String) throws {
        let entry = try #require(try BedrockFixtures.entries(kind: "request").first { $0.file == file }?.entry)
        let modelId = try #require(BedrockFixtures.modelId(entry))
        let original = try BedrockFixtures.json(file)
        let request = try BedrockRequest.decode(try BedrockFixtures.bytes(file), modelId: modelId, stream: false)
        // The translation itself, without the gateway's adjustments: this fixture's tool loop has thinking on
        // but no reasoning block, which the codec would send without thinking (`BedrockRequest.adjust`).
        let encoded = try BedrockRequest.encode(request, modelId: modelId)
        #expect(BedrockRequest.path(modelId: modelId, stream: false) == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse")
        #expect(numericallyNormalised(encoded) == numericallyNormalised(original))
        let adjustments = try BedrockCodec().encodeRequest(request, upstreamModel: modelId).adjustments
        #expect(adjustments == (file == "converse-request.json" ? [Adjustment.thinking] : []))
    }

    @Test func fullRequestDecodesToCanonical() throws {
        let request = try BedrockRequest.decode(
            try BedrockFixtures.bytes("converse-request.json"), modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            stream: true)
        #expect(request.model == "us.anthropic.claude-sonnet-4-5-20250929-v1:0")
        #expect(request.stream)
        #expect(request.messages.map(\.role) == [.system, .user, .assistant, .tool])
        #expect(request.messages[0].content == [.text("You are a concise assistant."), .other(["cachePoint": ["type": "default"]])])
        guard case .image(let url, nil) = request.messages[1].content[1] else {
            Issue.record("the image block did not become an image part")
            return
        }
        #expect(url.hasPrefix("data:image/png;base64,iVBORw0KGgo"))
        #expect(request.messages[2].toolCalls == [
            ToolCall(id: "tooluse_ReOUyfesonqPS1maiqhQwB", name: "get_weather", arguments: #"{"city":"Paris"}"#)
        ])
        #expect(request.messages[3].toolCallId == "tooluse_ReOUyfesonqPS1maiqhQwB")
        #expect(request.messages[3].toolResultIsError == false)
        #expect(request.messages[3].content == [.text(#"{"conditions":"cloudy","temp_c":18}"#)])
        #expect(request.maxOutputTokens == 1024)
        #expect(request.temperature == 0.5)
        #expect(request.topP == 0.9)
        #expect(request.stop == ["\n\nHuman:"])
        #expect(request.tools.map(\.name) == ["get_weather"])
        #expect(request.tools.first?.parameters?["required"] == ["city"])
        #expect(request.toolChoice == .auto)
        #expect(request.reasoningBudget == 2048)
        #expect(request.extra["additionalModelRequestFields"] == nil)
        #expect(request.extra["requestMetadata"] == ["tenant": "acme"])
    }
}

@Suite struct RequestEncodingTests {
    static let claude = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

    func encode(_ request: ChatRequest, model: String = claude) throws -> JSONValue {
        try BedrockRequest.encode(request, modelId: model)
    }

    func expectInvalid(_ request: ChatRequest, mentioning text: String, model: String = claude) {
        do {
            _ = try BedrockRequest.encode(request, modelId: model)
            Issue.record("expected .invalidRequest mentioning '\(text)'")
        } catch {
            #expect(error.kind == .invalidRequest)
            #expect(error.message.contains(text), "message was: \(error.message)")
        }
    }

    @Test func pathEncodesTheModelIdAsOneSegment() {
        #expect(BedrockRequest.path(modelId: Self.claude, stream: true)
            == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream")
        #expect(BedrockRequest.path(
            modelId: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", stream: false)
            == "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc/converse")
    }

    @Test func consecutiveRolesAreMergedAndToolResultsJoinTheUserTurn() throws {
        var assistant = Message.text(.assistant, "Checking both.")
        assistant.toolCalls = [
            ToolCall(id: "tooluse_1", name: "get_weather", arguments: #"{"city":"Paris"}"#),
            ToolCall(id: "tooluse_2", name: "get_weather", arguments: ""),
        ]
        var first = Message.text(.tool, #"{"temp_c":18}"#)
        first.toolCallId = "tooluse_1"
        var second = Message.text(.tool, "sunny, 25°C")
        second.toolCallId = "tooluse_2"
        second.toolResultIsError = true
        let request = ChatRequest(model: "m", messages: [
            .text(.system, "Be brief."), .text(.user, "Weather in Paris"), .text(.user, "and Rome?"), assistant,
            first, second, .text(.user, "Thanks"), .text(.developer, "Use metric."), .text(.assistant, ""),
            .text(.assistant, "You're welcome."), .text(.assistant, "Anything else?"),
        ])
        let body = try encode(request)
        #expect(body["system"] == [["text": "Be brief."], ["text": "Use metric."]])
        let expected: JSONValue = [
            ["role": "user", "content": [["text": "Weather in Paris"], ["text": "and Rome?"]]],
            [
                "role": "assistant",
                "content": [
                    ["text": "Checking both."],
                    ["toolUse": ["toolUseId": "tooluse_1", "name": "get_weather", "input": ["city": "Paris"]]],
                    ["toolUse": ["toolUseId": "tooluse_2", "name": "get_weather", "input": [:]]],
                ],
            ],
            [
                "role": "user",
                "content": [
                    ["toolResult": ["toolUseId": "tooluse_1", "content": [["json": ["temp_c": 18]]]]],
                    ["toolResult": ["toolUseId": "tooluse_2", "content": [["text": "sunny, 25°C"]], "status": "error"]],
                    ["text": "Thanks"],
                ],
            ],
            ["role": "assistant", "content": [["text": "You're welcome."], ["text": "Anything else?"]]],
        ]
        #expect(body["messages"] == expected)
    }

    @Test func conversationMustStartWithAUser() {
        expectInvalid(ChatRequest(model: "m", messages: [.text(.assistant, "Hi"), .text(.user, "Hello")]), mentioning: "start with a user")
        expectInvalid(ChatRequest(model: "m", messages: [.text(.system, "Only a system prompt")]), mentioning: "at least one")
    }

    @Test func toolChoiceMapsOrDropsTools() throws {
        let weather = ToolDefinition(
            name: "get_weather", description: "Weather", parameters: ["type": "object"], strict: true)
        var request = ChatRequest(model: "m", messages: [.text(.user, "Hi")])
        request.tools = [weather]
        let spec: JSONValue = [
            "toolSpec": ["name": "get_weather", "description": "Weather", "inputSchema": ["json": ["type": "object"]], "strict": true]
        ]
        let cases: [(ToolChoice?, JSONValue?)] = [
            (nil, nil), (.auto, ["auto": [:]]), (.required, ["any": [:]]),
            (.function(name: "get_weather"), ["tool": ["name": "get_weather"]]),
        ]
        for (choice, expected) in cases {
            request.toolChoice = choice
            let config = try encode(request)["toolConfig"]
            #expect(config?["tools"] == [spec])
            #expect(config?["toolChoice"] == expected)
        }
        request.toolChoice = ToolChoice.none
        #expect(try encode(request)["toolConfig"] == nil)
    }

    @Test func toolHistoryKeepsAToolConfig() throws {
        var call = Message(role: .assistant, content: [])
        call.toolCalls = [ToolCall(id: "tooluse_1", name: "lookup", arguments: "{}")]
        var result = Message.text(.tool, "42")
        result.toolCallId = "tooluse_1"
        var request = ChatRequest(model: "m", messages: [.text(.user, "Q"), call, result])
        // No tools sent at all: Bedrock still needs a toolConfig naming the tool used in the history.
        #expect(try encode(request)["toolConfig"] == [
            "tools": [["toolSpec": ["name": "lookup", "inputSchema": ["json": ["type": "object"]]]]]
        ])
        // tool_choice none with tools: the tools go, but without a choice.
        request.tools = [ToolDefinition(name: "lookup", parameters: ["type": "object", "properties": [:]])]
        request.toolChoice = ToolChoice.none
        let config = try encode(request)["toolConfig"]
        #expect(config?["tools"]?.arrayValue?.count == 1)
        #expect(config?["toolChoice"] == nil)
    }

    @Test func inferenceAndModelSpecificFields() throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "Hi")])
        request.maxOutputTokens = 300
        request.temperature = 0.2
        request.topP = 0.8
        request.stop = ["END"]
        request.topK = 40
        request.reasoningEffort = "medium"
        request.user = "user-7"
        request.extra = [
            "requestMetadata": ["tenant": "acme"], "logit_bias": ["1": 2], "guardrailConfig": ["guardrailIdentifier": "g"],
        ]
        let body = try encode(request)
        #expect(body["inferenceConfig"] == ["maxTokens": 300, "temperature": 0.2, "topP": 0.8, "stopSequences": ["END"]])
        #expect(body["additionalModelRequestFields"] == [
            "top_k": 40, "thinking": ["type": "enabled", "budget_tokens": 4096],
        ])
        #expect(body["requestMetadata"] == ["tenant": "acme", "user": "user-7"])
        #expect(body["guardrailConfig"] == ["guardrailIdentifier": "g"])
        // Another dialect's extras are not Converse members and must not reach Bedrock.
        #expect(body["logit_bias"] == nil)

        let nova = try encode(request, model: "amazon.nova-pro-v1:0")
        #expect(nova["additionalModelRequestFields"] == [
            "inferenceConfig": ["topK": 40], "reasoningConfig": ["type": "enabled", "maxReasoningEffort": "medium"],
        ])
        request.topK = nil
        let other = try encode(request, model: "openai.gpt-oss-120b-1:0")
        #expect(other["outputConfig"] == ["effort": "medium"])
        request.reasoningEffort = "none"
        #expect(try encode(request)["additionalModelRequestFields"] == nil)
    }

    @Test func jsonSchemaGoesAsAString() throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "Hi")])
        let schema: JSONValue = ["type": "object", "properties": ["a": ["type": "string"]], "additionalProperties": false]
        request.responseFormat = .jsonSchema(name: "answer", schema: schema, strict: true, description: "The answer")
        let format = try encode(request)["outputConfig"]?["textFormat"]
        #expect(format?["type"] == "json_schema")
        let spec = format?["structure"]?["jsonSchema"]
        #expect(spec?["name"] == "answer")
        #expect(spec?["description"] == "The answer")
        let text = try #require(spec?["schema"]?.stringValue)
        #expect(try JSON.parse(text) == schema)
        // And back.
        let decoded = try BedrockRequest.decode(try encode(request), modelId: "m", stream: false)
        #expect(decoded.responseFormat == .jsonSchema(name: "answer", schema: schema, strict: nil, description: "The answer"))
    }

    @Test func reasoningBlocksKeepTheirSignatures() throws {
        var assistant = Message.text(.assistant, "Answer")
        assistant.reasoning = [.text("thinking", signature: "sig=="), .redacted(data: "b64=="), .text("unsigned", signature: nil)]
        let request = ChatRequest(model: "m", messages: [.text(.user, "Q"), assistant, .text(.user, "More")])
        let content = try encode(request)["messages"]?.arrayValue?[1]["content"]
        #expect(content == [
            ["reasoningContent": ["reasoningText": ["text": "thinking", "signature": "sig=="]]],
            ["reasoningContent": ["redactedContent": "b64=="]],
            ["text": "Answer"],
        ])
        // Models other than Anthropic's may take reasoning without a signature.
        let other = try encode(request, model: "deepseek.r1-v1:0")["messages"]?.arrayValue?[1]["content"]?.arrayValue
        #expect(other?[2] == ["reasoningContent": ["reasoningText": ["text": "unsigned"]]])
    }

    @Test func documentsAndImagesFromDataURIs() throws {
        let request = ChatRequest(model: "m", messages: [
            Message(role: .user, content: [
                .file(data: "data:application/pdf;base64,JVBERi0=", fileId: nil, filename: "Q3 report.v2.pdf"),
                .file(data: "data:text/csv;base64,YSxi", fileId: nil, filename: nil),
                .file(data: "data:image/jpeg;base64,/9j/", fileId: nil, filename: "photo.jpg"),
                .image(url: "data:image/webp;base64,UklG", detail: "high"),
                .audio(data: "UklGRg==", format: "wav"),
                .other(["cachePoint": ["type": "default"]]),
            ])
        ])
        #expect(try encode(request)["messages"]?.arrayValue?[0]["content"] == [
            ["document": ["format": "pdf", "name": "Q3 report-v2", "source": ["bytes": "JVBERi0="]]],
            ["document": ["format": "csv", "name": "document-2", "source": ["bytes": "YSxi"]]],
            ["image": ["format": "jpeg", "source": ["bytes": "/9j/"]]],
            ["image": ["format": "webp", "source": ["bytes": "UklG"]]],
            ["audio": ["format": "wav", "source": ["bytes": "UklGRg=="]]],
            ["cachePoint": ["type": "default"]],
        ])
    }

    @Test func unsupportedFeaturesThrowClearErrors() {
        func user(_ part: ContentPart) -> ChatRequest {
            ChatRequest(model: "m", messages: [Message(role: .user, content: [part])])
        }
        expectInvalid(user(.image(url: "https://example.com/cat.png", detail: nil)), mentioning: "https://example.com/cat.png")
        expectInvalid(user(.image(url: "data:image/bmp;base64,Qk0=", detail: nil)), mentioning: "image/bmp")
        expectInvalid(user(.file(data: nil, fileId: "file-abc", filename: nil)), mentioning: "file-abc")
        expectInvalid(user(.file(data: "data:application/zip;base64,UEs=", fileId: nil, filename: "a.zip")), mentioning: "application/zip")
        expectInvalid(user(.other(["type": "input_video", "url": "x"])), mentioning: "input_video")

        var request = ChatRequest(model: "m", messages: [.text(.user, "Hi")])
        request.responseFormat = .jsonObject
        expectInvalid(request, mentioning: "JSON mode")
        request.responseFormat = nil
        request.choiceCount = 2
        expectInvalid(request, mentioning: "more than one choice")
        request.choiceCount = 1
        request.seed = 7
        expectInvalid(request, mentioning: "seed")
        request.seed = nil
        request.presencePenalty = 0.5
        expectInvalid(request, mentioning: "presence_penalty")
        request.presencePenalty = 0
        request.parallelToolCalls = false
        expectInvalid(request, mentioning: "parallel tool calls")
        request.parallelToolCalls = true
        request.reasoningEffort = "extreme"
        expectInvalid(request, mentioning: "extreme")

        var call = Message(role: .assistant, content: [])
        call.toolCalls = [ToolCall(id: "t1", name: "f", arguments: "[1,2]")]
        expectInvalid(ChatRequest(model: "m", messages: [.text(.user, "Hi"), call]), mentioning: "JSON object")
        var orphan = Message.text(.tool, "result")
        orphan.toolCallId = nil
        expectInvalid(ChatRequest(model: "m", messages: [.text(.user, "Hi"), orphan]), mentioning: "tool_call_id")
        let systemImage = ChatRequest(model: "m", messages: [
            Message(role: .system, content: [.image(url: "data:image/png;base64,AA==", detail: nil)]), .text(.user, "Hi"),
        ])
        expectInvalid(systemImage, mentioning: "text only")
    }

    @Test func encodedBodyIsCompactJSONWithoutAModelField() throws {
        let encoded = try BedrockCodec().encodeRequest(
            ChatRequest(model: "public-name", messages: [.text(.user, "Hello")]), upstreamModel: Self.claude)
        #expect(String(decoding: encoded.body, as: UTF8.self) == #"{"messages":[{"content":[{"text":"Hello"}],"role":"user"}]}"#)
        #expect(encoded.headers.isEmpty)
    }
}

/// What Converse cannot carry but the gateway honours another way (issue 11 §2): adjusted, not refused.
@Suite struct BedrockAdjustmentTests {
    @Test func parallelToolCallsOffSeedPenaltiesAndJSONModeAreAdjusted() throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "Hi")])
        request.tools = [ToolDefinition(name: "a"), ToolDefinition(name: "b")]
        request.parallelToolCalls = false
        request.seed = 7
        request.presencePenalty = 0.5
        request.frequencyPenalty = 0.25
        request.responseFormat = .jsonObject
        let encoded = try BedrockCodec().encodeRequest(request, upstreamModel: "anthropic.claude-sonnet-4-5-20250929-v1:0")
        #expect(encoded.adjustments == ["parallel_tool_calls", "response_format", "seed", "presence_penalty", "frequency_penalty"])
        let body = try JSON.parse(encoded.body)
        let format = body["outputConfig"]?["textFormat"]
        #expect(format?["type"] == "json_schema")
        #expect(format?["structure"]?["jsonSchema"]?["schema"] == #"{"type":"object"}"#)
        #expect(body["toolConfig"]?["tools"]?.arrayValue?.count == 2)
    }

    @Test func nothingToAdjustReportsNothing() throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "Hi")])
        request.parallelToolCalls = true
        request.presencePenalty = 0
        #expect(try BedrockCodec().encodeRequest(request, upstreamModel: "amazon.nova-pro-v1:0").adjustments.isEmpty)
        request.parallelToolCalls = false
        #expect(try BedrockCodec().encodeRequest(request, upstreamModel: "amazon.nova-pro-v1:0").adjustments.isEmpty, "no tools")
    }

    @Test func moreThanOneChoiceIsStillRefused() {
        var request = ChatRequest(model: "m", messages: [.text(.user, "Hi")])
        request.choiceCount = 2
        #expect(throws: GatewayError.self) { try BedrockCodec().encodeRequest(request, upstreamModel: "amazon.nova-pro-v1:0") }
    }
}
