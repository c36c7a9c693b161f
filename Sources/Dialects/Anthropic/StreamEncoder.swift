import SwitchyardCore

/// Writes canonical stream events from any provider as an Anthropic Messages SSE stream (mapping.md §5,
/// reverse direction). One per streamed answer: it tracks which content block is open, since Anthropic
/// streams one block at a time (`content_block_start` → deltas → `content_block_stop`, indexes 0, 1, 2…).
///
/// Use: `encode(_:)` for every upstream event, then `finish()` once the upstream stream has ended without
/// error; it sends `message_delta` (stop reason and the last usage seen, as usage may follow the finish
/// event) and `message_stop`. After an `.error` event (sent as `event: error`) nothing more is written.
/// Send `AnthropicStreamEncoder.ping` every 10–15 s while the upstream is silent.
///
/// Mapping: text → `text` blocks; reasoning → `thinking` blocks, closed with `signature_delta` when a signature
/// is known (without one the SDK's accumulated block has signature `""`, which marks it non-replayable);
/// a redacted signature (`AnthropicStream.redactedPrefix`) → a whole `redacted_thinking` block; tool calls →
/// `tool_use` blocks with `input_json_delta`; refusal text → text. Only choice 0 is written.
public struct AnthropicStreamEncoder: Sendable {
    public private(set) var id: String?
    public private(set) var model: String?
    /// The gateway's estimate of the prompt's tokens, shown in `message_start` before real usage is known.
    public let inputTokens: Int
    /// Whether the client sent the beta that allows `model_context_window_exceeded`.
    public let contextWindowStopReason: Bool

    private enum Block: Equatable {
        case text
        case thinking
        /// A thinking block that got its signature: more reasoning starts a new block.
        case signedThinking
        case redactedThinking
        case tool(Int)
    }

    private var open: Block?
    private var nextBlockIndex = 0
    /// Tool index → content-block index of its `tool_use` block.
    private var toolBlocks: [Int: Int] = [:]
    private var started = false
    public private(set) var hasEnded = false
    private var finishReason: FinishReason?
    private var usage: Usage?

    /// `id` (a `msg_…` id) and `model` (the public name) as the client should see them; when nil, the values of
    /// the upstream's `.start` event are used.
    public init(id: String? = nil, model: String? = nil, inputTokens: Int = 0, contextWindowStopReason: Bool = false) {
        self.id = id
        self.model = model
        self.inputTokens = inputTokens
        self.contextWindowStopReason = contextWindowStopReason
    }

    public static let ping: [UInt8] = SSEWriter.event(#"{"type":"ping"}"#, name: "ping")

    /// SSE bytes for one event (often empty: a finish or usage is held until `finish()`).
    public mutating func encode(_ event: StreamEvent) -> [UInt8] {
        guard !hasEnded else { return [] }
        switch event {
        case .start(let upstreamID, let upstreamModel, _):
            if id == nil { id = upstreamID.hasPrefix("msg_") ? upstreamID : "msg_" + upstreamID }
            if model == nil { model = upstreamModel }
            return messageStart()
        case .roleStart(let choice):
            return choice == 0 ? messageStart() : []
        case .textDelta(0, let text), .refusalDelta(0, let text):
            guard !text.isEmpty else { return [] }
            return open(.text, start: ["type": "text", "text": ""])
                + delta(["type": "text_delta", "text": .string(text)])
        case .reasoningDelta(0, let text):
            guard !text.isEmpty else { return [] }
            return open(.thinking, start: ["type": "thinking", "thinking": "", "signature": ""])
                + delta(["type": "thinking_delta", "thinking": .string(text)])
        case .reasoningSignature(0, let signature):
            if let data = AnthropicStream.redactedData(fromSignature: signature) {
                var out = messageStart() + closeBlock()
                out += blockStart(["type": "redacted_thinking", "data": .string(data)])
                open = .redactedThinking
                return out + closeBlock()
            }
            // A signature ends its thinking block; one without thinking text (display "omitted") opens its own.
            let out =
                open(.thinking, start: ["type": "thinking", "thinking": "", "signature": ""])
                + delta(["type": "signature_delta", "signature": .string(signature)])
            open = .signedThinking
            return out
        case .toolCallStart(0, let index, let callID, let name):
            guard toolBlocks[index] == nil else { return [] }
            var out = messageStart() + closeBlock()
            toolBlocks[index] = nextBlockIndex
            let toolID = callID.isEmpty ? "toolu_\(id ?? "")_\(index)" : callID
            out += blockStart(["type": "tool_use", "id": .string(toolID), "name": .string(name), "input": [:]])
            open = .tool(index)
            return out
        case .toolCallArgumentsDelta(0, let index, let fragment):
            // Providers stream one call's arguments before the next call starts; a fragment for a call whose
            // block is already closed cannot be placed in an Anthropic stream and is dropped.
            guard !fragment.isEmpty, open == .tool(index) else { return [] }
            return delta(["type": "input_json_delta", "partial_json": .string(fragment)])
        case .finish(0, let reason):
            finishReason = reason
            return messageStart() + closeBlock()
        case .usage(let snapshot):
            usage = snapshot
            return []
        case .error(let error):
            hasEnded = true
            return AnthropicErrors.streamEvent(for: error)
        case .toolCallSignature, .textDelta, .refusalDelta, .reasoningDelta, .reasoningSignature, .toolCallStart,
            .toolCallArgumentsDelta, .finish:
            return []  // other choices, and Gemini's call signatures
        }
    }

    /// The end of the answer: `message_delta` + `message_stop`, or `event: error` when the upstream ended
    /// without saying why it stopped (a cut stream must not look complete).
    public mutating func finish() -> [UInt8] {
        guard !hasEnded else { return [] }
        guard let finishReason else {
            return encode(.error(GatewayError(.upstreamError, "The provider's stream ended before the answer was complete.")))
        }
        var out = messageStart() + closeBlock()
        hasEnded = true
        let stopReason = AnthropicResponse.encodeStopReason(
            finishReason, stopSequence: nil, hasToolCalls: !toolBlocks.isEmpty,
            contextWindowStopReason: contextWindowStopReason)
        let finalUsage = usage.map { AnthropicUsage.encode($0) } ?? ["input_tokens": .int(Int64(inputTokens)), "output_tokens": 0]
        out += event(
            "message_delta",
            ["type": "message_delta", "delta": ["stop_reason": .string(stopReason), "stop_sequence": .null], "usage": finalUsage])
        out += event("message_stop", ["type": "message_stop"])
        return out
    }

    // MARK: - Writing

    private mutating func messageStart() -> [UInt8] {
        guard !started else { return [] }
        started = true
        let message: JSONValue = [
            "id": .string(id ?? "msg_switchyard"), "type": "message", "role": "assistant",
            "model": .string(model ?? ""), "content": [], "stop_reason": .null, "stop_sequence": .null,
            // Output 1, as Anthropic itself reports before generating.
            "usage": ["input_tokens": .int(Int64(inputTokens)), "output_tokens": 1],
        ]
        return event("message_start", ["type": "message_start", "message": message])
    }

    /// Opens a block of `kind` unless one is already open.
    private mutating func open(_ kind: Block, start: JSONValue) -> [UInt8] {
        var out = messageStart()
        guard open != kind else { return out }
        out += closeBlock()
        out += blockStart(start)
        open = kind
        return out
    }

    private mutating func blockStart(_ block: JSONValue) -> [UInt8] {
        event(
            "content_block_start",
            ["type": "content_block_start", "index": .int(Int64(nextBlockIndex)), "content_block": block])
    }

    private func delta(_ delta: JSONValue) -> [UInt8] {
        event(
            "content_block_delta",
            ["type": "content_block_delta", "index": .int(Int64(nextBlockIndex)), "delta": delta])
    }

    /// Closes whatever block is open (the index of the open block is always `nextBlockIndex`).
    private mutating func closeBlock() -> [UInt8] {
        guard open != nil else { return [] }
        let out = event("content_block_stop", ["type": "content_block_stop", "index": .int(Int64(nextBlockIndex))])
        open = nil
        nextBlockIndex += 1
        return out
    }

    private func event(_ name: String, _ payload: JSONValue) -> [UInt8] {
        SSEWriter.event(JSON.encode(payload), name: name)
    }
}
