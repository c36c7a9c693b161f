import SwitchyardCore

/// Conventions of the Anthropic stream codec shared by the decoder, the encoder and the server.
public enum AnthropicStream {
    /// Canonical events have no redacted-thinking case, so a `redacted_thinking` block travels as a
    /// `.reasoningSignature` whose value is this prefix + the block's opaque `data`. The prefix cannot begin a
    /// real signature (those are base64, without `_` or `:`). Consumers that rebuild a message from events
    /// turn it into `ReasoningBlock.redacted(data:)`; the OpenAI encoder ignores signatures, as it should.
    public static let redactedPrefix = "redacted_thinking:"

    public static func redactedSignature(data: String) -> String { redactedPrefix + data }

    /// The redacted block's data when `signature` carries one.
    public static func redactedData(fromSignature signature: String) -> String? {
        signature.hasPrefix(redactedPrefix) ? String(signature.dropFirst(redactedPrefix.count)) : nil
    }

    /// Decodes a whole SSE transcript (tests and non-streaming consumers).
    public static func decodeTranscript(_ bytes: some Collection<UInt8>) -> [StreamEvent] {
        var decoder = AnthropicStreamDecoder()
        return decoder.feed(Array(bytes)) + decoder.finish()
    }
}

/// Turns an Anthropic Messages SSE stream into canonical events (mapping.md §5):
/// `message_start` → `.start` + `.roleStart` (usage remembered); `text_delta` → `.textDelta`; `tool_use` start
/// → `.toolCallStart` with a running tool index; `input_json_delta` → `.toolCallArgumentsDelta` (empty ones
/// skipped; a call that sent none gets `{}` at its stop); `thinking_delta` → `.reasoningDelta`;
/// `signature_delta` → `.reasoningSignature`; `redacted_thinking` → `.reasoningSignature` with
/// `AnthropicStream.redactedPrefix`; `message_delta` → `.finish` + `.usage` (its counts over message_start's);
/// `event: error` → `.error`. `ping`, citations and server-tool blocks have no canonical form and are skipped.
/// A stream that closes before `message_delta` or `message_stop` ends with an `.upstreamError`.
public struct AnthropicStreamDecoder: ProviderStreamDecoder {
    private var parser = SSEParser()
    /// Content-block index → canonical tool index, for `tool_use` blocks only.
    private var toolIndexByBlock: [Int: Int] = [:]
    private var toolBlocksWithArguments: Set<Int> = []
    private var usageFields: [String: JSONValue] = [:]
    private var finished = false
    private var ended = false

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [StreamEvent] {
        parser.feed(bytes).flatMap { decode($0) }
    }

    public mutating func finish() -> [StreamEvent] {
        var events = parser.finish().flatMap { decode($0) }
        if !ended, !finished {
            ended = true
            events.append(.error(GatewayError(.upstreamError, "The provider closed the stream before the answer ended.")))
        }
        return events
    }

    private mutating func decode(_ event: SSEEvent) -> [StreamEvent] {
        guard !ended, !event.isCommentOnly else { return [] }
        guard let data = try? JSON.parse(event.data) else {
            ended = true
            return [.error(GatewayError(.upstreamError, "The provider sent a stream event that is not JSON."))]
        }
        switch data["type"]?.stringValue ?? event.event {
        case "message_start":
            let message = data["message"] ?? .null
            mergeUsage(message["usage"])
            return [
                .start(id: message["id"]?.stringValue ?? "", model: message["model"]?.stringValue ?? "", created: 0),
                .roleStart(choice: 0),
            ]
        case "content_block_start":
            return blockStart(index: data["index"]?.intValue ?? 0, block: data["content_block"] ?? .null)
        case "content_block_delta":
            return blockDelta(index: data["index"]?.intValue ?? 0, delta: data["delta"] ?? .null)
        case "content_block_stop":
            let index = data["index"]?.intValue ?? 0
            if let tool = toolIndexByBlock[index], !toolBlocksWithArguments.contains(index) {
                toolBlocksWithArguments.insert(index)
                return [.toolCallArgumentsDelta(choice: 0, index: tool, fragment: "{}")]
            }
            return []
        case "message_delta":
            mergeUsage(data["usage"])
            var events: [StreamEvent] = []
            if let reason = data["delta"]?["stop_reason"]?.stringValue {
                finished = true
                events.append(.finish(choice: 0, reason: AnthropicResponse.decodeStopReason(reason)))
            }
            if let usage = AnthropicUsage.decode(.object(usageFields)) { events.append(.usage(usage)) }
            return events
        case "message_stop":
            ended = true
            return []
        case "error":
            ended = true
            return [.error(AnthropicErrors.decode(json: data, status: nil))]
        default:
            return []  // `ping`, and event types added after this was written
        }
    }

    private mutating func blockStart(index: Int, block: JSONValue) -> [StreamEvent] {
        switch block["type"]?.stringValue {
        case "text":
            let text = block["text"]?.stringValue ?? ""
            return text.isEmpty ? [] : [.textDelta(choice: 0, text: text)]
        case "thinking":
            var events: [StreamEvent] = []
            if let text = block["thinking"]?.stringValue, !text.isEmpty { events.append(.reasoningDelta(choice: 0, text: text)) }
            if let signature = block["signature"]?.stringValue, !signature.isEmpty {
                events.append(.reasoningSignature(choice: 0, signature: signature))
            }
            return events
        case "redacted_thinking":
            let data = block["data"]?.stringValue ?? ""
            return [.reasoningSignature(choice: 0, signature: AnthropicStream.redactedSignature(data: data))]
        case "tool_use":
            let tool = toolIndexByBlock.count
            toolIndexByBlock[index] = tool
            var events: [StreamEvent] = [
                .toolCallStart(
                    choice: 0, index: tool, id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "")
            ]
            // Input normally streams as fragments after `{}`; a start that already holds it is sent whole.
            if let input = block["input"], input.objectValue?.isEmpty == false {
                toolBlocksWithArguments.insert(index)
                events.append(.toolCallArgumentsDelta(choice: 0, index: tool, fragment: JSON.encodeString(input)))
            }
            return events
        default:
            return []
        }
    }

    private mutating func blockDelta(index: Int, delta: JSONValue) -> [StreamEvent] {
        switch delta["type"]?.stringValue {
        case "text_delta":
            let text = delta["text"]?.stringValue ?? ""
            return text.isEmpty ? [] : [.textDelta(choice: 0, text: text)]
        case "thinking_delta":
            let text = delta["thinking"]?.stringValue ?? ""
            return text.isEmpty ? [] : [.reasoningDelta(choice: 0, text: text)]
        case "signature_delta":
            let signature = delta["signature"]?.stringValue ?? ""
            return signature.isEmpty ? [] : [.reasoningSignature(choice: 0, signature: signature)]
        case "input_json_delta":
            // Fragments of server-tool blocks have no canonical call to belong to.
            guard let tool = toolIndexByBlock[index], let fragment = delta["partial_json"]?.stringValue,
                !fragment.isEmpty
            else { return [] }
            toolBlocksWithArguments.insert(index)
            return [.toolCallArgumentsDelta(choice: 0, index: tool, fragment: fragment)]
        default:
            return []
        }
    }

    /// `message_delta` counts are cumulative and win over `message_start`'s; absent ones keep the earlier value.
    private mutating func mergeUsage(_ usage: JSONValue?) {
        for (key, value) in usage?.objectValue ?? [:] where !value.isNull { usageFields[key] = value }
    }
}
