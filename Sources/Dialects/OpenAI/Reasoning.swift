import SwitchyardCore
/// How reasoning travels in the OpenAI dialect, which has no field for it (openai-compatible.md §2).
///
/// - `reasoning_content` (string): the visible reasoning text, the form most clients show.
/// - `reasoning_details` (array, OpenRouter's shape): every block with what a provider needs to replay it —
///   `{"type": "reasoning.text", "text", "signature"}` or `{"type": "reasoning.encrypted", "data"}`. A client
///   that sends the assistant message back unchanged (the OpenAI SDK keeps unknown fields) gets the
///   thinking and its signature to the provider exactly as it produced them.
/// - On a tool call, `extra_content.google.thought_signature` (the form Google's own OpenAI-compatible
///   endpoint uses) carries a Gemini thought signature bound to that call.
public enum OpenAIReasoning {
    public static func encodeDetails(_ blocks: [ReasoningBlock]) -> JSONValue? {
        // Unsigned text alone adds nothing to `reasoning_content`.
        guard blocks.contains(where: { if case .text(_, nil) = $0 { return false } else { return true } }) else {
            return nil
        }
        return .array(
            blocks.enumerated().map { index, block -> JSONValue in
                switch block {
                case .text(let text, let signature):
                    var detail: [String: JSONValue] = [
                        "type": "reasoning.text", "text": .string(text), "index": .int(Int64(index)),
                    ]
                    if let signature { detail["signature"] = .string(signature) }
                    return .object(detail)
                case .redacted(let data):
                    return ["type": "reasoning.encrypted", "data": .string(data), "index": .int(Int64(index))]
                }
            })
    }

    public static func decodeDetails(_ details: [JSONValue]) -> [ReasoningBlock] {
        details.compactMap { detail in
            switch detail["type"]?.stringValue {
            case "reasoning.encrypted":
                return detail["data"]?.stringValue.map { .redacted(data: $0) }
            case "reasoning.summary":
                return detail["summary"]?.stringValue.map { .text($0, signature: detail["signature"]?.stringValue) }
            default:
                return .text(detail["text"]?.stringValue ?? "", signature: detail["signature"]?.stringValue)
            }
        }
    }

    public static func toolSignature(_ signature: String) -> JSONValue {
        ["google": ["thought_signature": .string(signature)]]
    }
}
