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
///
/// `gemini-3*` models always think (thinking cannot be switched off there) and so always sign:
/// the first `functionCall` part, or the last text part, carries a `thoughtSignature` even
/// without `thinkingConfig` or `includeThoughts`, as Gemini 3 does (gemini.md §3). Their
/// signatures look like Gemini 3's: padded standard base64 of a few hundred bytes.
struct GeminiEncoder {
    let plan: NativePlan
    let includesThoughts: Bool
    let responseID: String
    /// The signature on the signed part, if any.
    let signature: String?

    init(plan: NativePlan, includesThoughts: Bool, random: inout RandomIDs) {
        self.plan = plan
        self.includesThoughts = includesThoughts
        self.responseID = random.base64URL(22)
        if plan.thinking != nil, Self.alwaysThinks(plan.model) {
            self.signature = random.geminiSignature()
        } else {
            self.signature = plan.thinking?.signature
        }
    }

    /// Gemini 3 models think on every request and sign what they answer.
    static func alwaysThinks(_ model: String) -> Bool {
        model.hasPrefix("gemini-3")
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
        let signature = self.signature
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
        let gemini3 = GeminiEncoder.alwaysThinks(model)
        if gemini3, request.lacksThoughtSignature {
            return self.error(GeminiErrors.fixtures.first { $0.name == "missing_thought_signature" })
        }
        let plan = NativePlan(
            model: model, request: request, thinks: request.thinks || gemini3, knobs: self.knobs, random: &random)
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

extension RandomIDs {
    private static let standardBase64: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// A Gemini 3 `thoughtSignature`: padded standard base64 (proto3 JSON `bytes`) of 300–363
    /// bytes that open like a serialised message (`0x0A`, length), as real ones do. The length
    /// varies so every padding case (none, `=`, `==`) turns up.
    mutating func geminiSignature() -> String {
        let count = 300 + Int(self.next() % 64)
        var bytes: [UInt8] = [0x0A, UInt8(0x80 | ((count - 3) & 0x7F)), UInt8((count - 3) >> 7)]
        while bytes.count < count {
            var word = self.next()
            for _ in 0..<8 where bytes.count < count {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return Self.base64(bytes)
    }

    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << UInt32(16 - 8 * offset) }
            for position in 0..<4 {
                if position <= chunk.count {
                    out.append(Self.standardBase64[Int((value >> UInt32(18 - 6 * position)) & 0x3F)])
                } else {
                    out.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
