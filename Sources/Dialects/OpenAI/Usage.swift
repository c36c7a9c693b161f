import SwitchyardCore
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
        guard let prompt = usage["prompt_tokens"]?.tokenCount ?? usage["input_tokens"]?.tokenCount else { return nil }
        let completion = usage["completion_tokens"]?.tokenCount ?? usage["output_tokens"]?.tokenCount ?? 0
        let promptDetails = usage["prompt_tokens_details"]
        let cached = promptDetails?["cached_tokens"]?.tokenCount ?? usage["prompt_cache_hit_tokens"]?.tokenCount ?? 0
        let cacheWrite = promptDetails?["cache_write_tokens"]?.tokenCount ?? 0
        let reasoning = usage["completion_tokens_details"]?["reasoning_tokens"]?.tokenCount ?? 0
        let visibleOutput: Int
        switch flavor {
        case .standard: visibleOutput = max(0, completion - reasoning)
        case .reasoningExcluded: visibleOutput = completion
        }
        return Usage(
            input: max(0, prompt - cached - cacheWrite), output: visibleOutput, cacheRead: cached,
            cacheWrite: cacheWrite, reasoning: reasoning)
    }

    /// The same as `decode(_:flavor:)` for a `usage` object at `range` of raw bytes, without building a
    /// tree: the passthrough path reads usage from every answer, so this is on the hot path.
    public static func decode(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, flavor: Flavor = .standard) -> Usage? {
        guard let fields = JSONScanner.objectFields(bytes, range) else { return nil }
        var prompt: Int?
        var completion = 0
        var cached: Int?
        var cacheHit: Int?
        var cacheWrite = 0
        var reasoning = 0
        for field in fields {
            switch field.key {
            case "prompt_tokens", "input_tokens": prompt = JSONScanner.tokenCount(bytes, field.value)
            case "completion_tokens", "output_tokens": completion = JSONScanner.tokenCount(bytes, field.value) ?? 0
            case "prompt_cache_hit_tokens": cacheHit = JSONScanner.tokenCount(bytes, field.value)
            case "prompt_tokens_details":
                for detail in JSONScanner.objectFields(bytes, field.value) ?? [] {
                    if detail.key == "cached_tokens" { cached = JSONScanner.tokenCount(bytes, detail.value) }
                    if detail.key == "cache_write_tokens" { cacheWrite = JSONScanner.tokenCount(bytes, detail.value) ?? 0 }
                }
            case "completion_tokens_details":
                for detail in JSONScanner.objectFields(bytes, field.value) ?? [] where detail.key == "reasoning_tokens" {
                    reasoning = JSONScanner.tokenCount(bytes, detail.value) ?? 0
                }
            default: break
            }
        }
        guard let prompt else { return nil }
        let cacheRead = cached ?? cacheHit ?? 0
        let visibleOutput = flavor == .standard ? max(0, completion - reasoning) : completion
        return Usage(
            input: max(0, prompt - cacheRead - cacheWrite), output: visibleOutput, cacheRead: cacheRead,
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
