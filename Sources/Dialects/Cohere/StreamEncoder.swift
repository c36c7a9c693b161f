import SwitchyardCore

/// Writes canonical stream events as a Cohere v2 Chat SSE stream; one per stream.
///
/// Reasoning is written as `thinking` content (a tool plan cannot be told from thinking while streaming
/// without holding it back); refusal text as ordinary text; signatures and choices other than 0 are
/// dropped (Cohere has one answer and no signatures). `message-end` carries both the finish reason and
/// usage, so it is held after `.finish` until `.usage` arrives or `done()` is called. `.error` ends the
/// stream with a `message-end` whose finish reason is `ERROR` (`TIMEOUT` for timeouts) and `delta.error`.
public struct CohereStreamEncoder: Sendable {
    public var id: String
    private var sentStart = false
    private var ended = false
    /// The open content block: its index and whether it holds thinking.
    private var openContent: (index: Int, thinking: Bool)?
    private var nextContentIndex = 0
    private var openToolCall: Int?
    private var finishReason: FinishReason?
    private var usage: Usage?

    public init(id: String) {
        self.id = id
    }

    /// SSE bytes for one event (empty when it has no Cohere form or completes nothing yet).
    public mutating func encode(_ event: StreamEvent) -> [UInt8] {
        guard !ended else { return [] }
        var out: [UInt8] = []
        switch event {
        case .start(let id, _, _):
            if !sentStart { self.id = id }
            start(into: &out)
        case .roleStart(let choice):
            if choice == 0 { start(into: &out) }
        case .textDelta(0, let text), .refusalDelta(0, let text):
            content(text, thinking: false, into: &out)
        case .reasoningDelta(0, let text):
            content(text, thinking: true, into: &out)
        case .toolCallStart(0, let index, let id, let name):
            start(into: &out)
            closeOpen(into: &out)
            openToolCall = index
            let call: JSONValue = [
                "id": .string(id), "type": "function", "function": ["name": .string(name), "arguments": ""],
            ]
            write("tool-call-start", index: index, delta: ["message": ["tool_calls": call]], into: &out)
        case .toolCallArgumentsDelta(0, let index, let fragment):
            start(into: &out)
            let call: JSONValue = ["function": ["arguments": .string(fragment)]]
            write("tool-call-delta", index: index, delta: ["message": ["tool_calls": call]], into: &out)
        case .finish(0, let reason):
            start(into: &out)
            closeOpen(into: &out)
            finishReason = reason
        case .usage(let snapshot):
            usage = snapshot
            if finishReason != nil { end(into: &out) }
        case .error(let error):
            start(into: &out)
            closeOpen(into: &out)
            end(into: &out, error: error)
        default:
            break  // signatures, and events of choices other than 0
        }
        return out
    }

    /// Bytes that close the stream: the held `message-end`, if it has not been written yet.
    public mutating func done() -> [UInt8] {
        guard !ended else { return [] }
        var out: [UInt8] = []
        start(into: &out)
        closeOpen(into: &out)
        end(into: &out)
        return out
    }

    private mutating func start(into out: inout [UInt8]) {
        guard !sentStart else { return }
        sentStart = true
        let message: JSONValue = ["role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []]
        write("message-start", extra: ["id": .string(id)], delta: ["message": message], into: &out)
    }

    private mutating func content(_ text: String, thinking: Bool, into out: inout [UInt8]) {
        start(into: &out)
        let key: String = thinking ? "thinking" : "text"
        if openContent?.thinking != thinking || openContent == nil {
            closeOpen(into: &out)
            let index = nextContentIndex
            nextContentIndex += 1
            openContent = (index, thinking)
            let opened: JSONValue = ["type": .string(key), key: ""]
            write("content-start", index: index, delta: ["message": ["content": opened]], into: &out)
        }
        guard let index = openContent?.index else { return }
        write("content-delta", index: index, delta: ["message": ["content": [key: .string(text)]]], into: &out)
    }

    private mutating func closeOpen(into out: inout [UInt8]) {
        if let open = openContent {
            write("content-end", index: open.index, into: &out)
            openContent = nil
        }
        if let call = openToolCall {
            write("tool-call-end", index: call, into: &out)
            openToolCall = nil
        }
    }

    private mutating func end(into out: inout [UInt8], error: GatewayError? = nil) {
        ended = true
        var delta: [String: JSONValue] = [:]
        if let error {
            delta["finish_reason"] = error.kind == .timeout ? "TIMEOUT" : "ERROR"
            delta["error"] = .string(error.message)
        } else {
            delta["finish_reason"] = .string(CohereResponse.encodeFinishReason(finishReason ?? .stop))
        }
        if let usage { delta["usage"] = CohereResponse.encodeUsage(usage) }
        write("message-end", delta: .object(delta), into: &out)
    }

    private func write(
        _ type: String, index: Int? = nil, extra: [String: JSONValue] = [:], delta: JSONValue? = nil,
        into out: inout [UInt8]
    ) {
        var body = extra
        body["type"] = .string(type)
        if let index { body["index"] = .int(Int64(index)) }
        if let delta { body["delta"] = delta }
        out.append(contentsOf: SSEWriter.event(JSON.encode(.object(body)), name: type))
    }
}
