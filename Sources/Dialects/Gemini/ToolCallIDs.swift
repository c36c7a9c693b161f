/// Tool-call ids for Gemini, which gives none on most models (gemini.md §4). The gateway mints OpenAI-style
/// ids (`call_` + 24 alphanumerics) deterministically from where the call sits, so a streamed and a whole
/// answer name the same call the same way, and maps them back to function names by id on the next turn.
enum GeminiToolCallID {
    static let prefix = "call_"
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// The id of the `index`-th call of a choice in an answer. The name and arguments are mixed in so answers
    /// without a `responseId` still rarely share ids.
    static func forResponse(responseId: String, choice: Int, index: Int, name: String, arguments: String) -> String {
        mint(seed: "response\u{0}\(responseId)\u{0}\(choice)\u{0}\(index)\u{0}\(name)\u{0}\(arguments)")
    }

    /// The id of a call found in a Gemini request's history (turn and part position).
    static func forRequest(turn: Int, part: Int, name: String, arguments: String) -> String {
        mint(seed: "request\u{0}\(turn)\u{0}\(part)\u{0}\(name)\u{0}\(arguments)")
    }

    /// Whether an id may be sent to Gemini as `functionCall.id` / `functionResponse.id`. Gemini 3 returns ids of its
    /// own and wants them echoed, but older API versions reject the field, and ids Gemini never issued (ours,
    /// OpenAI's `call_…`, Anthropic's `toolu_…`, Bedrock's `tooluse_…`) would only invite a mismatch error.
    static func isSendable(_ id: String) -> Bool {
        guard !id.isEmpty else { return false }
        return !foreignPrefixes.contains { id.hasPrefix($0) }
    }

    private static let foreignPrefixes = [prefix, "toolu_", "srvtoolu_", "tooluse_"]

    /// 24 characters from a seeded generator: FNV-1a of the seed, stretched with SplitMix64. Not Swift's
    /// `Hasher`, which is randomised per process and would make ids differ between gateway instances.
    private static func mint(seed: String) -> String {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in seed.utf8 {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01B3
        }
        var out = Array(prefix.utf8)
        out.reserveCapacity(prefix.utf8.count + 24)
        for _ in 0..<24 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            out.append(alphabet[Int(z % UInt64(alphabet.count))])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
