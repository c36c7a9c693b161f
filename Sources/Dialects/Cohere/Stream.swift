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
