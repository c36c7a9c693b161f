import SwitchyardCore

/// Anthropic `usage` objects ⇄ canonical `Usage` (mapping.md §2). `input_tokens` excludes cache reads and
/// writes, as canonical `input` does; `output_tokens` includes thinking, which canonical keeps apart when the
/// provider says how much it was (`output_tokens_details.thinking_tokens`).
public enum AnthropicUsage {
    static let modelledFields: Set<String> = [
        "input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
        "output_tokens_details",
    ]

    /// Nil when the object has no token counts at all.
    public static func decode(_ usage: JSONValue) -> Usage? {
        let input = usage["input_tokens"]?.tokenCount
        let output = usage["output_tokens"]?.tokenCount
        guard input != nil || output != nil else { return nil }
        let thinking = usage["output_tokens_details"]?["thinking_tokens"]?.tokenCount ?? 0
        return Usage(
            input: input ?? 0, output: max(0, (output ?? 0) - thinking),
            cacheRead: usage["cache_read_input_tokens"]?.tokenCount ?? 0,
            cacheWrite: usage["cache_creation_input_tokens"]?.tokenCount ?? 0, reasoning: thinking,
            cacheWrite1h: usage["cache_creation"]?["ephemeral_1h_input_tokens"]?.tokenCount ?? 0)
    }

    /// Fields besides the counts (`cache_creation` TTL split, `service_tier`, `server_tool_use`, …), kept so a
    /// same-dialect answer repeats them; nulls dropped.
    static func extras(_ usage: JSONValue) -> [String: JSONValue] {
        (usage.objectValue ?? [:]).filter { !modelledFields.contains($0.key) && !$0.value.isNull }
    }

    /// The `usage` object of a message (mapping.md §2, Anthropic-dialect output): `output_tokens` counts
    /// reasoning too, as Anthropic's does.
    public static func encode(_ usage: Usage, extras: [String: JSONValue] = [:]) -> JSONValue {
        var fields = extras.filter { !modelledFields.contains($0.key) }
        fields["input_tokens"] = .int(Int64(usage.input))
        fields["output_tokens"] = .int(Int64(usage.totalOutput))
        fields["cache_read_input_tokens"] = .int(Int64(usage.cacheRead))
        fields["cache_creation_input_tokens"] = .int(Int64(usage.cacheWrite))
        if usage.reasoning > 0 { fields["output_tokens_details"] = ["thinking_tokens": .int(Int64(usage.reasoning))] }
        return .object(fields)
    }
}
