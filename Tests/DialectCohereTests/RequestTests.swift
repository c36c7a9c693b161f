@testable import DialectCohere
import DialectOpenAI
import SwitchyardCore
import Testing

/// Golden and feature tests of the request codec (Request.swift).
@Suite struct CohereRequestTests {
    let codec = CohereCodec()

    static var requestFixtures: [String] { CohereFixtures.files(kind: "request") }

    /// The one normalisation of the request encoder: it always states `stream`, as the official SDK does.
    static func normalise(_ value: JSONValue) -> JSONValue {
        guard case .object(var body) = normaliseNumbers(value) else { return value }
        if body["stream"] == false { body["stream"] = nil }
        return .object(body)
    }

    @Test func fixturesAreListed() {
        #expect(Self.requestFixtures == ["chat-request-tool-result.json", "chat-request.json"])
    }

    @Test(arguments: requestFixtures)
    func requestRoundTrip(file: String) throws {
        let original = try CohereFixtures.json(file)
        let decoded = try codec.decodeRequest(try CohereFixtures.bytes(file))
        let encoded = try codec.encodeRequest(decoded, upstreamModel: decoded.model)
        #expect(encoded.path == "/v2/chat")
        let body = try JSON.parse(encoded.body)
        #expect(try codec.decodeRequest(encoded.body) == decoded, "canonical form is stable")
        let problems = differences(Self.normalise(original), Self.normalise(body))
        #expect(problems.isEmpty, "\(file): \(problems)")
    }

    @Test func decodesSamplingFields() throws {
        let request = try codec.decodeRequest(try CohereFixtures.bytes("chat-request.json"))
        #expect(request.model == "command-a-03-2025")
        #expect(request.messages.map(\.role) == [.system, .user])
        #expect(request.messages[0].text == "Be brief.")
        #expect(request.maxOutputTokens == 512)
        #expect(request.stop == ["END"])
        #expect(request.temperature == 0.3)
        #expect(request.seed == 7)
        #expect(request.topK == 40)
        #expect(request.topP == 0.9)
        #expect(request.stream == false)
        #expect(request.tools.map(\.name) == ["get_weather"])
        #expect(request.tools[0].parameters?["required"] == ["city"])
        #expect(request.extra.isEmpty)
    }

    @Test func decodesToolTurn() throws {
        let request = try codec.decodeRequest(try CohereFixtures.bytes("chat-request-tool-result.json"))
        #expect(request.messages.map(\.role) == [.user, .assistant, .tool])
        let assistant = request.messages[1]
        #expect(assistant.content.isEmpty)
        #expect(assistant.reasoning == [.text("I will look up the weather in Paris.", signature: nil)])
        #expect(assistant.toolCalls == [ToolCall(id: "get_weather_la33nmwhd9lf", name: "get_weather", arguments: #"{"city":"Paris"}"#)])
        let tool = request.messages[2]
        #expect(tool.toolCallId == "get_weather_la33nmwhd9lf")
        guard case .other(let document) = tool.content.first else {
            Issue.record("the document part is kept whole")
            return
        }
        #expect(document["document"]?["data"] == #"{"temp_c":18,"conditions":"cloudy"}"#)
    }

    /// An OpenAI client's tool loop, as the gateway forwards it to Cohere.
    @Test func encodesOpenAIToolLoop() throws {
        let request = try OpenAIRequest.decode(try CohereFixtures.json("chat-request-tools.json", provider: "openai"))
        let body = try JSON.parse(try codec.encodeRequest(request, upstreamModel: "command-a-03-2025").body)
        #expect(body["model"] == "command-a-03-2025")
        #expect(body["tool_choice"] == nil, "auto is Cohere's default and has no value")
        #expect(body["max_tokens"] == 300)
        #expect(body["strict_tools"] == true)
        #expect(body["tools"]?[item: 0]?["function"]?["strict"] == nil)
        #expect(body["parallel_tool_calls"] == nil)
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant", "tool", "tool"])
        #expect(messages[2]["content"] == nil)
        #expect(messages[2]["tool_plan"] == nil)
        #expect(messages[2]["tool_calls"]?[item: 1]?["function"]?["arguments"] == #"{"tz":"Europe/Paris"}"#)
        #expect(messages[3] == ["role": "tool", "tool_call_id": "call_jR4YfKNQQhQhX4j82keKPgCl", "content": #"{"temp_c":18,"conditions":"cloudy"}"#])
        #expect(messages[4]["content"] == [["type": "text", "text": "14:05"]])
    }

    @Test func encodesImagesAsImageURLParts() throws {
        var request = ChatRequest(model: "m", messages: [])
        request.messages = [Message(role: .user, content: [.text("What is this?"), .image(url: "data:image/png;base64,AAAA", detail: "low")])]
        let body = try JSON.parse(try codec.encodeRequest(request, upstreamModel: "command-a-vision-07-2025").body)
        #expect(body["messages"]?[item: 0]?["content"]?[item: 1] == ["type": "image_url", "image_url": ["url": "data:image/png;base64,AAAA", "detail": "low"]])
    }

    @Test func encodesToolChoiceAndFormats() throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        request.tools = [ToolDefinition(name: "a"), ToolDefinition(name: "b")]
        request.toolChoice = ToolChoice.none
        #expect(try encode(request)["tool_choice"] == "NONE")
        request.toolChoice = .required
        #expect(try encode(request)["tool_choice"] == "REQUIRED")
        request.toolChoice = .auto
        #expect(try encode(request)["tool_choice"] == nil)
        // With a single tool, forcing it is the same as requiring a call.
        request.tools = [ToolDefinition(name: "a")]
        request.toolChoice = .function(name: "a")
        #expect(try encode(request)["tool_choice"] == "REQUIRED")

        request.responseFormat = .jsonObject
        #expect(try encode(request)["response_format"] == ["type": "json_object"])
        let schema: JSONValue = ["type": "object", "properties": ["x": ["type": "integer"]]]
        request.responseFormat = .jsonSchema(name: "answer", schema: schema, strict: true, description: nil)
        #expect(try encode(request)["response_format"] == ["type": "json_object", "json_schema": schema])
        request.responseFormat = .text
        #expect(try encode(request)["response_format"] == ["type": "text"])

        request.frequencyPenalty = 0.5
        request.presencePenalty = 0.25
        request.stream = true
        let body = try encode(request)
        #expect(body["frequency_penalty"] == 0.5)
        #expect(body["presence_penalty"] == 0.25)
        #expect(body["stream"] == true)
    }

    @Test func decodesResponseFormatSchema() throws {
        let body = #"{"model":"m","messages":[],"response_format":{"type":"json_object","json_schema":{"type":"object"}}}"#
        let request = try codec.decodeRequest(Array(body.utf8))
        #expect(request.responseFormat == .jsonSchema(name: "response", schema: ["type": "object"], strict: nil, description: nil))
    }

    static let thinkingCases: [(String?, Int?, JSONValue?)] = [
        (nil, 2000, .object(["type": "enabled", "token_budget": 2000])),
        (nil, 0, .object(["type": "disabled"])),
        ("none", nil, .object(["type": "disabled"])),
        ("low", nil, .object(["type": "enabled", "token_budget": 1024])),
        ("medium", nil, .object(["type": "enabled", "token_budget": 4096])),
        ("high", nil, .object(["type": "enabled"])),
        ("high", 500, .object(["type": "enabled", "token_budget": 500])),
        (nil, nil, nil),
    ]

    @Test(arguments: thinkingCases)
    func encodesThinking(effort: String?, budget: Int?, expected: JSONValue?) throws {
        var request = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        request.reasoningEffort = effort
        request.reasoningBudget = budget
        let body = try encode(request)
        #expect(body["thinking"] == expected)
        // Decoding gives back controls that encode to the same thing.
        let again = try codec.decodeRequest(JSON.encode(body))
        #expect(try encode(again)["thinking"] == expected)
    }

    @Test func assistantReasoningBecomesThinkingAndToolPlan() throws {
        var assistant = Message(role: .assistant, content: [.text("Let me check.")], contentWasText: true)
        assistant.reasoning = [.text("thought one", signature: "sig"), .redacted(data: "opaque"), .text("the plan", signature: nil)]
        assistant.toolCalls = [ToolCall(id: "c1", name: "f", arguments: "{}")]
        let request = ChatRequest(model: "m", messages: [.text(.user, "hi"), assistant])
        let message = try encode(request)["messages"]?[item: 1]
        #expect(message?["tool_plan"] == "the plan")
        #expect(message?["content"] == [["type": "thinking", "thinking": "thought one"], ["type": "text", "text": "Let me check."]])
        // Without tool calls, every reasoning block is thinking.
        assistant.toolCalls = []
        let plain = try encode(ChatRequest(model: "m", messages: [assistant]))["messages"]?[item: 0]
        #expect(plain?["tool_plan"] == nil)
        #expect(plain?["content"]?.arrayValue?.count == 3)
    }

    @Test func extraFieldsPassOnlyWhenCohere() throws {
        var request = ChatRequest(model: "m", messages: [.text(.developer, "rules"), .text(.user, "hi")])
        request.extra = ["safety_mode": "OFF", "documents": .array([["data": ["text": "doc"]]]), "logit_bias": ["1": 2], "store": true]
        request.user = "u-1"
        let body = try encode(request)
        #expect(body["safety_mode"] == "OFF")
        #expect(body["documents"] != nil)
        #expect(body["logit_bias"] == nil)
        #expect(body["store"] == nil)
        #expect(body["user"] == nil)
        #expect(body["messages"]?[item: 0]?["role"] == "system")
    }

    @Test func unsupportedFeaturesThrowClearErrors() throws {
        let tools = [ToolDefinition(name: "get_weather"), ToolDefinition(name: "get_time")]
        var forced = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        forced.tools = tools
        forced.toolChoice = .function(name: "get_other")
        expectInvalid(forced, param: "tool_choice", mentioning: "get_other")

        var many = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        many.choiceCount = 2
        expectInvalid(many, param: "n", mentioning: "one answer")

        let audio = ChatRequest(model: "m", messages: [Message(role: .user, content: [.audio(data: "AAAA", format: "wav")])])
        expectInvalid(audio, param: "messages[0].content[0]", mentioning: "audio")

        let file = ChatRequest(model: "m", messages: [Message(role: .user, content: [.file(data: "data:application/pdf;base64,AA", fileId: nil, filename: "a.pdf")])])
        expectInvalid(file, param: "messages[0].content[0]", mentioning: "files")

        let systemImage = ChatRequest(model: "m", messages: [Message(role: .system, content: [.image(url: "https://x/y.png", detail: nil)])])
        expectInvalid(systemImage, param: "messages[0].content[0]", mentioning: "images")

        let foreignPart = ChatRequest(model: "m", messages: [Message(role: .user, content: [.other(["type": "input_audio"])])])
        expectInvalid(foreignPart, param: "messages[0].content[0]", mentioning: "input_audio")

        var orphan = Message(role: .tool, content: [.text("42")], contentWasText: true)
        orphan.toolCallId = nil
        expectInvalid(ChatRequest(model: "m", messages: [orphan]), param: "messages[0].tool_call_id", mentioning: "tool_call_id")

        var effort = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        effort.reasoningEffort = "ludicrous"
        expectInvalid(effort, param: "reasoning_effort", mentioning: "reasoning_effort")
    }

    /// The OpenAI fixture that forces one of two tools: only that tool is offered, with `REQUIRED` — the same
    /// constraint (that tool is called) — and the adjustment is reported.
    @Test func forcedToolFixtureOffersOnlyThatTool() throws {
        let request = try OpenAIRequest.decode(try CohereFixtures.json("chat-request-tool-choice-forced.json", provider: "openai"))
        guard case .function(let name)? = request.toolChoice, request.tools.count > 1 else {
            Issue.record("the fixture forces one of several tools")
            return
        }
        let encoded = try codec.encodeRequest(request, upstreamModel: "command-a-03-2025")
        let body = try JSON.parse(encoded.body)
        #expect(body["tool_choice"] == "REQUIRED")
        #expect(body["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue } == [name])
        #expect(encoded.adjustments == [Adjustment.parallelToolCalls, Adjustment.toolChoice], "the fixture also turns parallel calls off")
    }

    /// `parallel_tool_calls: false` is not sent (Cohere has no switch); the gateway enforces it on the answer.
    @Test func serialToolCallsAreAnAdjustment() throws {
        var serial = ChatRequest(model: "m", messages: [.text(.user, "hi")])
        serial.tools = [ToolDefinition(name: "get_weather"), ToolDefinition(name: "get_time")]
        serial.parallelToolCalls = false
        let encoded = try codec.encodeRequest(serial, upstreamModel: "command-a-03-2025")
        #expect(try JSON.parse(encoded.body)["parallel_tool_calls"] == nil)
        #expect(encoded.adjustments == [Adjustment.parallelToolCalls])
        serial.tools = []
        #expect(try codec.encodeRequest(serial, upstreamModel: "command-a-03-2025").adjustments.isEmpty, "no tools, nothing to enforce")
    }

    @Test func malformedRequestsAreInvalid() {
        for body in ["not json", "[]", #"{"messages":[]}"#, #"{"model":"m"}"#, #"{"model":"m","messages":[{"role":"bot"}]}"#,
            #"{"model":"m","messages":[],"tool_choice":"ANY"}"#, #"{"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}"#]
        {
            do {
                _ = try codec.decodeRequest(Array(body.utf8))
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.kind == .invalidRequest, "\(body)")
            }
        }
    }

    func encode(_ request: ChatRequest) throws -> JSONValue {
        try JSON.parse(try codec.encodeRequest(request, upstreamModel: "command-a-03-2025").body)
    }

    func expectInvalid(_ request: ChatRequest, param: String, mentioning phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try codec.encodeRequest(request, upstreamModel: "m")
            Issue.record("expected \(param) to be refused", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == .invalidRequest, sourceLocation: sourceLocation)
            #expect(error.param == param, sourceLocation: sourceLocation)
            #expect(error.message.contains(phrase), "\(error.message)", sourceLocation: sourceLocation)
        }
    }
}
