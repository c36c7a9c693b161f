import NIOCore
import SwitchyardCore

/// Relays an OpenAI-dialect SSE stream from a provider to the client event by event, unchanged except
/// for the usage chunk the gateway asked for on the client's behalf, which is read and then dropped.
///
/// This runs for every event of every passthrough stream, so it avoids parsing: events are framed in
/// place (`data: …\n\n`, the form every OpenAI-family provider sends) and inspected with byte searches
/// that cannot match inside JSON strings, whose quotes are always escaped. Anything else — CR line
/// ends, multi-line data, named events — goes through the general `SSEParser`.
struct StreamRelay {
    private var pending = ByteBuffer()
    /// Set once the stream showed a shape the in-place framing does not handle.
    private var parser: SSEParser?
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

    /// True when the upstream ended the answer properly (`[DONE]`, or a finish reason without it).
    var isComplete: Bool { sawDone || sawFinish }

    /// Appends to `out` what the client should receive for these upstream bytes.
    mutating func process(_ buffer: ByteBuffer, into out: inout ByteBuffer) {
        if parser != nil {
            relayParsed(buffer.withUnsafeReadableBytes { parser?.feed($0) ?? [] }, into: &out)
            return
        }
        var buffer = buffer
        pending.writeBuffer(&buffer)
        while true {
            let block: Int? = pending.withUnsafeReadableBytes { bytes in
                if bytes.contains(0x0D) { return -1 }
                return Self.blockEnd(bytes)
            }
            guard let end = block else { break }
            if end < 0 {
                // CR line ends: hand the rest of the stream to the general parser.
                var generic = SSEParser()
                let events = pending.withUnsafeReadableBytes { generic.feed($0) }
                parser = generic
                pending.clear()
                relayParsed(events, into: &out)
                return
            }
            relayBlock(length: end, into: &out)
            pending.moveReaderIndex(forwardBy: end)
        }
        pending.discardReadBytes()
    }

    /// Flushes an event the upstream left unterminated when it closed.
    mutating func finish(into out: inout ByteBuffer) {
        var generic = parser ?? SSEParser()
        let events = pending.withUnsafeReadableBytes { generic.feed($0) } + generic.finish()
        pending.clear()
        relayParsed(events, into: &out)
    }

    /// Length of the first complete event (through its blank line), or nil.
    private static func blockEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 2 else { return nil }
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return index + 2 }
            index += 1
        }
        return nil
    }

    private mutating func relayBlock(length: Int, into out: inout ByteBuffer) {
        guard let block = pending.getSlice(at: pending.readerIndex, length: length) else { return }
        let simple: Bool = block.withUnsafeReadableBytes { bytes in
            let body = UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 2)])
            guard body.starts(with: Self.dataPrefix), !body.contains(0x0A) else { return false }
            let start = body.count > 5 && body[5] == 0x20 ? 6 : 5
            let keep = inspect(UnsafeRawBufferPointer(rebasing: body[start...]))
            if keep { out.writeBytes(bytes) }
            return true
        }
        if !simple {
            // A comment, several lines or named fields: parse this one block.
            var generic = SSEParser()
            relayParsed(block.withUnsafeReadableBytes { generic.feed($0) } + generic.finish(), into: &out)
        }
    }

    private mutating func relayParsed(_ events: [SSEEvent], into out: inout ByteBuffer) {
        for event in events {
            let keep = event.isCommentOnly || event.data.withUnsafeBytes { inspect($0) }
            if keep { out.writeBytes(event.raw) }
        }
    }

    static let dataPrefix = Array("data:".utf8)
    static let done = Array("[DONE]".utf8)
    static let usageKey = Array("\"usage\":".utf8)
    static let choicesEmpty = Array("\"choices\":[]".utf8)
    static let finishKey = Array("\"finish_reason\":".utf8)
    static let errorKey = Array("\"error\":".utf8)

    /// Reads what the gateway needs from one event's data; false when the event must not be relayed.
    private mutating func inspect(_ payload: UnsafeRawBufferPointer) -> Bool {
        if payload.starts(with: Self.done) {
            sawDone = true
            return true
        }
        var chunkUsage: Usage?
        var searchFrom = 0
        while let key = Self.find(Self.usageKey, in: payload, from: searchFrom) {
            let valueStart = Self.skipSpaces(payload, from: key + Self.usageKey.count)
            searchFrom = valueStart
            guard valueStart < payload.count, payload[valueStart] == UInt8(ascii: "{"),
                let end = JSONScanner.valueEnd(payload, from: valueStart)
            else { continue }
            // The last usage object wins: Groq's `x_groq.usage` follows a null top-level one.
            chunkUsage = OpenAIUsage.decode(payload, valueStart..<end, flavor: flavor) ?? chunkUsage
            searchFrom = end
        }
        if let chunkUsage { usage = chunkUsage }
        if let key = Self.find(Self.finishKey, in: payload, from: 0) {
            let value = Self.skipSpaces(payload, from: key + Self.finishKey.count)
            if value < payload.count, payload[value] == UInt8(ascii: "\"") { sawFinish = true }
        }
        if let key = Self.find(Self.errorKey, in: payload, from: 0) {
            let value = Self.skipSpaces(payload, from: key + Self.errorKey.count)
            if value < payload.count, payload[value] == UInt8(ascii: "{") { sawError = true }
        }
        let usageOnly = chunkUsage != nil && Self.find(Self.choicesEmpty, in: payload, from: 0) != nil
        // Generated text dominates a chunk; the fixed envelope is about 180 bytes.
        if !usageOnly { relayedContentBytes += max(0, payload.count - 180) }
        return !(stripUsageChunk && usageOnly)
    }

    private static func skipSpaces(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count, bytes[index] == 0x20 { index += 1 }
        return index
    }

    /// First occurrence of `needle` at or after `start`.
    static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
