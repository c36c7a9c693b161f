import DialectAnthropic
import DialectBedrock
import DialectCohere
import DialectGemini
import DialectOpenAI
import SwitchyardCore
import Testing

/// One canonical conversation through every dialect codec and back: requests, responses and streams.
/// What a wire format can carry must survive; what it cannot is either a clear error or one of the
/// documented, deliberate omissions listed per dialect below.
@Suite struct DialectMatrixTests {
    /// A dialect's encoders and decoders in both directions, as the codecs expose them.
    struct Dialect: Sendable, CustomTestStringConvertible {
        let name: String
        let encodeRequest: @Sendable (ChatRequest) throws(GatewayError) -> JSONValue
        let decodeRequest: @Sendable (JSONValue) throws(GatewayError) -> ChatRequest
        let encodeResponse: @Sendable (ChatResponse) throws(GatewayError) -> JSONValue
        let decodeResponse: @Sendable (JSONValue) throws(GatewayError) -> ChatResponse
        let encodeStream: @Sendable ([StreamEvent]) -> [UInt8]
        let decodeStream: @Sendable ([UInt8]) -> [StreamEvent]
        /// Tool-call ids survive (Gemini has none on most models: the gateway makes them up).
        var keepsCallIDs = true
        /// Reasoning signatures survive (Cohere has no field for another provider's signature).
        var keepsSignatures = true
        var testDescription: String { name }
    }

    static let model = "model-x"

    static let dialects: [Dialect] = [
        Dialect(
            name: "openai",
            encodeRequest: { OpenAIRequest.encode($0) },
            decodeRequest: { json throws(GatewayError) in try OpenAIRequest.decode(json) },
            encodeResponse: { OpenAIResponse.encode($0) },
            decodeResponse: { json throws(GatewayError) in try OpenAIResponse.decode(JSON.encode(json)) },
            encodeStream: { events in
                var encoder = OpenAIStreamEncoder(id: "chatcmpl-1", model: model, created: 1, includeUsage: true)
                return events.flatMap { encoder.encode($0) } + encoder.finish()
            },
            decodeStream: { bytes in
                var decoder = OpenAIStreamDecoder()
                return decoder.feed(bytes) + decoder.finish()
            }),
        Dialect(
            name: "anthropic",
            encodeRequest: { request throws(GatewayError) in try AnthropicRequest.encode(request, model: model) },
            decodeRequest: { json throws(GatewayError) in try AnthropicRequest.decode(json) },
            encodeResponse: { AnthropicResponse.encode($0, model: model) },
            decodeResponse: { json throws(GatewayError) in try AnthropicResponse.decode(json) },
            encodeStream: { events in
                var encoder = AnthropicStreamEncoder(id: "msg_1", model: model)
                return events.flatMap { encoder.encode($0) } + encoder.finish()
            },
            decodeStream: { bytes in
                var decoder = AnthropicStreamDecoder()
                return decoder.feed(bytes) + decoder.finish()
            }),
        Dialect(
            name: "gemini",
            encodeRequest: { request throws(GatewayError) in try GeminiRequest.encode(request, upstreamModel: model) },
            decodeRequest: { json throws(GatewayError) in try GeminiRequest.decode(json, model: model, stream: false) },
            encodeResponse: { response throws(GatewayError) in try GeminiResponse.encode(response) },
            decodeResponse: { json throws(GatewayError) in try GeminiResponse.decode(json) },
            encodeStream: { events in
                var encoder = GeminiCodec().makeStreamEncoder(id: "resp-1", model: model)
                return events.flatMap { encoder.encode($0) } + encoder.finish()
            },
            decodeStream: { bytes in
                var decoder = GeminiCodec().makeStreamDecoder()
                return decoder.feed(bytes) + decoder.finish()
            },
            keepsCallIDs: false),
        Dialect(
            name: "bedrock",
            encodeRequest: { request throws(GatewayError) in try BedrockRequest.encode(request, modelId: model) },
            decodeRequest: { json throws(GatewayError) in try BedrockRequest.decode(json, modelId: model, stream: false) },
            encodeResponse: { response throws(GatewayError) in try BedrockResponse.encode(response) },
            decodeResponse: { json throws(GatewayError) in try BedrockResponse.decode(json) },
            encodeStream: { events in
                var encoder = BedrockCodec().makeStreamEncoder()
                return events.flatMap { encoder.encode($0) } + encoder.finish()
            },
            decodeStream: { bytes in
                var decoder = BedrockCodec().makeStreamDecoder()
                return decoder.feed(bytes) + decoder.finish()
            }),
        Dialect(
            name: "cohere",
            encodeRequest: { request throws(GatewayError) in try CohereRequest.encode(request, model: model) },
            decodeRequest: { json throws(GatewayError) in try CohereRequest.decode(json) },
            encodeResponse: { response throws(GatewayError) in try CohereResponse.encode(response) },
            decodeResponse: { json throws(GatewayError) in try CohereResponse.decode(json) },
            encodeStream: { events in
                var encoder = CohereStreamEncoder(id: "co-1")
                return events.flatMap { encoder.encode($0) } + encoder.done()
            },
            decodeStream: { bytes in
                var decoder = CohereStreamDecoder()
                return decoder.feed(bytes) + decoder.finish()
            },
            keepsSignatures: false),
    ]

    static let pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    static let schema: JSONValue = [
        "type": "object", "properties": ["answer": ["type": "string"]], "required": ["answer"],
        "additionalProperties": false,
    ]

    /// System prompt, an image, a tool, an earlier turn with signed thinking and a tool call, its result,
    /// and a structured-output request.
    static var conversation: ChatRequest {
        var assistant = Message(role: .assistant, content: [])
        assistant.reasoning = [.text("The user wants the weather; call the tool.", signature: "EqQBCkYIBxgCKkBsignature==")]
        assistant.toolCalls = [ToolCall(id: "toolu_01A2B3", name: "get_weather", arguments: #"{"city":"Paris"}"#)]
        var result = Message(role: .tool, content: [.text("18C and cloudy")])
        result.toolCallId = "toolu_01A2B3"
        var request = ChatRequest(
            model: model,
            messages: [
                .text(.system, "You are terse."),
                Message(role: .user, content: [.text("What is in the picture, and the weather in Paris?"), .image(url: pixel, detail: nil)]),
                assistant, result,
            ])
        request.tools = [
            ToolDefinition(
                name: "get_weather", description: "Weather for a city.",
                parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]])
        ]
        request.maxOutputTokens = 512
        request.responseFormat = .jsonSchema(name: "answer", schema: schema, strict: true, description: nil)
        return request
    }

    /// The parts of a conversation every dialect is expected to carry, in comparable form.
    struct Carried: Equatable {
        var system: String
        var userText: String
        var images: [String]
        var tools: [String]
        var toolSchemas: [JSONValue?]
        var calls: [String]
        var callIDs: [String]
        var results: [String]
        var resultIDs: [String]
        var reasoning: [String]
        var signatures: [String?]
        var schema: JSONValue?

        init(_ request: ChatRequest) {
            system = request.messages.filter { $0.role == .system || $0.role == .developer }.map(\.text).joined()
            userText = request.messages.filter { $0.role == .user }.map(\.text).joined()
            images = request.messages.flatMap(\.content).compactMap { if case .image(let url, _) = $0 { return url } else { return nil } }
            tools = request.tools.map(\.name)
            toolSchemas = request.tools.map(\.parameters)
            let toolCalls = request.messages.flatMap(\.toolCalls)
            // Arguments compared as JSON values: codecs may re-serialise them.
            calls = toolCalls.map { "\($0.name) \((try? JSON.parse($0.arguments)).map(JSON.encodeString) ?? $0.arguments)" }
            callIDs = toolCalls.map(\.id)
            results = request.messages.filter { $0.role == .tool }.map(\.text)
            resultIDs = request.messages.filter { $0.role == .tool }.compactMap(\.toolCallId)
            reasoning = request.messages.flatMap(\.reasoning).compactMap { if case .text(let t, _) = $0 { return t } else { return nil } }
            signatures = request.messages.flatMap(\.reasoning).map { if case .text(_, let s) = $0 { return s } else { return nil } }
            if case .jsonSchema(_, let schema, _, _) = request.responseFormat { self.schema = schema }
        }
    }

    @Test(arguments: dialects)
    func requestRoundTrip(dialect: Dialect) throws {
        let original = Self.conversation
        let wire = try dialect.encodeRequest(original)
        let back = try dialect.decodeRequest(try JSON.parse(JSON.encode(wire)))
        var expected = Carried(original)
        var got = Carried(back)
        if !dialect.keepsCallIDs {
            // Made-up ids must still pair each result with its call.
            #expect(got.resultIDs == got.callIDs, "\(dialect.name): results pair with calls")
            expected.callIDs = []; expected.resultIDs = []; got.callIDs = []; got.resultIDs = []
        }
        if !dialect.keepsSignatures {
            #expect(got.signatures.allSatisfy { $0 == nil })
            expected.signatures = expected.signatures.map { _ in nil }
        }
        #expect(got == expected, "\(dialect.name)")
        #expect(back.maxOutputTokens == 512, "\(dialect.name)")
    }

    static var answer: ChatResponse {
        var message = Message(role: .assistant, content: [.text("Checking.")])
        message.reasoning = [.text("I should look it up.", signature: "sig-XYZ==")]
        message.toolCalls = [ToolCall(id: "toolu_99", name: "get_weather", arguments: #"{"city":"Rome"}"#)]
        return ChatResponse(
            id: "resp-1", model: model, created: 1,
            choices: [Choice(index: 0, message: message, finishReason: .toolCalls)],
            usage: Usage(input: 40, output: 12, cacheRead: 8))
    }

    @Test(arguments: dialects)
    func responseRoundTrip(dialect: Dialect) throws {
        let back = try dialect.decodeResponse(try JSON.parse(JSON.encode(try dialect.encodeResponse(Self.answer))))
        let choice = try #require(back.choices.first)
        #expect(choice.finishReason == .toolCalls, "\(dialect.name)")
        #expect(choice.message.text == "Checking.", "\(dialect.name)")
        #expect(choice.message.toolCalls.map(\.name) == ["get_weather"], "\(dialect.name)")
        #expect(choice.message.toolCalls.map { try? JSON.parse($0.arguments) } == [["city": "Rome"]], "\(dialect.name)")
        if dialect.keepsCallIDs { #expect(choice.message.toolCalls.map(\.id) == ["toolu_99"], "\(dialect.name)") }
        let reasoning = choice.message.reasoning.compactMap { if case .text(let t, let s) = $0 { return (t, s) } else { return nil } }
        #expect(reasoning.map(\.0).joined() == "I should look it up.", "\(dialect.name)")
        if dialect.keepsSignatures { #expect(reasoning.compactMap(\.1) == ["sig-XYZ=="], "\(dialect.name)") }
        #expect(back.usage?.totalInput == 48, "\(dialect.name)")
        #expect(back.usage?.totalOutput == 12, "\(dialect.name)")
    }

    static let streamed: [StreamEvent] = [
        .start(id: "s-1", model: model, created: 1), .roleStart(choice: 0),
        .reasoningDelta(choice: 0, text: "Think"), .reasoningDelta(choice: 0, text: "ing."),
        .reasoningSignature(choice: 0, signature: "sig-STREAM=="),
        .textDelta(choice: 0, text: "Hello, "), .textDelta(choice: 0, text: "world."),
        .toolCallStart(choice: 0, index: 0, id: "toolu_7", name: "get_weather"),
        .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #"{"city":"#),
        .toolCallArgumentsDelta(choice: 0, index: 0, fragment: #""Oslo"}"#),
        .finish(choice: 0, reason: .toolCalls), .usage(Usage(input: 30, output: 9)),
    ]

    @Test(arguments: dialects)
    func streamRoundTrip(dialect: Dialect) {
        let back = dialect.decodeStream(dialect.encodeStream(Self.streamed))
        var text = "", reasoning = "", arguments = "", names: [String] = [], ids: [String] = [], signatures: [String] = []
        var finish: FinishReason?
        var usage: Usage?
        for event in back {
            switch event {
            case .textDelta(0, let t): text += t
            case .reasoningDelta(0, let t): reasoning += t
            case .reasoningSignature(0, let s): signatures.append(s)
            case .toolCallStart(0, _, let id, let name): names.append(name); ids.append(id)
            case .toolCallArgumentsDelta(0, _, let f): arguments += f
            case .finish(0, let r): finish = r
            case .usage(let u): usage = u
            case .error(let e): Issue.record("\(dialect.name): \(e)")
            default: break
            }
        }
        #expect(text == "Hello, world.", "\(dialect.name)")
        #expect(reasoning == "Thinking.", "\(dialect.name)")
        if dialect.keepsSignatures { #expect(signatures == ["sig-STREAM=="], "\(dialect.name)") }
        #expect(names == ["get_weather"], "\(dialect.name)")
        if dialect.keepsCallIDs { #expect(ids == ["toolu_7"], "\(dialect.name)") }
        #expect((try? JSON.parse(arguments)) == ["city": "Oslo"], "\(dialect.name)")
        #expect(finish == .toolCalls, "\(dialect.name)")
        #expect(usage?.totalInput == 30 && usage?.totalOutput == 9, "\(dialect.name)")
    }

    /// Features a wire format truly cannot carry are refused with a clear error, never dropped.
    @Test(arguments: [
        ("anthropic", "audio"), ("cohere", "audio"), ("anthropic", "n"), ("bedrock", "n"), ("cohere", "n"),
        ("gemini", "remote image"), ("bedrock", "remote image"),
    ])
    func untranslatableFeaturesAreErrors(dialect name: String, feature: String) throws {
        let dialect = try #require(Self.dialects.first { $0.name == name })
        var request = ChatRequest(model: Self.model, messages: [.text(.user, "hi")])
        switch feature {
        case "audio": request.messages[0].content.append(.audio(data: "UklGRg==", format: "wav"))
        case "n": request.choiceCount = 2
        default: request.messages[0].content.append(.image(url: "https://example.com/cat.png", detail: nil))
        }
        do {
            _ = try dialect.encodeRequest(request)
            Issue.record("\(name) accepted \(feature)")
        } catch {
            #expect(error.kind == .invalidRequest)
            #expect(!error.message.isEmpty)
        }
    }
}
