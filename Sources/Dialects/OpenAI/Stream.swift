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

/// Decodes an OpenAI-family SSE stream chunk by chunk.
public struct OpenAIStreamDecoder: ProviderStreamDecoder {
    private var parser = SSEParser()
    private var started = false
    private let flavor: OpenAIUsage.Flavor

    public init(flavor: OpenAIUsage.Flavor = .standard) {
        self.flavor = flavor
    }

    public mutating func feed(_ bytes: [UInt8]) -> [StreamEvent] {
        decode(parser.feed(bytes))
    }

    public mutating func finish() -> [StreamEvent] {
        decode(parser.finish())
    }

    private mutating func decode(_ events: [SSEEvent]) -> [StreamEvent] {
        var decoded: [StreamEvent] = []
        for event in events where !event.isDone && !event.isCommentOnly {
            guard let chunk = try? JSON.parse(event.data) else { continue }
            // Azure's leading prompt-filter event has an empty id: the stream starts at the first real chunk.
            if !started, let id = chunk["id"]?.stringValue, !id.isEmpty {
                started = true
                decoded.append(
                    .start(id: id, model: chunk["model"]?.stringValue ?? "", created: chunk["created"]?.intValue ?? 0))
            }
            decoded.append(contentsOf: OpenAIStream.decodeChunk(chunk, flavor: flavor))
        }
        return decoded
    }
}
