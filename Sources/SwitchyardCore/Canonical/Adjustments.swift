/// Request parameters a provider cannot carry as the client sent them, which the gateway honours another
/// way instead of refusing the request (README "Adjusted parameters"). Each name is the OpenAI-dialect
/// parameter; the answer says which were adjusted in `x-switchyard-adjusted`.
public enum Adjustment {
    /// `parallel_tool_calls: false` on a provider without the switch: the gateway keeps the first tool call
    /// of each choice (`SingleToolCall`), so the client still gets at most one.
    public static let parallelToolCalls = "parallel_tool_calls"
    /// A forced `tool_choice` on a provider that can only force "some tool": only the named tool is offered.
    public static let toolChoice = "tool_choice"
    /// `response_format: json_object` on a provider with schemas only: sent as the schema `{"type": "object"}`.
    public static let responseFormat = "response_format"
    /// Thinking asked for on a tool loop whose last assistant turn came back without its signed thinking (clients
    /// that rebuild messages from id, name and arguments drop it): Anthropic's API then refuses the request
    /// unless thinking is off, so it is off for this turn. The thinking text cannot ride in an id as Gemini's
    /// signatures do — it is as long as the thinking itself and must come back unchanged.
    public static let thinking = "thinking"
    /// Best-effort sampling knobs a provider does not have (`seed`, penalties): not sent.
    public static let seed = "seed"
    public static let presencePenalty = "presence_penalty"
    public static let frequencyPenalty = "frequency_penalty"
}

/// Keeps a client's `parallel_tool_calls: false` where the provider could not be told: at most one tool call
/// per choice reaches the client, the first one the provider made.
public enum SingleToolCall {
    /// The answer with each choice's tool calls cut to the first.
    public static func enforce(_ response: inout ChatResponse) {
        for index in response.choices.indices where response.choices[index].message.toolCalls.count > 1 {
            response.choices[index].message.toolCalls.removeSubrange(1...)
        }
    }

    /// Stream events without those of any tool call after a choice's first.
    public static func filter(_ events: [StreamEvent]) -> [StreamEvent] {
        events.filter { event in
            switch event {
            case .toolCallStart(_, let index, _, _), .toolCallSignature(_, let index, _),
                .toolCallArgumentsDelta(_, let index, _):
                return index == 0
            default:
                return true
            }
        }
    }
}

extension ChatRequest {
    /// For a provider with no parallel-tool-calls switch: takes `parallel_tool_calls: false` off the request and
    /// returns the adjustment when the gateway must keep it itself (tools offered and callable), else nil.
    public mutating func withholdSerialToolCalls() -> String? {
        guard parallelToolCalls == false else { return nil }
        parallelToolCalls = nil
        return !tools.isEmpty && toolChoice != ToolChoice.none ? Adjustment.parallelToolCalls : nil
    }

    /// Whether reasoning was asked for (a budget above 0, or an effort other than `none`).
    public var asksForReasoning: Bool {
        if let budget = reasoningBudget { return budget > 0 }
        return reasoningEffort.map { $0.lowercased() != "none" } ?? false
    }

    /// True when the request continues a tool loop (it ends with tool results) whose assistant turn carries no
    /// replayable reasoning block — a signed thinking block or a redacted one.
    public var lastToolLoopLacksSignedReasoning: Bool {
        guard let last = messages.last, last.role == .tool,
            let assistant = messages.last(where: { $0.role == .assistant }), !assistant.toolCalls.isEmpty
        else { return false }
        return !assistant.reasoning.contains { block in
            switch block {
            case .text(_, let signature): return signature?.isEmpty == false
            case .redacted: return true
            }
        }
    }
}
