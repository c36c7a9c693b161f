import DialectOpenAI
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
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
        if buffer.withUnsafeReadableBytes({ Self.index(of: 0x0D, in: $0, from: 0) != nil }) {
            // CR line ends: hand the rest of the stream to the general parser.
            var generic = SSEParser()
            var events = pending.withUnsafeReadableBytes { generic.feed($0) }
            events += buffer.withUnsafeReadableBytes { generic.feed($0) }
            parser = generic
            pending.clear()
            relayParsed(events, into: &out)
            return
        }
        if pending.readableBytes == 0 {
            // The usual case: whole events in this read; relay straight from it and keep only a partial tail.
            let consumed = buffer.withUnsafeReadableBytes { relayEvents(in: $0, into: &out) }
            if consumed < buffer.readableBytes, var rest = buffer.getSlice(at: buffer.readerIndex + consumed, length: buffer.readableBytes - consumed) {
                pending.writeBuffer(&rest)
            }
            return
        }
        var buffer = buffer
        pending.writeBuffer(&buffer)
        let consumed = pending.withUnsafeReadableBytes { relayEvents(in: $0, into: &out) }
        pending.moveReaderIndex(forwardBy: consumed)
        pending.discardReadBytes()
    }

    /// Relays the complete events at the start of `bytes` and returns how many bytes they span. Kept
    /// events are copied in runs, so a read whose events all pass is one copy.
    private mutating func relayEvents(in bytes: UnsafeRawBufferPointer, into out: inout ByteBuffer) -> Int {
        var eventStart = 0
        var runStart = 0
        while let (end, multiLine) = Self.eventEnd(in: bytes, from: eventStart) {
            let body = UnsafeRawBufferPointer(rebasing: bytes[eventStart..<(end - 2)])
            var simple = false
            var keep = true
            if !multiLine, Self.matches(Self.dataPrefix, body, at: 0) {
                simple = true
                let start = body.count > 5 && body[5] == 0x20 ? 6 : 5
                keep = inspect(UnsafeRawBufferPointer(rebasing: body[start...]))
            }
            if !simple || !keep {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<eventStart]))
                runStart = end
                if !simple {
                    // A comment, several lines or named fields: parse this one event.
                    var generic = SSEParser()
                    let event = UnsafeRawBufferPointer(rebasing: bytes[eventStart..<end])
                    relayParsed(generic.feed(event) + generic.finish(), into: &out)
                }
            }
            eventStart = end
        }
        out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[runStart..<eventStart]))
        return eventStart
    }

    /// The end of the event starting at `start` (after its blank line), and whether it has several lines.
    private static func eventEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> (end: Int, multiLine: Bool)? {
        var search = start
        var multiLine = false
        while let newline = index(of: 0x0A, in: bytes, from: search), newline + 1 < bytes.count {
            if bytes[newline + 1] == 0x0A { return (newline + 2, multiLine) }
            multiLine = true
            search = newline + 1
        }
        return nil
    }

    /// First index of `byte` at or after `start` (memchr: vectorised in libc).
    static func index(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
            let hit = memchr(base + start, Int32(byte), bytes.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Flushes an event the upstream left unterminated when it closed.
    mutating func finish(into out: inout ByteBuffer) {
        var generic = parser ?? SSEParser()
        let events = pending.withUnsafeReadableBytes { generic.feed($0) } + generic.finish()
        pending.clear()
        relayParsed(events, into: &out)
    }

    private mutating func relayParsed(_ events: [SSEEvent], into out: inout ByteBuffer) {
        for event in events {
            let keep = event.isCommentOnly || event.data.withUnsafeBytes { inspect($0) }
            if keep { out.writeBytes(event.raw) }
        }
    }

    static let dataPrefix: StaticString = "data:"
    static let done: StaticString = "[DONE]"
    static let usageKey: StaticString = "\"usage\""
    static let choicesKey: StaticString = "\"choices\""
    static let finishKey: StaticString = "\"finish_reason\""
    static let errorKey: StaticString = "\"error\""

    /// Reads what the gateway needs from one event's data; false when the event must not be relayed.
    ///
    /// One pass over the quotes in the chunk. A key is a quoted name followed — after any JSON whitespace —
    /// by `:`; that cannot occur inside a JSON string, whose quotes are escaped, nor for a string value,
    /// which is never followed by `:`. JSON allows whitespace (spaces, tabs, line breaks) between any two
    /// tokens, and providers use it (`"choices": []`, Python's `json.dumps`), so every spelling is read.
    private mutating func inspect(_ payload: UnsafeRawBufferPointer) -> Bool {
        if Self.matches(Self.done, payload, at: JSONScanner.skipWhitespace(payload, from: 0)) {
            sawDone = true
            return true
        }
        var chunkUsage: Usage?
        var choicesEmpty = false
        var index = 0
        while let quote = Self.index(of: 0x22, in: payload, from: index) {
            index = quote + 1
            guard index < payload.count else { break }
            switch payload[index] {
            case UInt8(ascii: "u"):
                guard let value = Self.value(ofKey: Self.usageKey, in: payload, at: quote) else { continue }
                guard payload[value] == UInt8(ascii: "{"), let end = JSONScanner.valueEnd(payload, from: value) else {
                    index = value
                    continue
                }
                // The last usage object wins: Groq's `x_groq.usage` follows a null top-level one.
                chunkUsage = OpenAIUsage.decode(payload, value..<end, flavor: flavor) ?? chunkUsage
                index = end
            case UInt8(ascii: "f"):
                guard let value = Self.value(ofKey: Self.finishKey, in: payload, at: quote) else { continue }
                if payload[value] == UInt8(ascii: "\"") { sawFinish = true }
                index = value
            case UInt8(ascii: "e"):
                guard let value = Self.value(ofKey: Self.errorKey, in: payload, at: quote) else { continue }
                if payload[value] == UInt8(ascii: "{") { sawError = true }
                index = value
            case UInt8(ascii: "c"):
                guard let value = Self.value(ofKey: Self.choicesKey, in: payload, at: quote) else { continue }
                if payload[value] == UInt8(ascii: "[") {
                    let close = JSONScanner.skipWhitespace(payload, from: value + 1)
                    if close < payload.count, payload[close] == UInt8(ascii: "]") { choicesEmpty = true }
                }
                index = value
            default:
                break
            }
        }
        if let chunkUsage { usage = chunkUsage }
        let usageOnly = chunkUsage != nil && choicesEmpty
        // Generated text dominates a chunk; the fixed envelope is about 180 bytes.
        if !usageOnly { relayedContentBytes += max(0, payload.count - 180) }
        return !(stripUsageChunk && usageOnly)
    }

    /// When `key` (with its quotes) starts at `quote` and is followed by `:`, the index of its value's first
    /// byte, whitespace skipped on both sides of the colon; nil otherwise or when the chunk ends first.
    private static func value(ofKey key: StaticString, in bytes: UnsafeRawBufferPointer, at quote: Int) -> Int? {
        guard matches(key, bytes, at: quote) else { return nil }
        let colon = JSONScanner.skipWhitespace(bytes, from: quote + key.utf8CodeUnitCount)
        guard colon < bytes.count, bytes[colon] == UInt8(ascii: ":") else { return nil }
        let value = JSONScanner.skipWhitespace(bytes, from: colon + 1)
        return value < bytes.count ? value : nil
    }

    private static func matches(_ key: StaticString, _ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        let length = key.utf8CodeUnitCount
        guard let base = bytes.baseAddress, bytes.count - index >= length else { return false }
        return memcmp(base + index, key.utf8Start, length) == 0
    }
}
