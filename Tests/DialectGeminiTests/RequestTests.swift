import Testing
import SwitchyardCore
@testable import DialectGemini

/// Golden tests of the request codec against every request fixture, and the encoder's mapping of canonical requests.
@Suite struct RequestTests {
    let codec = GeminiCodec()

    /// The fixture as the encoder is documented to write it back:
    /// - `parameters` (OpenAPI-subset Schema) becomes `parametersJsonSchema` with lower-case JSON Schema types;
    /// - `fileData.mimeType` is dropped when neither URI nor file name reveals it (canonical parts have no slot);
    /// - `includeThoughts: true` is added whenever thinking is configured.
    static func expectedReencoding(_ file: String, _ fixture: JSONValue) -> JSONValue {
        var expected = fixture
        switch file {
        case "generate-request-tools.json":
            let declaration: JSONValue = [
                "name": "get_local_time", "description": "Get the local time in an IANA time zone.",
                "parametersJsonSchema": [
                    "type": "object",
                    "properties": ["tz": ["type": "string", "description": "IANA zone, e.g. Europe/Paris"]],
                    "required": ["tz"],
                ],
            ]
            expected = JSONDiff.setting(declaration, at: ["tools", 0, "functionDeclarations", 1], in: expected)
        case "generate-request-multiturn.json":
            expected = JSONDiff.setting(nil, at: ["contents", 0, "parts", 2, "fileData", "mimeType"], in: expected)
            expected = JSONDiff.setting(true, at: ["generationConfig", "thinkingConfig", "includeThoughts"], in: expected)
        default:
            break
        }
        return expected
    }

    /// The argument list below comes from the manifest: a moved or emptied manifest must fail, not pass on zero.
    @Test func requestFixturesArePresent() throws {
        #expect(try Fixtures.names(kind: "request").count == 3)
    }

    @Test(arguments: try Fixtures.names(kind: "request"))
    func fixtureRoundTrips(_ file: String) throws {
        let model = try Fixtures.model(file)
        #expect(!model.isEmpty)
        let fixture = try Fixtures.json(file)
        let request = try codec.decodeRequest(try Fixtures.bytes(file), model: model, stream: false)
        let encoded = try codec.encodeRequest(request, upstreamModel: model)
        #expect(encoded.path == "/models/\(model):generateContent")
        let differences = JSONDiff.differences(Self.expectedReencoding(file, fixture), try JSON.parse(encoded.body))
        #expect(differences.isEmpty, "\(file): \(differences)")
    }

    @Test func decodesToolsFixtureIntoCanonicalFields() throws {
        let request = try codec.decodeRequest(try Fixtures.bytes("generate-request-tools.json"), model: "gemini-2.5-flash", stream: false)
        #expect(request.messages.first == Message(role: .system, content: [.text("You are a concise travel assistant.")], contentWasText: true))
        #expect(request.messages.count == 2)
        #expect(request.tools.map(\.name) == ["get_weather", "get_local_time"])
        #expect(request.tools[1].parameters?["properties"]?["tz"]?["type"] == "string")
        #expect(request.toolChoice == .auto)
        #expect(request.temperature == 0.4)
        #expect(request.topP == 0.95)
        #expect(request.topK == 40)
        #expect(request.choiceCount == 1)
        #expect(request.maxOutputTokens == 1024)
        #expect(request.stop == ["END"])
        #expect(request.seed == 7)
        #expect(request.reasoningBudget == 512)
        #expect(request.extra["safetySettings"]?.arrayValue?.count == 2)
    }

    @Test func decodesMultiturnFixtureMatchingResultsToCalls() throws {
        let request = try codec.decodeRequest(
            try Fixtures.bytes("generate-request-multiturn.json"), model: "gemini-3-flash-preview", stream: true)
        #expect(request.stream)
        #expect(request.messages.map(\.role) == [.user, .assistant, .tool])
        let call = try #require(request.messages[1].toolCalls.first)
        #expect(call.name == "get_weather")
        #expect(call.arguments == #"{"city":"Paris"}"#)
        #expect(call.signature?.hasPrefix("CssB7e") == true)
        #expect(call.id.hasPrefix("call_") && call.id.count == 29)
        #expect(request.messages[2].toolCallId == call.id)
        #expect(request.messages[2].text == #"{"conditions":"cloudy","temp_c":18}"#)
        #expect(request.messages[0].content.count == 3)
        if case .image(let url, _) = request.messages[0].content[1] {
            #expect(url.hasPrefix("data:image/png;base64,iVBOR"))
        } else {
            Issue.record("the inline image should decode to an image part")
        }
        #expect(request.reasoningEffort == "low")
    }

    @Test func decodesSnakeCaseAsTheSDKSendsIt() throws {
        let body = #"""
            {"contents":[{"role":"user","parts":[{"text":"hi"}]}],
             "system_instruction":{"parts":[{"text":"be brief"}]},
             "generation_config":{"max_output_tokens":20,"thinking_config":{"thinking_budget":0}},
             "safety_settings":[]}
            """#
        let request = try codec.decodeRequest(Array(body.utf8), model: "gemini-2.5-flash", stream: false)
        #expect(request.messages.first?.role == .system)
        #expect(request.maxOutputTokens == 20)
        #expect(request.reasoningBudget == 0)
        #expect(request.extra["safetySettings"] == [])
    }

    // MARK: Encoding canonical requests

    func encode(_ request: ChatRequest, model: String = "gemini-2.5-flash") throws -> JSONValue {
        try JSON.parse(try codec.encodeRequest(request, upstreamModel: model).body)
    }

    func errorOf(_ request: ChatRequest, model: String = "gemini-2.5-flash") -> GatewayError? {
        do {
            _ = try codec.encodeRequest(request, upstreamModel: model)
            return nil
        } catch {
            return error
        }
    }

    @Test func pathsNameTheMethodAndNeverTheKey() throws {
        var request = ChatRequest(model: "public-name", messages: [.text(.user, "hi")])
        #expect(try codec.encodeRequest(request, upstreamModel: "gemini-2.5-flash").path == "/models/gemini-2.5-flash:generateContent")
        request.stream = true
        #expect(
            try codec.encodeRequest(request, upstreamModel: "gemini-2.5-flash").path
                == "/models/gemini-2.5-flash:streamGenerateContent?alt=sse")
        #expect(GeminiRequest.path(model: "models/gemini-2.5-pro", stream: false) == "/models/gemini-2.5-pro:generateContent")
        #expect(GeminiRequest.path(model: "tunedModels/my-model", stream: false) == "/tunedModels/my-model:generateContent")
        #expect(GeminiRequest.path(model: "odd name/x:y?", stream: false) == "/models/odd%20name%2Fx%3Ay%3F:generateContent")
        #expect(!GeminiRequest.path(model: "gemini-2.5-flash", stream: true).contains("key="))
        #expect(try codec.encodeRequest(request, upstreamModel: "gemini-2.5-flash").headers.isEmpty)
    }

    @Test func systemAndDeveloperMessagesBecomeSystemInstruction() throws {
        let request = ChatRequest(
            model: "m", messages: [.text(.system, "one"), .text(.developer, "two"), .text(.user, "hi"), .text(.assistant, "hello")])
        let body = try encode(request)
        #expect(body["systemInstruction"] == ["parts": [["text": "one"], ["text": "two"]]])
        #expect(body["contents"] == [["role": "user", "parts": [["text": "hi"]]], ["role": "model", "parts": [["text": "hello"]]]])
    }

    @Test func mediaPartsMapToInlineOrFileData() throws {
        let user = Message(
            role: .user,
            content: [
                .image(url: "data:image/jpeg;base64,/9j/AA==", detail: "high"),
                .image(url: "gs://bucket/cat.png", detail: nil),
                .image(url: "https://www.youtube.com/watch?v=abc", detail: nil),
                .audio(data: "UklGRg==", format: "wav"),
                .file(data: "data:application/pdf;base64,JVBERi0=", fileId: nil, filename: "a.pdf"),
                .file(data: nil, fileId: "files/abc123", filename: "report.pdf"),
            ])
        let parts = try encode(ChatRequest(model: "m", messages: [user]))["contents"]?[0]?["parts"]
        #expect(
            parts == [
                ["inlineData": ["mimeType": "image/jpeg", "data": "/9j/AA=="]],
                ["fileData": ["fileUri": "gs://bucket/cat.png", "mimeType": "image/png"]],
                ["fileData": ["fileUri": "https://www.youtube.com/watch?v=abc"]],
                ["inlineData": ["mimeType": "audio/wav", "data": "UklGRg=="]],
                ["inlineData": ["mimeType": "application/pdf", "data": "JVBERi0="]],
                [
                    "fileData": [
                        "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/abc123", "mimeType": "application/pdf",
                    ]
                ],
            ])
    }

    @Test func unsupportedContentIsRejectedClearly() {
        let webImage = ChatRequest(model: "m", messages: [Message(role: .user, content: [.image(url: "https://example.com/cat.png", detail: nil)])])
        let error = errorOf(webImage)
        #expect(error?.kind == .invalidRequest)
        #expect(error?.param == "messages[0].content[0]")
        #expect(error?.message.contains("image URLs") == true)

        let openAIFile = ChatRequest(model: "m", messages: [Message(role: .user, content: [.file(data: nil, fileId: "file-abc", filename: nil)])])
        #expect(errorOf(openAIFile)?.kind == .invalidRequest)

        let foreignPart = ChatRequest(model: "m", messages: [Message(role: .user, content: [.other(["type": "input_video", "url": "x"])])])
        #expect(errorOf(foreignPart)?.message.contains("input_video") == true)

        let systemImage = ChatRequest(
            model: "m", messages: [Message(role: .system, content: [.image(url: "data:image/png;base64,AA==", detail: nil)]), .text(.user, "hi")])
        #expect(errorOf(systemImage)?.kind == .invalidRequest)

        var badArguments = Message(role: .assistant, content: [])
        badArguments.toolCalls = [ToolCall(id: "call_1", name: "f", arguments: "{not json")]
        #expect(errorOf(ChatRequest(model: "m", messages: [.text(.user, "hi"), badArguments]))?.kind == .invalidRequest)

        #expect(errorOf(ChatRequest(model: "m", messages: [.text(.system, "only system")]))?.kind == .invalidRequest)

        var badEffort = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        badEffort.reasoningEffort = "extreme"
        #expect(errorOf(badEffort)?.param == "reasoning_effort")
    }

    @Test func geminiPartsInOtherPassThrough() throws {
        let code: JSONValue = ["executableCode": ["language": "PYTHON", "code": "print(1)"]]
        let request = ChatRequest(model: "m", messages: [Message(role: .user, content: [.other(code)])])
        #expect(try encode(request)["contents"]?[0]?["parts"] == [code])
    }

    @Test func toolsAndToolChoice() throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        let schema: JSONValue = ["type": "object", "properties": ["city": ["type": "string"]]]
        request.tools = [ToolDefinition(name: "get_weather", description: "Weather", parameters: schema, strict: true)]
        let expectedTools: JSONValue = [
            ["functionDeclarations": [["name": "get_weather", "description": "Weather", "parametersJsonSchema": schema]]]
        ]
        #expect(try encode(request)["tools"] == expectedTools)
        #expect(try encode(request)["toolConfig"] == nil)
        let cases: [(ToolChoice, JSONValue)] = [
            (.auto, ["mode": "AUTO"]), (.none, ["mode": "NONE"]), (.required, ["mode": "ANY"]),
            (.function(name: "get_weather"), ["mode": "ANY", "allowedFunctionNames": ["get_weather"]]),
        ]
        for (choice, expected) in cases {
            request.toolChoice = choice
            #expect(try encode(request)["toolConfig"] == ["functionCallingConfig": expected])
        }
    }

    @Test func generationConfigAndResponseFormat() throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        request.maxOutputTokens = 100
        request.temperature = 0.5
        request.topP = 0.9
        request.topK = 20
        request.stop = ["x", "y"]
        request.seed = 3
        request.choiceCount = 2
        request.presencePenalty = 0.1
        request.frequencyPenalty = 0.2
        request.user = "not carried"
        let schema: JSONValue = ["type": "object"]
        request.responseFormat = .jsonSchema(name: "event", schema: schema, strict: true, description: nil)
        let expected: JSONValue = [
            "maxOutputTokens": 100, "temperature": 0.5, "topP": 0.9, "topK": 20, "stopSequences": ["x", "y"], "seed": 3,
            "candidateCount": 2, "presencePenalty": 0.1, "frequencyPenalty": 0.2, "responseMimeType": "application/json",
            "responseJsonSchema": schema,
        ]
        #expect(JSONDiff.differences(expected, try encode(request)["generationConfig"] ?? .null) == [])
        request.responseFormat = .jsonObject
        let config = try encode(request)["generationConfig"]
        #expect(config?["responseMimeType"] == "application/json")
        #expect(config?["responseJsonSchema"] == nil)
    }

    @Test(arguments: [
        ("gemini-2.5-flash", "none", ["thinkingBudget": 0]),
        ("gemini-2.5-flash", "low", ["thinkingBudget": 1024, "includeThoughts": true]),
        ("gemini-2.5-flash", "medium", ["thinkingBudget": 8192, "includeThoughts": true]),
        ("gemini-2.5-flash", "high", ["thinkingBudget": 24576, "includeThoughts": true]),
        ("gemini-2.5-pro", "none", ["thinkingBudget": 128]),
        ("gemini-2.5-pro", "max", ["thinkingBudget": 32768, "includeThoughts": true]),
        ("gemini-3-pro-preview", "high", ["thinkingLevel": "HIGH", "includeThoughts": true]),
        ("models/gemini-3.1-flash-lite", "low", ["thinkingLevel": "LOW", "includeThoughts": true]),
        ("gemini-3-flash-preview", "minimal", ["thinkingLevel": "MINIMAL", "includeThoughts": true]),
        ("gemini-3-flash-preview", "max", ["thinkingLevel": "XHIGH", "includeThoughts": true]),
    ] as [(String, String, JSONValue)])
    func reasoningEffortMapsPerGeneration(_ model: String, _ effort: String, _ expected: JSONValue) throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        request.reasoningEffort = effort
        #expect(try encode(request, model: model)["generationConfig"]?["thinkingConfig"] == expected)
    }

    @Test func explicitBudgetWinsOverEffort() throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        request.reasoningEffort = "high"
        request.reasoningBudget = 2048
        #expect(
            try encode(request, model: "gemini-3-pro-preview")["generationConfig"]?["thinkingConfig"]
                == ["thinkingBudget": 2048, "includeThoughts": true])
        request.reasoningBudget = nil
        request.reasoningEffort = nil
        #expect(try encode(request)["generationConfig"] == nil)
    }

    @Test func toolResultsFindTheirNamesByCallId() throws {
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [
            ToolCall(id: "call_AAAAAAAAAAAAAAAAAAAAAAAA", name: "get_weather", arguments: #"{"city":"Paris"}"#),
            ToolCall(id: "call_BBBBBBBBBBBBBBBBBBBBBBBB", name: "get_local_time", arguments: ""),
        ]
        var first = Message.text(.tool, "18 degrees")
        first.toolCallId = "call_BBBBBBBBBBBBBBBBBBBBBBBB"
        var second = Message.text(.tool, #"{"tz": "Europe/Paris"}"#)
        second.toolCallId = "call_AAAAAAAAAAAAAAAAAAAAAAAA"
        second.toolResultIsError = true
        let request = ChatRequest(model: "m", messages: [.text(.user, "hi"), assistant, first, second, .text(.user, "thanks")])
        let contents = try #require(try encode(request)["contents"]?.arrayValue)
        #expect(contents.count == 4)
        #expect(
            contents[1]["parts"] == [
                ["functionCall": ["name": "get_weather", "args": ["city": "Paris"]]],
                ["functionCall": ["name": "get_local_time", "args": [:]]],
            ])
        #expect(
            contents[2] == [
                "role": "user",
                "parts": [
                    ["functionResponse": ["name": "get_local_time", "response": ["output": "18 degrees"]]],
                    ["functionResponse": ["name": "get_weather", "response": ["error": ["tz": "Europe/Paris"]]]],
                ],
            ])
        #expect(contents[3] == ["role": "user", "parts": [["text": "thanks"]]])
    }

    @Test func nativeGeminiIdsAreEchoed() throws {
        var assistant = Message(role: .assistant, content: [])
        assistant.toolCalls = [ToolCall(id: "a1b2c3", name: "f", arguments: "{}")]
        var result = Message.text(.tool, "ok")
        result.toolCallId = "a1b2c3"
        let contents = try encode(ChatRequest(model: "m", messages: [.text(.user, "hi"), assistant, result]))["contents"]
        #expect(contents?[1]?["parts"]?[0]?["functionCall"]?["id"] == "a1b2c3")
        #expect(contents?[2]?["parts"]?[0]?["functionResponse"]?["id"] == "a1b2c3")
    }

    @Test func toolResultWithoutACallIsRejected() {
        var orphan = Message.text(.tool, "ok")
        orphan.toolCallId = "call_unknown"
        let error = errorOf(ChatRequest(model: "m", messages: [.text(.user, "hi"), orphan]))
        #expect(error?.kind == .invalidRequest)
        #expect(error?.param == "messages[1].tool_call_id")
    }

    @Test func reasoningWithSignaturesReplaysAsThoughtParts() throws {
        var assistant = Message(role: .assistant, content: [.text("Answer.")])
        assistant.reasoning = [.text("Thinking…", signature: "sigA"), .redacted(data: "opaque"), .text("", signature: "sigB")]
        let parts = try encode(ChatRequest(model: "m", messages: [.text(.user, "hi"), assistant]))["contents"]?[1]?["parts"]
        #expect(
            parts == [
                ["text": "Thinking…", "thought": true, "thoughtSignature": "sigA"],
                ["text": "Answer.", "thoughtSignature": "sigB"],
            ])
    }
}
