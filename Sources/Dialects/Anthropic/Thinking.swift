import SwitchyardCore

/// Thinking configuration ⇄ canonical `reasoningEffort` / `reasoningBudget` (anthropic.md §2.3, mapping.md §4).
///
/// Canonical meaning: a budget above 0, or an effort other than `none`, asks for reasoning at that level.
/// Anthropic's `output_config.effort` without thinking (4.6+ models: effort steers verbosity alone) is therefore
/// *not* canonical effort; it stays in `extra["output_config"]` for Anthropic upstreams.
enum AnthropicThinking {
    /// Budgets for effort words on budget-form models (mapping.md §4; `xhigh`/`max` extend the same curve).
    static func budget(forEffort effort: String?) -> Int {
        switch effort {
        case "minimal", "low": return 1024
        case "high": return 16384
        case "xhigh": return 24576
        case "max": return 32000
        default: return 4096
        }
    }

    /// The effort word an adaptive model gets for an explicit budget (inverse of `budget(forEffort:)`).
    static func effort(forBudget budget: Int) -> String {
        switch budget {
        case ..<2048: return "low"
        case ..<8192: return "medium"
        default: return "high"
        }
    }

    /// Anthropic's effort words; OpenAI's `minimal` is `low` here.
    static func adaptiveEffort(_ effort: String) -> String { effort == "minimal" ? "low" : effort }

    /// Canonical settings from an Anthropic request's `thinking` and `output_config.effort`. Adaptive thinking
    /// without an effort gets `high`, the API's default, so that "reasoning on" survives into other dialects.
    /// Returns whether the effort became canonical (otherwise it stays in `extra["output_config"]`).
    static func decode(thinking: JSONValue?, effort: String?, into request: inout ChatRequest) -> Bool {
        switch thinking?["type"]?.stringValue {
        case "enabled":
            request.reasoningBudget = thinking?["budget_tokens"]?.intValue
            request.reasoningEffort = effort
            return effort != nil
        case "adaptive":
            request.reasoningEffort = effort ?? "high"
            return effort != nil
        default:
            return false
        }
    }

    /// What to send: the `thinking` object (nil for none), the `output_config.effort` word, and `max_tokens`
    /// raised when a budget would not fit below it (the API requires budget < max_tokens).
    struct Encoded {
        var thinking: JSONValue?
        var effort: String?
        var maxTokens: Int

        /// Whether thinking is requested (an explicit `disabled` object is sent but is not "on").
        var isOn: Bool { thinking.map { $0["type"] != "disabled" } ?? false }
    }

    static func encode(_ request: ChatRequest, model: AnthropicModel, maxTokens: Int) -> Encoded {
        let effort = request.reasoningEffort?.lowercased()
        let enabled: Bool
        if let budget = request.reasoningBudget {
            enabled = budget > 0
        } else {
            enabled = effort.map { $0 != "none" } ?? false
        }
        // Display and other options the Anthropic client set ride along on whichever form is sent.
        let clientThinking = request.extra["thinking"]?.objectValue ?? [:]
        guard enabled else {
            // An Anthropic client's explicit `disabled` is kept: some models think unless told not to.
            let disabled = clientThinking["type"]?.stringValue == "disabled"
            return Encoded(thinking: disabled ? .object(clientThinking) : nil, effort: nil, maxTokens: maxTokens)
        }
        var thinking = clientThinking.filter { $0.key != "type" && $0.key != "budget_tokens" }
        switch model.thinkingForm {
        case .adaptive:
            thinking["type"] = "adaptive"
            let word = effort.map(adaptiveEffort) ?? request.reasoningBudget.map(Self.effort(forBudget:))
            return Encoded(thinking: .object(thinking), effort: word, maxTokens: maxTokens)
        case .budget:
            let budget = max(1024, request.reasoningBudget ?? budget(forEffort: effort))
            thinking["type"] = "enabled"
            thinking["budget_tokens"] = .int(Int64(budget))
            // The answer keeps the room the caller asked for on top of the thinking.
            // A client's budget is external input: the sum saturates instead of trapping on overflow.
            let (sum, overflow) = budget.addingReportingOverflow(maxTokens)
            let fitted = maxTokens > budget ? maxTokens : (overflow ? Int.max : sum)
            // An effort next to an explicit budget came from an Anthropic client (Opus 4.5 takes both).
            let word = request.reasoningBudget != nil ? effort : nil
            return Encoded(thinking: .object(thinking), effort: word, maxTokens: fitted)
        }
    }
}
