import SwitchyardCore

/// Reasoning controls ⇄ `generationConfig.thinkingConfig` (mapping.md §4, gemini.md §2.3): an explicit budget
/// goes to `thinkingBudget` on every model; an effort word goes to `thinkingLevel` on Gemini 3 and later, and to
/// a `thinkingBudget` from a table on Gemini 2.5.
enum GeminiThinking {
    /// Gemini 2.5 budgets per effort word. `minimal` and `max` are not in mapping.md's table: 512 is the smallest
    /// budget every 2.5 model accepts (Flash-Lite's floor), and Pro's ceiling is 32768 where Flash's is 24576.
    static func budget(effort: String, model: String) -> Int? {
        let isPro = modelName(model).contains("-pro")
        switch effort {
        case "none": return isPro ? 128 : 0  // 2.5 Pro cannot turn thinking off; 128 is its floor
        case "minimal": return 512
        case "low": return 1024
        case "medium": return 8192
        case "high": return 24576
        case "xhigh", "max": return isPro ? 32768 : 24576
        default: return nil
        }
    }

    /// Gemini 3 `thinkingLevel` per effort word. Gemini 3 cannot stop thinking, so `none` asks for the least.
    static func level(effort: String) -> String? {
        switch effort {
        case "none", "minimal": return "MINIMAL"
        case "low", "medium", "high", "xhigh": return effort.uppercased()
        case "max": return "XHIGH"
        default: return nil
        }
    }

    /// Gemini 3 and later are steered by level; earlier generations (and names that are not `gemini-N…`) by budget.
    static func usesLevel(model: String) -> Bool {
        let name = modelName(model)
        guard name.hasPrefix("gemini-") else { return false }
        let major = name.dropFirst("gemini-".count).prefix(while: \.isNumber)
        return Int(major).map { $0 >= 3 } ?? false
    }

    private static func modelName(_ model: String) -> String {
        (model.split(separator: "/").last.map(String.init) ?? model).lowercased()
    }

    /// The canonical part of `thinkingConfig` (nil when the request says nothing about reasoning) and whether
    /// reasoning is on — then `includeThoughts` is requested too, so thought summaries (and their signatures)
    /// reach the gateway.
    static func config(for request: ChatRequest, model: String) throws(GatewayError) -> (fields: [String: JSONValue], thinking: Bool)? {
        if let budget = request.reasoningBudget {
            return (["thinkingBudget": .int(Int64(budget))], budget != 0)
        }
        guard let raw = request.reasoningEffort else { return nil }
        let effort = raw.lowercased()
        if usesLevel(model: model), let level = level(effort: effort) {
            return (["thinkingLevel": .string(level)], effort != "none")
        }
        if !usesLevel(model: model), let budget = budget(effort: effort, model: model) {
            return (["thinkingBudget": .int(Int64(budget))], effort != "none")
        }
        throw GatewayError(
            .invalidRequest, "reasoning_effort '\(raw)' is not one of none, minimal, low, medium, high, xhigh, max.",
            param: "reasoning_effort")
    }

    /// Reads `thinkingBudget` / `thinkingLevel` into the request; returns the fields it did not model.
    static func decode(_ config: [String: JSONValue], into request: inout ChatRequest) -> [String: JSONValue] {
        var rest = GeminiKeys.camelCased(config)
        if let budget = rest["thinkingBudget"]?.intValue {
            request.reasoningBudget = budget
            rest["thinkingBudget"] = nil
        }
        if let level = rest["thinkingLevel"]?.stringValue {
            if level != "THINKING_LEVEL_UNSPECIFIED" { request.reasoningEffort = level.lowercased() }
            rest["thinkingLevel"] = nil
        }
        return rest
    }
}
