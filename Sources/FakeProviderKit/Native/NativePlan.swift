import NIOCore

/// What a native-dialect answer will say, decided once from the request so the JSON and the
/// stream encoders of a dialect tell the same story — the native counterpart of `ChatPlan`.
///
/// Same conventions as the OpenAI fakes: the text is `"Echo: <last user text>"`, split into
/// `chunks` pieces (default 3); a tool call's input is `{"<required param>":"<last user text>",…}`;
/// token counts are words (`TokenCount`): prompt = words of the system prompt and every
/// message + 1, answer = words of the text (at least 1) or of the tool input + 1, thinking =
/// words of the thinking text.
struct NativePlan {
    let model: String
    let answer: Answer
    /// Present when the request switched thinking on.
    let thinking: Thinking?
    let usage: Usage

    enum Answer {
        /// Joined, the pieces are the answer text.
        case text(pieces: [String])
        case toolCall(ToolCall)
    }

    struct ToolCall {
        let name: String
        /// The input object's keys (the tool's required parameters), each set to the last user text.
        let keys: [String]
        let value: String
        /// The input as JSON text, and split into up to three fragments for streams.
        let arguments: String
        let fragments: [String]

        /// Writes the input as a JSON object (Anthropic, Gemini and Bedrock want an object, not a string).
        func writeInput(into json: inout JSONWriter) {
            json.beginObject()
            for key in self.keys {
                json.key(dynamic: key)
                json.string(self.value)
            }
            json.endObject()
        }
    }

    struct Thinking {
        /// Joined, the pieces are the thinking text (two pieces, for two deltas).
        let pieces: [String]
        /// An opaque base64-looking signature, as Anthropic, Gemini and Bedrock attach to reasoning.
        let signature: String

        var text: String { self.pieces.joined() }
    }

    struct Usage {
        let prompt: Int
        /// Visible answer tokens (text or tool input).
        let answer: Int
        let thinking: Int

        /// Anthropic, Bedrock and Cohere count thinking as output.
        var output: Int { self.answer + self.thinking }
        var total: Int { self.prompt + self.answer + self.thinking }
    }

    /// A tool the dialect's request parser decided to call.
    struct ChosenTool {
        let name: String
        let required: [String]
    }

    static let defaultChunks = ChatPlan.defaultChunks

    /// - Parameters:
    ///   - lastUserText: the text of the last user turn that has text (tool results skipped).
    ///   - promptTokens: the dialect's count of the prompt (see the type's documentation).
    ///   - tool: the tool to call, when the dialect's rules say the model calls one.
    ///   - thinks: whether the request switched thinking on.
    init(
        model: String,
        lastUserText: String,
        promptTokens: Int,
        tool: ChosenTool?,
        thinks: Bool,
        knobs: Knobs,
        random: inout RandomIDs
    ) {
        self.model = model
        if thinks {
            let text = "The user wrote \(TokenCount.words(lastUserText)) words; echo them back."
            self.thinking = Thinking(pieces: ChatPlan.split(text, into: 2, padding: false), signature: random.signature())
        } else {
            self.thinking = nil
        }
        let answerTokens: Int
        if let tool {
            var json = JSONWriter(capacity: 64)
            json.beginObject()
            for key in tool.required {
                json.key(dynamic: key)
                json.string(lastUserText)
            }
            json.endObject()
            let arguments = String(buffer: json.buffer)
            self.answer = .toolCall(
                ToolCall(
                    name: tool.name,
                    keys: tool.required,
                    value: lastUserText,
                    arguments: arguments,
                    fragments: ChatPlan.split(arguments, into: min(3, arguments.count), padding: false)
                )
            )
            answerTokens = TokenCount.words(arguments) + 1
        } else {
            let pieces = ChatPlan.split("Echo: " + lastUserText, into: knobs.chunks ?? Self.defaultChunks, padding: true)
            self.answer = .text(pieces: pieces)
            answerTokens = max(TokenCount.words(pieces.joined()), 1)
        }
        self.usage = Usage(prompt: promptTokens, answer: answerTokens, thinking: self.thinking.map { TokenCount.words($0.text) } ?? 0)
    }

    var text: String? {
        guard case .text(let pieces) = self.answer else { return nil }
        return pieces.joined()
    }

    var isToolCall: Bool {
        if case .toolCall = self.answer { return true }
        return false
    }
}

extension RandomIDs {
    private static let base64Alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let base64URLAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A reasoning signature shaped like the fixtures' (`EqQD…`, base64 of 180 bytes): opaque
    /// to clients, so only its look matters.
    mutating func signature() -> String {
        "EqQD" + self.characters(236, from: Self.base64Alphabet)
    }

    /// Gemini's `responseId`: 22 URL-safe base64 characters.
    mutating func base64URL(_ count: Int) -> String {
        self.characters(count, from: Self.base64URLAlphabet)
    }

    /// Lower-case letters and digits, as in Cohere's tool-call ids (`get_weather_la33nmwhd9lf`).
    mutating func lowerAlphanumeric(_ count: Int) -> String {
        self.characters(count, from: Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8))
    }

    private mutating func characters(_ count: Int, from alphabet: [UInt8]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count {
            bytes.append(alphabet[Int(self.next() % UInt64(alphabet.count))])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What every native fake's decoded request tells the plan.
protocol NativePlanRequest {
    var lastUserText: String { get }
    var promptTokens: Int { get }
    var chosenTool: NativePlan.ChosenTool? { get }
    var thinks: Bool { get }
}

extension AnthropicRequest: NativePlanRequest {}
extension ConverseRequest: NativePlanRequest {}
extension GeminiRequest: NativePlanRequest {}
extension CohereRequest: NativePlanRequest {}

extension NativePlan {
    /// - Parameter thinks: overrides the request's own `thinks` where the dialect shows reasoning elsewhere.
    init(model: String, request: some NativePlanRequest, thinks: Bool? = nil, knobs: Knobs, random: inout RandomIDs) {
        self.init(
            model: model, lastUserText: request.lastUserText, promptTokens: request.promptTokens,
            tool: request.chosenTool, thinks: thinks ?? request.thinks, knobs: knobs, random: &random)
    }
}
