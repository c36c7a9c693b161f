import SwitchyardCore

/// Writes canonical stream events as a ConverseStream body (event-stream frames), for the fake upstream and
/// round-trip tests. One per stream: it numbers content blocks and holds the usage for the closing `metadata`
/// frame, which Bedrock sends last. Only choice 0 is written; Converse has one answer.
public struct BedrockStreamEncoder: Sendable {
    private enum BlockKind: Equatable {
        case text, reasoning, tool(Int)
    }

    private var openBlock: (index: Int, kind: BlockKind)?
    private var nextBlock = 0
    private var blockByTool: [Int: Int] = [:]
    private var usage: Usage?
    private var ended = false

    public init() {}

    /// Frames for one event (often none: `.start` and `.usage` write nothing by themselves).
    public mutating func encode(_ event: StreamEvent) -> [UInt8] {
        guard !ended else { return [] }
        switch event {
        case .start, .toolCallSignature:
            return []
        case .roleStart(let choice):
            guard choice == 0 else { return [] }
            return frame("messageStart", ["role": "assistant"])
        case .textDelta(let choice, let text), .refusalDelta(let choice, let text):
            guard choice == 0 else { return [] }
            let (bytes, index) = enter(.text)
            return bytes + frame("contentBlockDelta", ["contentBlockIndex": index, "delta": ["text": .string(text)]])
        case .reasoningDelta(let choice, let text):
            guard choice == 0 else { return [] }
            let (bytes, index) = enter(.reasoning)
            return bytes + frame(
                "contentBlockDelta", ["contentBlockIndex": index, "delta": ["reasoningContent": ["text": .string(text)]]])
        case .reasoningSignature(let choice, let signature):
            guard choice == 0 else { return [] }
            let (bytes, index) = enter(.reasoning)
            return bytes + frame(
                "contentBlockDelta",
                ["contentBlockIndex": index, "delta": ["reasoningContent": ["signature": .string(signature)]]])
        case .toolCallStart(let choice, let tool, let id, let name):
            guard choice == 0 else { return [] }
            var bytes = closeOpenBlock()
            let index = nextBlock
            nextBlock += 1
            blockByTool[tool] = index
            openBlock = (index, .tool(tool))
            bytes += frame(
                "contentBlockStart",
                ["contentBlockIndex": .int(Int64(index)), "start": ["toolUse": ["toolUseId": .string(id), "name": .string(name)]]])
            return bytes
        case .toolCallArgumentsDelta(let choice, let tool, let fragment):
            guard choice == 0 else { return [] }
            // Fragments of an earlier call (interleaved parallel calls) still go to that call's block.
            let index = blockByTool[tool] ?? openBlock?.index ?? 0
            return frame(
                "contentBlockDelta",
                ["contentBlockIndex": .int(Int64(index)), "delta": ["toolUse": ["input": .string(fragment)]]])
        case .finish(let choice, let reason):
            guard choice == 0 else { return [] }
            return closeOpenBlock() + frame("messageStop", ["stopReason": .string(BedrockResponse.encodeStopReason(reason))])
        case .usage(let snapshot):
            usage = snapshot
            return []
        case .error(let error):
            ended = true
            return exceptionFrame(error)
        }
    }

    /// The closing `metadata` frame with the last usage seen (nothing when no usage was reported).
    public mutating func finish() -> [UInt8] {
        guard !ended else { return [] }
        ended = true
        guard let usage else { return [] }
        return frame("metadata", ["usage": BedrockResponse.encodeUsage(usage), "metrics": ["latencyMs": 0]])
    }

    /// Makes a text or reasoning block current, closing another first; those blocks have no start frame.
    private mutating func enter(_ kind: BlockKind) -> (bytes: [UInt8], index: JSONValue) {
        if let open = openBlock, open.kind == kind { return ([], .int(Int64(open.index))) }
        let bytes = closeOpenBlock()
        let index = nextBlock
        nextBlock += 1
        openBlock = (index, kind)
        return (bytes, .int(Int64(index)))
    }

    private mutating func closeOpenBlock() -> [UInt8] {
        guard let open = openBlock else { return [] }
        openBlock = nil
        return frame("contentBlockStop", ["contentBlockIndex": .int(Int64(open.index))])
    }

    private func frame(_ eventType: String, _ payload: JSONValue) -> [UInt8] {
        let event = EventStreamFrame(
            headers: [
                .string(":event-type", eventType), .string(":content-type", "application/json"),
                .string(":message-type", "event"),
            ],
            payload: JSON.encode(payload))
        do {
            return try event.encoded()
        } catch {
            // Only a payload over 24 MiB can fail; the client learns of it rather than getting a gap.
            return exceptionFrame(GatewayError(.upstreamError, "An event could not be framed: \(error.message)"))
        }
    }

    private func exceptionFrame(_ error: GatewayError) -> [UInt8] {
        let exception = EventStreamFrame(
            headers: [
                .string(":exception-type", BedrockErrors.exceptionType(for: error)),
                .string(":content-type", "application/json"), .string(":message-type", "exception"),
            ],
            payload: JSON.encode(["message": .string(String(error.message.prefix(16_384)))]))
        // Short fixed headers and a capped message cannot exceed the format's limits.
        return (try? exception.encoded()) ?? []
    }
}
