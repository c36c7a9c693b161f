import NIOCore
import SwitchyardCore

/// Relays an OpenAI-dialect SSE stream from a provider to the client event by event, unchanged except
/// for the usage chunk the gateway asked for on the client's behalf, which is read and then dropped.
struct StreamRelay {
    private var parser = SSEParser()
    private let stripUsageChunk: Bool
    private let flavor: OpenAIUsage.Flavor
    private(set) var usage: Usage?
    private(set) var sawDone = false
    private(set) var sawFinish = false
    private(set) var sawError = false
    /// Rough size of the generated content relayed so far, for estimating tokens when no usage arrives.
    private(set) var relayedContentBytes = 0

    init(stripUsageChunk: Bool, flavor: OpenAIUsage.Flavor) {
        self.stripUsageChunk = stripUsageChunk
        self.flavor = flavor
    }

    /// Appends to `out` what the client should receive for these upstream bytes.
    mutating func process(_ buffer: ByteBuffer, into out: inout ByteBuffer) {
        let events = buffer.withUnsafeReadableBytes { parser.feed($0) }
        for event in events { relay(event, into: &out) }
    }

    /// Flushes an event the upstream left unterminated when it closed.
    mutating func finish(into out: inout ByteBuffer) {
        for event in parser.finish() { relay(event, into: &out) }
    }

    /// True when the upstream ended the answer properly (`[DONE]`, or a finish reason without it).
    var isComplete: Bool { sawDone || sawFinish }

    private mutating func relay(_ event: SSEEvent, into out: inout ByteBuffer) {
        if event.isCommentOnly {
            out.writeBytes(event.raw)
            return
        }
        if event.isDone {
            sawDone = true
            out.writeBytes(event.raw)
            return
        }
        var drop = false
        event.data.withUnsafeBytes { bytes in
            guard let fields = try? JSONScanner.topLevelFields(bytes) else { return }
            var choicesEmpty = false
            for field in fields {
                switch field.key {
                case "usage":
                    if !JSONScanner.isNull(bytes, field.value), let decoded = decodeUsage(bytes, field.value) {
                        usage = decoded
                    }
                case "x_groq":
                    if usage == nil, let groq = try? JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[field.value])),
                        let groqUsage = groq["usage"]
                    {
                        usage = OpenAIUsage.decode(groqUsage, flavor: flavor)
                    }
                case "choices":
                    choicesEmpty = JSONScanner.isEmptyArray(bytes, field.value)
                    // Generated text dominates a chunk's choices; the fixed envelope is ~60 bytes.
                    relayedContentBytes += max(0, field.value.count - 60)
                    if Self.hasFinishReason(UnsafeRawBufferPointer(rebasing: bytes[field.value])) { sawFinish = true }
                case "error":
                    if !JSONScanner.isNull(bytes, field.value) { sawError = true }
                default:
                    break
                }
            }
            drop = stripUsageChunk && choicesEmpty && usage != nil && fields.contains { $0.key == "usage" }
        }
        if !drop { out.writeBytes(event.raw) }
    }

    private func decodeUsage(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Usage? {
        OpenAIUsage.decode(bytes, range, flavor: flavor)
    }

    static let finishKey = Array("\"finish_reason\"".utf8)

    /// Whether a choices array carries a non-null `finish_reason`.
    static func hasFinishReason(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let key = finishKey
        guard bytes.count > key.count else { return false }
        var i = 0
        while i + key.count < bytes.count {
            if bytes[i] == key[0] && bytes[i + 1] == key[1] {
                var matched = true
                for j in 2..<key.count where bytes[i + j] != key[j] {
                    matched = false
                    break
                }
                if matched {
                    var k = i + key.count
                    while k < bytes.count, bytes[k] == 0x20 || bytes[k] == UInt8(ascii: ":") { k += 1 }
                    if k < bytes.count, bytes[k] == UInt8(ascii: "\"") { return true }
                    i = k
                    continue
                }
            }
            i += 1
        }
        return false
    }
}
