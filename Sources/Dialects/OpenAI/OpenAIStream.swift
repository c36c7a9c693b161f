import SwitchyardCore
/// OpenAI `chat.completion.chunk` stream codec.
public enum OpenAIStream {
    /// The canonical events in one chunk's JSON. A chunk with a top-level `error` is a mid-stream failure.
    public static func decodeChunk(_ chunk: JSONValue, flavor: OpenAIUsage.Flavor = .standard) -> [StreamEvent] {
        if let error = chunk["error"], !error.isNull {
            let message = error["message"]?.stringValue ?? "The provider reported an error mid-stream."
            var decoded = OpenAIErrors.decode(status: 500, body: JSON.encode(["error": error]))
            decoded.message = message
            return [.error(decoded)]
        }
        var events: [StreamEvent] = []
        for raw in chunk["choices"]?.arrayValue ?? [] {
            let choice = raw["index"]?.intValue ?? 0
            let delta = raw["delta"] ?? raw["message"] ?? .null
            if delta["role"]?.stringValue != nil { events.append(.roleStart(choice: choice)) }
            if let reasoning = delta["reasoning_content"]?.stringValue ?? delta["reasoning"]?.stringValue,
                !reasoning.isEmpty
            {
                events.append(.reasoningDelta(choice: choice, text: reasoning))
            }
            for detail in delta["reasoning_details"]?.arrayValue ?? [] {
                if let signature = detail["signature"]?.stringValue, !signature.isEmpty {
                    events.append(.reasoningSignature(choice: choice, signature: signature))
                }
            }
            if let text = delta["content"]?.stringValue, !text.isEmpty {
                events.append(.textDelta(choice: choice, text: text))
            }
            if let refusal = delta["refusal"]?.stringValue, !refusal.isEmpty {
                events.append(.refusalDelta(choice: choice, text: refusal))
            }
            for call in delta["tool_calls"]?.arrayValue ?? [] {
                let index = call["index"]?.intValue ?? 0
                if let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue {
                    events.append(.toolCallStart(choice: choice, index: index, id: id, name: name))
                }
                if let fragment = call["function"]?["arguments"]?.stringValue, !fragment.isEmpty {
                    events.append(.toolCallArgumentsDelta(choice: choice, index: index, fragment: fragment))
                }
                if let signature = call["extra_content"]?["google"]?["thought_signature"]?.stringValue {
                    events.append(.toolCallSignature(choice: choice, index: index, signature: signature))
                }
            }
            if let reason = raw["finish_reason"]?.stringValue {
                events.append(.finish(choice: choice, reason: OpenAIResponse.decodeFinishReason(reason)))
            }
        }
        // Usage rides in its own `choices: []` chunk, on the finish chunk (DeepSeek, Mistral), or in `x_groq`.
        if let usage = chunk["usage"], !usage.isNull, let decoded = OpenAIUsage.decode(usage, flavor: flavor) {
            events.append(.usage(decoded))
        } else if let usage = chunk["x_groq"]?["usage"], let decoded = OpenAIUsage.decode(usage, flavor: flavor) {
            events.append(.usage(decoded))
        }
        return events
    }

    /// Decodes a whole SSE transcript (tests and non-streaming consumers).
    public static func decodeTranscript(_ bytes: some Collection<UInt8>, flavor: OpenAIUsage.Flavor = .standard)
        -> [StreamEvent]
    {
        var parser = SSEParser()
        let events = parser.feed(bytes) + parser.finish()
        var decoded: [StreamEvent] = []
        for event in events where !event.isDone && !event.isCommentOnly {
            guard let chunk = try? JSON.parse(event.data) else { continue }
            if decoded.isEmpty, let id = chunk["id"]?.stringValue, !id.isEmpty {
                decoded.append(
                    .start(id: id, model: chunk["model"]?.stringValue ?? "", created: chunk["created"]?.intValue ?? 0))
            }
            decoded.append(contentsOf: decodeChunk(chunk, flavor: flavor))
        }
        return decoded
    }
}

/// Writes canonical stream events as OpenAI chunks; one per stream (it remembers id, model and
/// created). It follows the chunk rules of openai.md §4 whatever order a provider produced events in:
/// a role chunk opens each choice, usage waits for the end (`finish()`), and an `.error` finish reason
/// is reported as an in-stream error rather than a normal end (mapping.md §1.1).
public struct OpenAIStreamEncoder: Sendable {
    public var id: String
    public var model: String
    public var created: Int
    public let includeUsage: Bool
    /// When false, `.start` events do not replace the id and model given at init (the gateway mints its own).
    public let adoptsUpstreamIdentity: Bool
    private var roleSent: Set<Int> = []
    private var pendingUsage: Usage?

    public init(id: String, model: String, created: Int, includeUsage: Bool, adoptsUpstreamIdentity: Bool = true) {
        self.id = id
        self.model = model
        self.created = created
        self.includeUsage = includeUsage
        self.adoptsUpstreamIdentity = adoptsUpstreamIdentity
    }

    /// SSE bytes for one event (empty when the event has no OpenAI form, e.g. a signature).
    public mutating func encode(_ event: StreamEvent) -> [UInt8] {
        switch event {
        case .start(let id, let model, let created):
            if adoptsUpstreamIdentity {
                self.id = id
                self.model = model
                self.created = created
            }
            return []
        case .roleStart(let choice):
            return openChoice(choice)
        case .textDelta(let choice, let text):
            return openChoice(choice) + chunk(choice: choice, delta: ["content": .string(text)])
        case .reasoningDelta(let choice, let text):
            return openChoice(choice) + chunk(choice: choice, delta: ["reasoning_content": .string(text)])
        case .refusalDelta(let choice, let text):
            return openChoice(choice) + chunk(choice: choice, delta: ["refusal": .string(text)])
        case .reasoningSignature(let choice, let signature):
            // The signature closes the reasoning block it belongs to (see OpenAIReasoning).
            let detail: JSONValue = ["type": "reasoning.text", "text": "", "signature": .string(signature)]
            return openChoice(choice) + chunk(choice: choice, delta: ["reasoning_details": [detail]])
        case .toolCallSignature(let choice, let index, let signature):
            // `function` is present on every tool-call delta OpenAI sends, and clients index it unguarded
            // (LangChain's `rtc["function"].get(...)`): an empty arguments fragment keeps their shape.
            let call: JSONValue = [
                "index": .int(Int64(index)), "function": ["arguments": ""],
                "extra_content": OpenAIReasoning.toolSignature(signature),
            ]
            return chunk(choice: choice, delta: ["tool_calls": [call]])
        case .toolCallStart(let choice, let index, let id, let name):
            let call: JSONValue = [
                "index": .int(Int64(index)), "id": .string(id), "type": "function",
                "function": ["name": .string(name), "arguments": ""],
            ]
            return openChoice(choice) + chunk(choice: choice, delta: ["tool_calls": [call]])
        case .toolCallArgumentsDelta(let choice, let index, let fragment):
            let call: JSONValue = ["index": .int(Int64(index)), "function": ["arguments": .string(fragment)]]
            return chunk(choice: choice, delta: ["tool_calls": [call]])
        case .finish(_, .error(let native)):
            return encode(.error(GatewayError(.upstreamError, "The model produced unusable output (\(native)).")))
        case .finish(let choice, let reason):
            return openChoice(choice)
                + chunk(choice: choice, delta: [:], finishReason: OpenAIResponse.encodeFinishReason(reason))
        case .usage(let usage):
            pendingUsage = usage
            return []
        case .error(let error):
            return SSEWriter.event(JSON.encode(OpenAIErrors.body(for: error)))
        }
    }

    /// The end of a successful stream: the usage chunk (when asked for) and `[DONE]`.
    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        if includeUsage, let usage = pendingUsage {
            var body = envelope()
            body["choices"] = []
            body["usage"] = OpenAIUsage.encode(usage)
            out += SSEWriter.event(JSON.encode(.object(body)))
        }
        return out + SSEWriter.done
    }

    private mutating func openChoice(_ choice: Int) -> [UInt8] {
        guard roleSent.insert(choice).inserted else { return [] }
        return chunk(choice: choice, delta: ["role": "assistant", "content": "", "refusal": .null])
    }

    private func envelope() -> [String: JSONValue] {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .int(Int64(created)),
            "model": .string(model),
        ]
    }

    private func chunk(choice: Int, delta: JSONValue, finishReason: String? = nil) -> [UInt8] {
        var body = envelope()
        body["choices"] = [
            [
                "index": .int(Int64(choice)), "delta": delta, "logprobs": .null,
                "finish_reason": finishReason.map(JSONValue.string) ?? .null,
            ]
        ]
        if includeUsage { body["usage"] = .null }
        return SSEWriter.event(JSON.encode(.object(body)))
    }
}
