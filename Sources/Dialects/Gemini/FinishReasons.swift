import SwitchyardCore

/// Gemini `finishReason` ⇄ canonical `FinishReason` (mapping.md §1.1).
public enum GeminiFinishReason {
    static let contentFilter: Set<String> = [
        "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "MODEL_ARMOR", "ESCALATION",
    ]
    static let unusableOutput: Set<String> = [
        "MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS", "MALFORMED_RESPONSE",
        "MISSING_THOUGHT_SIGNATURE", "NO_IMAGE", "IMAGE_OTHER", "OTHER", "PUP_LIMITED_DISABLED",
        "FINISH_REASON_UNSPECIFIED",
    ]
    static let length: Set<String> = ["MAX_TOKENS", "CONTINUATION"]

    /// Every value Gemini documents; anything else is not written back to a Gemini client.
    static let known: Set<String> = contentFilter.union(unusableOutput).union(length).union(["STOP"])

    /// Gemini says `STOP` when the model called functions too, so `hasToolCalls` (the candidate held
    /// `functionCall` parts) turns it into `.toolCalls`.
    public static func decode(_ native: String, hasToolCalls: Bool) -> FinishReason {
        if native == "STOP" { return hasToolCalls ? .toolCalls : .stop }
        if length.contains(native) { return .length }
        if contentFilter.contains(native) { return .contentFilter }
        if unusableOutput.contains(native) { return .error(native: native) }
        return .other(native)
    }

    /// The Gemini value for a canonical reason. `native` (the provider's own value, kept by decoders as the
    /// choice's `native_finish_reason`) is preferred when it is a Gemini value of the same class, so `RECITATION`
    /// survives a round trip instead of becoming `SAFETY`.
    public static func encode(_ reason: FinishReason, native: String? = nil) -> String {
        if let native, known.contains(native) {
            let hasToolCalls = reason == .toolCalls
            if decode(native, hasToolCalls: hasToolCalls) == reason { return native }
        }
        switch reason {
        case .stop, .stopSequence, .toolCalls, .pause: return "STOP"
        case .length, .contextWindow: return "MAX_TOKENS"
        case .contentFilter: return "SAFETY"
        case .error(let value), .other(let value): return known.contains(value) ? value : "OTHER"
        }
    }
}
