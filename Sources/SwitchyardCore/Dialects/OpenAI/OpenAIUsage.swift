/// OpenAI-family `usage` objects ⇄ canonical `Usage` (mapping.md §2).
public enum OpenAIUsage {
    /// How a provider counts reasoning tokens inside `completion_tokens`.
    public enum Flavor: Sendable {
        /// `completion_tokens` includes reasoning (OpenAI and most compatibles).
        case standard
        /// `completion_tokens` excludes reasoning (xAI).
        case reasoningExcluded
    }

    public static func decode(_ usage: JSONValue, flavor: Flavor = .standard) -> Usage? {
        guard let prompt = usage["prompt_tokens"]?.intValue ?? usage["input_tokens"]?.intValue else { return nil }
        let completion = usage["completion_tokens"]?.intValue ?? usage["output_tokens"]?.intValue ?? 0
        let promptDetails = usage["prompt_tokens_details"]
        let cached = promptDetails?["cached_tokens"]?.intValue ?? usage["prompt_cache_hit_tokens"]?.intValue ?? 0
        let cacheWrite = promptDetails?["cache_write_tokens"]?.intValue ?? 0
        let reasoning = usage["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0
        let visibleOutput: Int
        switch flavor {
        case .standard: visibleOutput = max(0, completion - reasoning)
        case .reasoningExcluded: visibleOutput = completion
        }
        return Usage(
            input: max(0, prompt - cached - cacheWrite), output: visibleOutput, cacheRead: cached,
            cacheWrite: cacheWrite, reasoning: reasoning)
    }

    public static func encode(_ usage: Usage) -> JSONValue {
        var prompt: [String: JSONValue] = ["cached_tokens": .int(Int64(usage.cacheRead))]
        if usage.cacheWrite > 0 { prompt["cache_write_tokens"] = .int(Int64(usage.cacheWrite)) }
        return [
            "prompt_tokens": .int(Int64(usage.totalInput)),
            "completion_tokens": .int(Int64(usage.totalOutput)),
            "total_tokens": .int(Int64(usage.total)),
            "prompt_tokens_details": .object(prompt),
            "completion_tokens_details": ["reasoning_tokens": .int(Int64(usage.reasoning))],
        ]
    }
}
