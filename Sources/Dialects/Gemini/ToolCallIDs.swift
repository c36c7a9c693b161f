import SwitchyardCore

/// Tool-call ids for Gemini, which gives none on most models (gemini.md §4). The gateway mints OpenAI-style
/// ids (`call_` + 24 alphanumerics) deterministically from where the call sits, so a streamed and a whole
/// answer name the same call the same way, and maps them back to function names by id on the next turn.
///
/// A signed call's id also carries its `thoughtSignature` (issue 11 §3). Gemini 3 rejects a replayed call
/// without it, and most clients echo only a call's id, name and arguments (LangChain, agent frameworks, the
/// Anthropic SDK's `tool_use` blocks, anything that rebuilds the message from a stream), never
/// `extra_content.google.thought_signature`. Keeping the signature in the id needs no shared store and
/// survives restarts and other gateway instances. The form is
///
///     <base>__<signature as base64url, no padding><check>
///
/// where `base` is the minted `call_…` (or the id Gemini gave), `__` is the separator (the minted base never
/// holds `__`, and a Gemini id that does is left unsigned), and `check` is 4 base64url characters of a hash of
/// the payload, so a truncated, edited or foreign id (`my__tool_x…`) is recognised as carrying nothing. Only
/// `[A-Za-z0-9_-]` is used, which Anthropic (`^[a-zA-Z0-9_-]+$`) and Bedrock accept in tool-use ids.
enum GeminiToolCallID {
    static let prefix = "call_"

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
    /// Pass the id's `base`, not an id carrying a signature.
    static func isSendable(_ id: String) -> Bool {
        guard !id.isEmpty else { return false }
        return !foreignPrefixes.contains { id.hasPrefix($0) }
    }

    private static let foreignPrefixes = [prefix, "toolu_", "srvtoolu_", "tooluse_"]

    // MARK: Signatures in ids

    /// Signatures larger than this (decoded) are neither put into ids nor read from them: real ones are a few
    /// hundred bytes to a few KB, and the bound keeps a hostile id from becoming a huge upstream field.
    static let maxSignatureBytes = 16 * 1024
    /// Unpadded base64 length of `maxSignatureBytes` bytes.
    static let maxPayloadCharacters = (maxSignatureBytes * 4 + 2) / 3
    static let separator = "__"
    private static let checkLength = 4

    /// `id` with `signature` appended (see the type's documentation). The id is returned unchanged when there is
    /// no signature, when it is not base64 (nothing reversible to carry), when it is too large, or when the id
    /// could not be split again unambiguously.
    static func carrying(_ signature: String?, in id: String) -> String {
        guard let signature, !id.isEmpty, !id.contains(separator), !id.hasSuffix("_"),
            let payload = payload(fromBase64: signature)
        else { return id }
        return id + separator + payload + check(payload)
    }

    /// An id's parts: the id proper (what was minted or what Gemini gave) and the signature it carries, as
    /// standard padded base64 (Gemini's own form; it also accepts the URL-safe alphabet). An id that carries no
    /// well-formed signature is all base.
    static func split(_ id: String) -> (base: String, signature: String?) {
        let bytes = Array(id.utf8)
        guard let cut = separatorIndex(bytes), cut > 0 else { return (id, nil) }
        let rest = bytes[(cut + 2)...]
        // At least one whole base64 quantum besides the check; at most the bound.
        guard rest.count >= checkLength + 4, rest.count - checkLength <= maxPayloadCharacters,
            rest.allSatisfy(isBase64URL)
        else { return (id, nil) }
        let payload = Array(rest.dropLast(checkLength))
        guard payload.count % 4 != 1, Array(check(payload).utf8) == Array(rest.suffix(checkLength)) else {
            return (id, nil)
        }
        var signature: [UInt8] = payload.map { byte in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while signature.count % 4 != 0 { signature.append(UInt8(ascii: "=")) }
        return (String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: signature, as: UTF8.self))
    }

    /// The first `__`. The minted base has none and a Gemini id with one is never given a signature, so the first
    /// is the separator even when the payload itself starts with `_`.
    private static func separatorIndex(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == UInt8(ascii: "_") && bytes[index + 1] == UInt8(ascii: "_") {
            return index
        }
        return nil
    }

    /// A base64 signature (standard or URL-safe alphabet, padded or not) as unpadded base64url, or nil when it is
    /// not base64 or exceeds the bound. A character-level mapping: the bytes it stands for are unchanged.
    private static func payload(fromBase64 signature: String) -> String? {
        var body = Array(signature.utf8)
        var padding = 0
        while body.last == UInt8(ascii: "=") {
            body.removeLast()
            padding += 1
        }
        guard !body.isEmpty, padding <= 2, body.count <= maxPayloadCharacters, body.count % 4 != 1,
            padding == 0 || (body.count + padding) % 4 == 0
        else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        for byte in body {
            switch byte {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "_"))
            default:
                guard isBase64URL(byte) else { return nil }
                out.append(byte)
            }
        }
        // Fewer than four characters is not a signature worth carrying (and could not be split back).
        return out.count >= 4 ? String(decoding: out, as: UTF8.self) : nil
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 24 bits of FNV-1a over the payload as 4 base64url characters: catches truncation and edits, and makes a
    /// foreign id that happens to contain `__` almost never parse as a signature. Not a MAC: a client that forges
    /// a signature only hurts its own request, which Gemini then rejects.
    private static func check(_ payload: some Sequence<UInt8>) -> String {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in payload {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01B3
        }
        let bits = state ^ (state >> 32)
        var out: [UInt8] = []
        for shift in stride(from: 18, through: 0, by: -6) {
            out.append(base64URLAlphabet[Int((bits >> UInt64(shift)) & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func check(_ payload: String) -> String { check(payload.utf8) }

    // MARK: Minting

    /// 24 characters from the seed (`StableID`): the same in every gateway instance.
    private static func mint(seed: String) -> String {
        StableID.mint(seed: seed, prefix: prefix)
    }
}
