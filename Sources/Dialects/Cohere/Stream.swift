import SwitchyardCore

/// Turns a Cohere v2 Chat SSE stream into canonical events, chunk by chunk.
///
/// `message-start` → `.start` (id; Cohere names no model) and `.roleStart`; text `content-delta` →
/// `.textDelta`; thinking `content-delta` and `tool-plan-delta` → `.reasoningDelta`; `tool-call-start` /
/// `-delta` → `.toolCallStart` / `.toolCallArgumentsDelta` (calls numbered from 0 in order of appearance);
/// `message-end` → `.finish` then `.usage`, or, when it carries `delta.error` or finish reason `ERROR` /
/// `TIMEOUT`, `.usage` then `.error` and no finish (mapping.md §1.1: never a silent stop). `content-start`
/// / `-end`, `tool-call-end`, `citation-*` (no canonical event) and `debug` produce nothing; a `[DONE]` line
/// is tolerated. A stream that closes before `message-end`, or an event that is not JSON, ends with `.error`.
public struct CohereStreamDecoder: ProviderStreamDecoder {
    private var parser = SSEParser()
    /// Cohere's tool-call index → the canonical one.
    private var toolIndexes: [Int: Int] = [:]
    /// Content blocks opened as `thinking`, by Cohere index (their deltas are reasoning).
    private var thinkingBlocks: Set<Int> = []
    private var started = false
    private var ended = false

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [StreamEvent] {
        var events: [StreamEvent] = []
        for event in parser.feed(bytes) { events.append(contentsOf: decode(event)) }
        return events
    }

    public mutating func finish() -> [StreamEvent] {
        var events: [StreamEvent] = []
        for event in parser.finish() { events.append(contentsOf: decode(event)) }
        if !ended {
            ended = true
            events.append(
                .error(GatewayError(.upstreamError, "The Cohere stream closed before its message-end event.")))
        }
        return events
    }

    /// Every event of a whole transcript (tests and non-streaming consumers).
    public static func decodeTranscript(_ bytes: some Collection<UInt8>) -> [StreamEvent] {
        var decoder = CohereStreamDecoder()
        return decoder.feed(Array(bytes)) + decoder.finish()
    }

    private mutating func decode(_ event: SSEEvent) -> [StreamEvent] {
        guard !ended, !event.isCommentOnly, !event.isDone else { return [] }
        guard let chunk = try? JSON.parse(event.data), chunk.objectValue != nil else {
            ended = true
            return [.error(GatewayError(.upstreamError, "Cohere sent a stream event that is not a JSON object."))]
        }
        let type = chunk["type"]?.stringValue ?? event.event ?? ""
        let delta = chunk["delta"]
        let message = delta?["message"]
        let index = chunk["index"]?.intValue ?? 0
        var events: [StreamEvent] = []
        if type == "message-start" {
            started = true
            events.append(.start(id: chunk["id"]?.stringValue ?? "", model: "", created: 0))
            events.append(.roleStart(choice: 0))
            return events
        }
        if !started, type != "debug" {
            // A stream that skipped message-start still opens the assistant's turn once.
            started = true
            events.append(.roleStart(choice: 0))
        }
        switch type {
        case "content-start", "content-delta":
            let content = message?["content"]
            if type == "content-start", content?["type"]?.stringValue == "thinking" { thinkingBlocks.insert(index) }
            if let thinking = content?["thinking"]?.stringValue {
                if !thinking.isEmpty { events.append(.reasoningDelta(choice: 0, text: thinking)) }
            } else if let text = content?["text"]?.stringValue, !text.isEmpty {
                events.append(
                    thinkingBlocks.contains(index)
                        ? .reasoningDelta(choice: 0, text: text) : .textDelta(choice: 0, text: text))
            }
        case "tool-plan-delta":
            if let plan = message?["tool_plan"]?.stringValue, !plan.isEmpty {
                events.append(.reasoningDelta(choice: 0, text: plan))
            }
        case "tool-call-start":
            let call = message?["tool_calls"]
            let canonical = toolIndexes.count
            toolIndexes[index] = canonical
            events.append(
                .toolCallStart(
                    choice: 0, index: canonical, id: call?["id"]?.stringValue ?? "",
                    name: call?["function"]?["name"]?.stringValue ?? ""))
            if let fragment = call?["function"]?["arguments"]?.stringValue, !fragment.isEmpty {
                events.append(.toolCallArgumentsDelta(choice: 0, index: canonical, fragment: fragment))
            }
        case "tool-call-delta":
            if let fragment = message?["tool_calls"]?["function"]?["arguments"]?.stringValue, !fragment.isEmpty {
                events.append(
                    .toolCallArgumentsDelta(choice: 0, index: toolIndexes[index] ?? index, fragment: fragment))
            }
        case "message-end":
            ended = true
            events.append(contentsOf: Self.decodeEnd(delta))
        default:
            break  // content-end, tool-call-end, citation-start/-end, debug, and types added later
        }
        return events
    }

    static func decodeEnd(_ delta: JSONValue?) -> [StreamEvent] {
        var events: [StreamEvent] = []
        let native = delta?["finish_reason"]?.stringValue
        let usage = delta?["usage"].flatMap(CohereResponse.decodeUsage)
        let message = CohereRequest.nonNull(delta?["error"]).map { $0.stringValue ?? JSON.encodeString($0) }
        if message != nil || native == "ERROR" || native == "TIMEOUT" {
            if let usage { events.append(.usage(usage)) }
            let reason = native ?? "ERROR"
            let text = "Cohere ended the answer with finish_reason \(reason)" + (message.map { ": \($0)" } ?? ".")
            events.append(.error(GatewayError(reason == "TIMEOUT" ? .timeout : .upstreamError, text)))
            return events
        }
        // A message-end without a reason is still a normal end: Cohere reports failures explicitly.
        events.append(.finish(choice: 0, reason: native.map(CohereResponse.decodeFinishReason) ?? .stop))
        if let usage { events.append(.usage(usage)) }
        return events
    }
}

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
