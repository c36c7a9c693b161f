import SwitchyardCore

/// Turns a `streamGenerateContent?alt=sse` body into canonical events (gemini.md §5). Each SSE event is a whole
/// `GenerateContentResponse` holding only new parts; there is no terminator, and `usageMetadata` is cumulative.
///
/// - The first chunk yields `.start`, and each candidate's first appearance `.roleStart`.
/// - Text parts → `.textDelta`, thought parts → `.reasoningDelta`; a `thoughtSignature` on either →
///   `.reasoningSignature`.
/// - A `functionCall` part (always whole) → `.toolCallStart`, one `.toolCallArgumentsDelta` with the JSON
///   arguments, and `.toolCallSignature` when signed. Ids are minted as for a whole answer, a signed call's
///   carrying its signature (`GeminiToolCallID`).
/// - `finishReason` → `.finish` (`STOP` after tool calls → `.toolCalls`); a blocked prompt → `.finish(.contentFilter)`.
/// - Usage is reported with the finish and whenever it changes after it; if the body ends before any finish, the
///   last snapshot is reported at `finish()` so the request can still be accounted.
/// - `data: {"error": …}` (or a chunk that is not JSON) → `.error`, after which the stream's bytes are ignored.
public struct GeminiStreamDecoder: ProviderStreamDecoder {
    private struct ChoiceState {
        var toolCalls = 0
    }

    private var parser = SSEParser()
    private var started = false
    private var failed = false
    private var finishedAny = false
    private var responseId = ""
    private var choices: [Int: ChoiceState] = [:]
    private var latestUsage: Usage?
    private var reportedUsage: Usage?

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [StreamEvent] {
        decode(parser.feed(bytes))
    }

    public mutating func finish() -> [StreamEvent] {
        var events = decode(parser.finish())
        if !failed, let usage = latestUsage, usage != reportedUsage {
            events.append(.usage(usage))
            reportedUsage = usage
        }
        return events
    }

    private mutating func decode(_ sseEvents: [SSEEvent]) -> [StreamEvent] {
        var events: [StreamEvent] = []
        for event in sseEvents where !failed && !event.isCommentOnly && !event.isDone {
            guard let chunk = try? JSON.parse(event.data), chunk.objectValue != nil else {
                failed = true
                events.append(.error(GatewayError(.upstreamError, "The provider sent a stream chunk that is not a JSON object.")))
                break
            }
            decode(chunk: chunk, into: &events)
        }
        return events
    }

    private mutating func decode(chunk: JSONValue, into events: inout [StreamEvent]) {
        if let error = chunk["error"], !error.isNull {
            failed = true
            events.append(.error(GeminiErrors.decode(error: error, status: nil, retryAfterHeader: nil)))
            return
        }
        if !started {
            started = true
            responseId = chunk.field("responseId")?.stringValue ?? ""
            events.append(.start(id: responseId, model: chunk.field("modelVersion")?.stringValue ?? "", created: 0))
        }
        var finishedNow = false
        let candidates = chunk.field("candidates")?.arrayValue ?? []
        for (position, candidate) in candidates.enumerated() {
            let choice = candidate.field("index")?.intValue ?? position
            if choices[choice] == nil { events.append(.roleStart(choice: choice)) }
            var state = choices[choice] ?? ChoiceState()
            for part in candidate.field("content")?.field("parts")?.arrayValue ?? [] {
                decode(part: part, choice: choice, state: &state, into: &events)
            }
            if let native = candidate.field("finishReason")?.stringValue {
                events.append(.finish(choice: choice, reason: GeminiFinishReason.decode(native, hasToolCalls: state.toolCalls > 0)))
                finishedNow = true
            }
            choices[choice] = state
        }
        if candidates.isEmpty, chunk.field("promptFeedback")?.field("blockReason")?.stringValue != nil {
            if choices[0] == nil {
                events.append(.roleStart(choice: 0))
                choices[0] = ChoiceState()
            }
            events.append(.finish(choice: 0, reason: .contentFilter))
            finishedNow = true
        }
        if let usage = chunk.field("usageMetadata").flatMap(GeminiUsage.decode) { latestUsage = usage }
        finishedAny = finishedAny || finishedNow
        if finishedAny, let usage = latestUsage, usage != reportedUsage {
            events.append(.usage(usage))
            reportedUsage = usage
        }
    }

    private func decode(part: JSONValue, choice: Int, state: inout ChoiceState, into events: inout [StreamEvent]) {
        let signature = part.field("thoughtSignature")?.stringValue
        if let call = part.field("functionCall") {
            let index = state.toolCalls
            state.toolCalls += 1
            let name = call.field("name")?.stringValue ?? ""
            let arguments = JSON.encodeString(call.field("args").flatMap { $0.isNull ? nil : $0 } ?? [:])
            // The signature rides on the functionCall part itself, so the id announced at the call's start can
            // carry it, the same id the whole answer gives (a stream client sees the id only here).
            let id = GeminiToolCallID.carrying(
                signature,
                in: call.field("id")?.stringValue
                    ?? GeminiToolCallID.forResponse(
                        responseId: responseId, choice: choice, index: index, name: name, arguments: arguments))
            events.append(.toolCallStart(choice: choice, index: index, id: id, name: name))
            events.append(.toolCallArgumentsDelta(choice: choice, index: index, fragment: arguments))
            if let signature { events.append(.toolCallSignature(choice: choice, index: index, signature: signature)) }
            return
        }
        if let text = part.field("text")?.stringValue, !text.isEmpty {
            if part.field("thought")?.boolValue == true {
                events.append(.reasoningDelta(choice: choice, text: text))
            } else {
                events.append(.textDelta(choice: choice, text: text))
            }
        }
        // Media and code-execution parts have no stream event; their signature still belongs to the answer.
        if let signature { events.append(.reasoningSignature(choice: choice, signature: signature)) }
    }
}
