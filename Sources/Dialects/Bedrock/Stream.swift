import SwitchyardCore

/// Reads a ConverseStream body (binary event-stream frames, bedrock.md §4–5) into canonical stream events.
/// Text and reasoning blocks have no start frame; tool blocks do, and their block index is mapped to the
/// canonical tool-call index (0, 1, … per answer). Usage arrives last, in `metadata`, after `messageStop`.
public struct BedrockStreamDecoder: ProviderStreamDecoder {
    private var frames = EventStreamDecoder()
    private var toolIndexByBlock: [Int: Int] = [:]
    private var sawMessageStop = false
    /// Set once the stream has failed (exception frame, bad frame); later bytes mean nothing.
    private var ended = false

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [StreamEvent] {
        guard !ended else { return [] }
        frames.append(bytes)
        var events: [StreamEvent] = []
        while !ended {
            do {
                guard let frame = try frames.next() else { break }
                events += self.events(for: frame)
            } catch {
                ended = true
                events.append(.error(GatewayError(.upstreamError, "Bedrock sent a malformed event stream: \(error.message)")))
            }
        }
        return events
    }

    public mutating func finish() -> [StreamEvent] {
        guard !ended else { return [] }
        ended = true
        if frames.bufferedByteCount > 0 {
            return [.error(GatewayError(
                .upstreamError, "Bedrock's stream ended \(frames.bufferedByteCount) bytes into a frame."))]
        }
        if !sawMessageStop {
            return [.error(GatewayError(.upstreamError, "Bedrock's stream ended before messageStop."))]
        }
        return []
    }

    /// The canonical events for one decoded frame (also used by transcoders that read frames themselves).
    public mutating func events(for frame: EventStreamFrame) -> [StreamEvent] {
        switch frame.stringHeader(":message-type") {
        case "event":
            break
        case "exception", "error":
            ended = true
            return [.error(BedrockErrors.decode(frame: frame))]
        default:
            // Not a message type this decoder knows; events are the only ones carrying answer content.
            return []
        }
        guard let type = frame.stringHeader(":event-type") else { return [] }
        guard let payload = try? JSON.parse(frame.payload) else {
            ended = true
            return [.error(GatewayError(.upstreamError, "Bedrock's \(type) event does not carry JSON."))]
        }
        switch type {
        case "messageStart":
            return [.roleStart(choice: 0)]
        case "contentBlockStart":
            guard let use = payload["start"]?["toolUse"], let block = payload["contentBlockIndex"]?.intValue else {
                return []
            }
            let index = toolIndex(forBlock: block)
            return [.toolCallStart(
                choice: 0, index: index, id: use["toolUseId"]?.stringValue ?? "", name: use["name"]?.stringValue ?? "")]
        case "contentBlockDelta":
            return deltaEvents(payload)
        case "messageStop":
            sawMessageStop = true
            let reason = payload["stopReason"]?.stringValue ?? "end_turn"
            return [.finish(choice: 0, reason: BedrockResponse.decodeStopReason(reason))]
        case "metadata":
            return payload["usage"].flatMap(BedrockResponse.decodeUsage).map { [.usage($0)] } ?? []
        default:
            // contentBlockStop and members added later carry nothing canonical.
            return []
        }
    }

    private mutating func deltaEvents(_ payload: JSONValue) -> [StreamEvent] {
        guard let delta = payload["delta"] else { return [] }
        if let text = delta["text"]?.stringValue {
            return text.isEmpty ? [] : [.textDelta(choice: 0, text: text)]
        }
        if let input = delta["toolUse"]?["input"]?.stringValue {
            guard !input.isEmpty else { return [] }
            let index = toolIndex(forBlock: payload["contentBlockIndex"]?.intValue ?? 0)
            return [.toolCallArgumentsDelta(choice: 0, index: index, fragment: input)]
        }
        if let reasoning = delta["reasoningContent"] {
            var events: [StreamEvent] = []
            if let text = reasoning["text"]?.stringValue, !text.isEmpty {
                events.append(.reasoningDelta(choice: 0, text: text))
            }
            if let signature = reasoning["signature"]?.stringValue, !signature.isEmpty {
                events.append(.reasoningSignature(choice: 0, signature: signature))
            }
            // `redactedContent` has no stream event in the canonical model; it is dropped here.
            return events
        }
        return []
    }

    /// The canonical tool-call index for a Bedrock content block, allocated in order of first sight.
    private mutating func toolIndex(forBlock block: Int) -> Int {
        if let index = toolIndexByBlock[block] { return index }
        let index = toolIndexByBlock.count
        toolIndexByBlock[block] = index
        return index
    }
}
