import SwitchyardCore

/// Gemini `usageMetadata` ⇄ canonical `Usage` (mapping.md §2). `promptTokenCount` includes cached tokens and
/// excludes tool-use prompt tokens; `candidatesTokenCount` excludes thoughts.
public enum GeminiUsage {
    public static func decode(_ metadata: JSONValue) -> Usage? {
        guard metadata.objectValue != nil else { return nil }
        let prompt = metadata.field("promptTokenCount")?.tokenCount ?? 0
        let toolUse = metadata.field("toolUsePromptTokenCount")?.tokenCount ?? 0
        let cached = metadata.field("cachedContentTokenCount")?.tokenCount ?? 0
        return Usage(
            input: max(0, prompt + toolUse - cached),
            output: metadata.field("candidatesTokenCount")?.tokenCount ?? 0,
            cacheRead: cached,
            cacheWrite: 0,
            reasoning: metadata.field("thoughtsTokenCount")?.tokenCount ?? 0)
    }

    /// Counts only, zeros omitted as proto3 JSON does. Tool-use prompt tokens and cache writes are folded into
    /// `promptTokenCount`, which has no finer canonical source; the per-modality details are not kept.
    public static func encode(_ usage: Usage) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        func put(_ key: String, _ value: Int) {
            if value != 0 { fields[key] = .int(Int64(value)) }
        }
        put("promptTokenCount", usage.totalInput)
        put("cachedContentTokenCount", usage.cacheRead)
        put("candidatesTokenCount", usage.output)
        put("thoughtsTokenCount", usage.reasoning)
        put("totalTokenCount", usage.total)
        return .object(fields)
    }
}
