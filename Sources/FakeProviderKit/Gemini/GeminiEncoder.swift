import Hummingbird
import NIOCore

/// Gemini answers: the `GenerateContentResponse` JSON (`generate-response-text.json`,
/// `-function-call.json`, `-thinking.json`) and its stream (`stream-text.txt`,
/// `stream-function-call.txt`, `stream-thinking.txt`: CRLF-framed `data:` events, no
/// terminator), byte for byte in key order.
///
/// Parts: a thought summary (`thought: true`) when `includeThoughts` is on, then the text —
/// or one `functionCall` part. With thinking on, the signature rides on the function call, or
/// on the last text part. Function calls finish with `STOP`, as Gemini reports them.
struct GeminiEncoder {
    let plan: NativePlan
    let includesThoughts: Bool
    let responseID: String

    init(plan: NativePlan, includesThoughts: Bool, random: inout RandomIDs) {
        self.plan = plan
        self.includesThoughts = includesThoughts
        self.responseID = random.base64URL(22)
    }

    // MARK: JSON

    func response() -> ByteBuffer {
        var json = JSONWriter(capacity: 1024)
        json.object { json in
            self.chunk(parts: self.allParts(), final: true, into: &json)
        }
        return json.buffer
    }

    // MARK: Stream

    /// One chunk per part (text split into the plan's pieces); the last carries `finishReason`
    /// and the final usage.
    func chunks() -> [ByteBuffer] {
        let parts = self.streamParts()
        return parts.enumerated().map { index, part in
            NativeSSE.crlfData { json in
                self.chunk(parts: [part], final: index == parts.count - 1, into: &json)
            }
        }
    }

    /// The same chunks as elements of one JSON array (`:streamGenerateContent` without
    /// `alt=sse`): `[` + first, `,\r\n` + each next; `]` is the terminator.
    func arrayElements() -> [ByteBuffer] {
        let parts = self.streamParts()
        return parts.enumerated().map { index, part in
            var buffer = ByteBufferAllocator().buffer(capacity: 512)
            if index == 0 { buffer.writeStaticString("[") } else { buffer.writeStaticString(",\r\n") }
            var json = JSONWriter(appendingTo: buffer)
            json.object { json in
                self.chunk(parts: [part], final: index == parts.count - 1, into: &json)
            }
            return json.buffer
        }
    }

    /// `stream-error-midstream.txt`: the error body as a data event.
    static let midstreamError = NativeSSE.crlfData { json in
        json.object("error") { json in
            Self.overloaded(into: &json)
        }
    }

    /// `error-503-unavailable.json`'s members.
    private static func overloaded(into json: inout JSONWriter) {
        GeminiErrors.errorMembers(status: 503, message: "The model is overloaded. Please try again later.", code: "UNAVAILABLE", into: &json)
    }

    /// The same error as the next array element (the `]` terminator follows it).
    static let arrayMidstreamError: ByteBuffer = {
        var json = JSONWriter(appendingTo: ByteBuffer(staticString: ",\r\n"))
        json.object { json in
            json.object("error") { json in
                Self.overloaded(into: &json)
            }
        }
        return json.buffer
    }()

    // MARK: Parts

    private enum Part {
        case thought(String)
        /// Text, and whether the signature rides on it.
        case text(String, signed: Bool)
        case functionCall(NativePlan.ToolCall)
    }

    private func allParts() -> [Part] {
        var parts: [Part] = []
        if self.includesThoughts, let thinking = self.plan.thinking { parts.append(.thought(thinking.text)) }
        switch self.plan.answer {
        case .text(let pieces): parts.append(.text(pieces.joined(), signed: true))
        case .toolCall(let call): parts.append(.functionCall(call))
        }
        return parts
    }

    private func streamParts() -> [Part] {
        var parts: [Part] = []
        if self.includesThoughts, let thinking = self.plan.thinking { parts.append(.thought(thinking.text)) }
        switch self.plan.answer {
        case .text(let pieces):
            for (index, piece) in pieces.enumerated() {
                parts.append(.text(piece, signed: index == pieces.count - 1))
            }
        case .toolCall(let call):
            parts.append(.functionCall(call))
        }
        return parts
    }

    private func write(_ part: Part, into json: inout JSONWriter) {
        let signature = self.plan.thinking?.signature
        json.object { json in
            switch part {
            case .thought(let text):
                json.field("text", text)
                json.field("thought", true)
            case .text(let text, let signed):
                json.field("text", text)
                if signed, let signature { json.field("thoughtSignature", signature) }
            case .functionCall(let call):
                json.object("functionCall") { json in
                    json.field("name", call.name)
                    json.key("args")
                    call.writeInput(into: &json)
                }
                if let signature { json.field("thoughtSignature", signature) }
            }
        }
    }

    /// The members of one `GenerateContentResponse`.
    private func chunk(parts: [Part], final: Bool, into json: inout JSONWriter) {
        let usage = self.plan.usage
        json.array("candidates") { json in
            json.object { json in
                json.object("content") { json in
                    json.array("parts") { json in
                        for part in parts { self.write(part, into: &json) }
                    }
                    json.field("role", "model")
                }
                if final { json.field("finishReason", "STOP") }
                json.field("index", 0)
            }
        }
        json.object("usageMetadata") { json in
            json.field("promptTokenCount", usage.prompt)
            // Candidate tokens are reported once the answer is complete.
            if final { json.field("candidatesTokenCount", usage.answer) }
            json.field("totalTokenCount", final ? usage.total : usage.prompt + usage.thinking)
            json.array("promptTokensDetails") { json in
                json.object { json in
                    json.field("modality", "TEXT")
                    json.field("tokenCount", usage.prompt)
                }
            }
            if self.plan.thinking != nil { json.field("thoughtsTokenCount", usage.thinking) }
        }
        json.field("modelVersion", self.plan.model)
        json.field("responseId", self.responseID)
    }

    /// `models-list.json`, minified.
    static let modelsList: StaticString =
        #"{"models":[{"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash","description":"Stable version of Gemini 2.5 Flash.","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens","createCachedContent","batchGenerateContent"],"temperature":1,"topP":0.95,"topK":64,"maxTemperature":2,"thinking":true},{"name":"models/gemini-embedding-001","version":"001","displayName":"Gemini Embedding 001","description":"Text embedding model.","inputTokenLimit":2048,"outputTokenLimit":1,"supportedGenerationMethods":["embedContent","countTextTokens","countTokens"]}],"nextPageToken":"Ch5tb2RlbHMvZ2VtaW5pLWVtYmVkZGluZy0wMDE="}"#
}

extension NativeResponder {
    /// `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent`.
    func geminiGenerate(model: String, stream: GeminiStreamMode?, body: ByteBuffer, random: inout RandomIDs) -> Response {
        let request: GeminiRequest
        switch self.decode(GeminiRequest.self, body) {
        case .success(let value): request = value
        case .failure(let failure): return failure.response
        }
        guard let contents = request.contents, !contents.isEmpty else {
            return self.error(GeminiErrors.fixtures.first { $0.name == "invalid_argument" })
        }
        if model.hasPrefix("gemini-3"), request.lacksThoughtSignature {
            return self.error(GeminiErrors.fixtures.first { $0.name == "missing_thought_signature" })
        }
        let plan = NativePlan(model: model, request: request, knobs: self.knobs, random: &random)
        let encoder = GeminiEncoder(plan: plan, includesThoughts: request.includesThoughts, random: &random)
        switch stream {
        case nil:
            return self.json(encoder.response())
        case .sse:
            return self.stream(encoder.chunks(), contentType: "text/event-stream", midstreamError: GeminiEncoder.midstreamError)
        case .jsonArray:
            return self.stream(
                encoder.arrayElements(),
                contentType: NativeResponder.jsonContentType(.gemini),
                midstreamError: GeminiEncoder.arrayMidstreamError,
                terminator: ByteBuffer(staticString: "]")
            )
        }
    }
}
