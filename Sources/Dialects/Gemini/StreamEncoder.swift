import SwitchyardCore

/// Writes canonical stream events as Gemini SSE chunks for Gemini-speaking clients: `data: <GenerateContentResponse>`
/// terminated by CRLF CRLF as Google's servers do, no terminator event. One encoder per stream.
///
/// Gemini sends each function call whole, so a call's start, argument fragments and signature are held until the
/// call is complete; a finish is held until the usage that follows it, so the last chunk carries both like
/// Gemini's own. Every chunk carries the latest usage snapshot, as Gemini's cumulative `usageMetadata` does.
/// Refusal text is sent as ordinary text (Gemini has no refusal part); a signature with no text of its own rides
/// on an empty text part.
public struct GeminiStreamEncoder: Sendable {
    public private(set) var id: String
    public private(set) var model: String
    /// When false, `.start` events do not replace the id and model given at init (the gateway mints its own).
    public let adoptsUpstreamIdentity: Bool

    private struct PendingCall {
        var choice: Int
        var index: Int
        var id: String
        var name: String
        var arguments = ""
        var signature: String?
    }

    private var usage: Usage?
    private var pendingCalls: [PendingCall] = []
    private var pendingFinishes: [JSONValue] = []
    private var finishSent = false

    public init(id: String = "", model: String = "", adoptsUpstreamIdentity: Bool = true) {
        self.id = id
        self.model = model
        self.adoptsUpstreamIdentity = adoptsUpstreamIdentity
    }

    /// SSE bytes for one event (often none: a role start has no Gemini form, and calls and finishes wait).
    public mutating func encode(_ event: StreamEvent) -> [UInt8] {
        switch event {
        case .start(let id, let model, _):
            if adoptsUpstreamIdentity {
                self.id = id
                self.model = model
            }
            return []
        case .roleStart:
            return []
        case .textDelta(let choice, let text), .refusalDelta(let choice, let text):
            return flush() + chunk([candidate(choice, parts: [["text": .string(text)]])])
        case .reasoningDelta(let choice, let text):
            return flush() + chunk([candidate(choice, parts: [["text": .string(text), "thought": true]])])
        case .reasoningSignature(let choice, let signature):
            return flush() + chunk([candidate(choice, parts: [["text": "", "thoughtSignature": .string(signature)]])])
        case .toolCallStart(let choice, let index, let id, let name):
            let out = flushFinishes()
            pendingCalls.append(PendingCall(choice: choice, index: index, id: id, name: name))
            return out
        case .toolCallArgumentsDelta(let choice, let index, let fragment):
            if let call = pendingCalls.lastIndex(where: { $0.choice == choice && $0.index == index }) {
                pendingCalls[call].arguments += fragment
            }
            return []
        case .toolCallSignature(let choice, let index, let signature):
            if let call = pendingCalls.lastIndex(where: { $0.choice == choice && $0.index == index }) {
                pendingCalls[call].signature = signature
            }
            return []
        case .finish(let choice, let reason):
            let out = flushCalls()
            var finished = candidate(choice, parts: nil)
            if case .object(var fields) = finished {
                fields["finishReason"] = .string(GeminiFinishReason.encode(reason))
                finished = .object(fields)
            }
            pendingFinishes.append(finished)
            return out
        case .usage(let usage):
            self.usage = usage
            if !pendingFinishes.isEmpty { return flushFinishes() }
            // Usage after the last chunk went out gets a chunk of its own; earlier, it rides on the next chunk.
            return finishSent ? chunk([]) : []
        case .error(let error):
            return flush() + Self.event(GeminiErrors.body(for: error))
        }
    }

    /// Whatever is still held, when the stream ends.
    public mutating func finish() -> [UInt8] { flush() }

    private mutating func flush() -> [UInt8] { flushCalls() + flushFinishes() }

    private mutating func flushCalls() -> [UInt8] {
        var out: [UInt8] = []
        for call in pendingCalls {
            guard let args = GeminiParts.argumentsObject(call.arguments) else {
                let error = GatewayError(
                    .upstreamError, "The arguments of tool call '\(call.id)' are not a JSON object; Gemini needs one.")
                out += Self.event(GeminiErrors.body(for: error))
                continue
            }
            let part = GeminiParts.functionCallPart(
                ToolCall(id: call.id, name: call.name, arguments: call.arguments, signature: call.signature), args: args)
            out += chunk([candidate(call.choice, parts: [.object(part)])])
        }
        pendingCalls.removeAll()
        return out
    }

    private mutating func flushFinishes() -> [UInt8] {
        guard !pendingFinishes.isEmpty else { return [] }
        let out = chunk(pendingFinishes)
        pendingFinishes.removeAll()
        finishSent = true
        return out
    }

    private func candidate(_ choice: Int, parts: [JSONValue]?) -> JSONValue {
        var content: [String: JSONValue] = ["role": "model"]
        if let parts { content["parts"] = .array(parts) }
        return ["content": .object(content), "index": .int(Int64(choice))]
    }

    private func chunk(_ candidates: [JSONValue]) -> [UInt8] {
        var body: [String: JSONValue] = ["responseId": .string(id), "modelVersion": .string(model)]
        if !candidates.isEmpty { body["candidates"] = .array(candidates) }
        if let usage { body["usageMetadata"] = GeminiUsage.encode(usage) }
        return Self.event(.object(body))
    }

    /// `data: <json>` CRLF CRLF. Compact JSON has no raw line breaks, so one `data:` line always suffices.
    static func event(_ body: JSONValue) -> [UInt8] {
        Array("data: ".utf8) + JSON.encode(body) + [0x0D, 0x0A, 0x0D, 0x0A]
    }
}
