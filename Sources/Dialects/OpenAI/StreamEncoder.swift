import SwitchyardCore

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
