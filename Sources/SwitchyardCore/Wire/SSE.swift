/// One server-sent event: its fields and the exact bytes it arrived as.
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var id: String?
    /// The `data:` lines joined by `\n`, as bytes.
    public var data: [UInt8]
    /// The event's bytes on the wire, blank-line terminator included, so a proxy can forward it untouched.
    public var raw: [UInt8]

    public var dataText: String { String(decoding: data, as: UTF8.self) }

    /// A block of only `:` comment lines (keep-alives such as `: OPENROUTER PROCESSING`). Consumers of
    /// events skip it; a relay forwards its raw bytes so the client's connection stays alive too.
    public var isCommentOnly = false

    /// `data: [DONE]`, the OpenAI-family end-of-stream sentinel.
    public var isDone: Bool { data.starts(with: Self.doneMarker) }

    static let doneMarker = Array("[DONE]".utf8)

    public init(event: String? = nil, id: String? = nil, data: [UInt8], raw: [UInt8] = []) {
        self.event = event
        self.id = id
        self.data = data
        self.raw = raw
    }
}

/// Incremental SSE parser (WHATWG rules): accepts `\n`, `\r\n` and `\r` line ends, joins multi-line
/// `data:`, ignores unknown fields. Blocks of only comments come out flagged `isCommentOnly`.
public struct SSEParser: Sendable {
    private var buffer: [UInt8] = []
    /// Where the unparsed part of `buffer` begins.
    private var cursor = 0
    private var eventStart = 0
    private var event: String?
    private var id: String?
    private var data: [UInt8] = []
    private var hasData = false
    private var sawComment = false
    /// Where the search for the current line's end resumes: bytes before it hold no line end, so a long
    /// line arriving in many reads is scanned once, not once per read.
    private var searchFrom = 0

    public init() {}

    /// Feeds bytes and returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        buffer.append(contentsOf: bytes)
        var events: [SSEEvent] = []
        while let (lineEnd, next) = nextLineEnd() {
            let line = buffer[cursor..<lineEnd]
            cursor = next
            if line.isEmpty {
                if hasData {
                    events.append(
                        SSEEvent(event: event, id: id, data: data, raw: Array(buffer[eventStart..<cursor])))
                } else if sawComment {
                    var keepAlive = SSEEvent(data: [], raw: Array(buffer[eventStart..<cursor]))
                    keepAlive.isCommentOnly = true
                    events.append(keepAlive)
                }
                resetEvent()
                eventStart = cursor
            } else {
                process(line: line)
            }
        }
        compact()
        return events
    }

    /// Ends the stream: an event not closed by a blank line is still delivered, as browsers and SDKs do.
    public mutating func finish() -> [SSEEvent] {
        if cursor < buffer.count {
            process(line: buffer[cursor...])
            cursor = buffer.count
        }
        defer {
            resetEvent()
            buffer.removeAll()
            cursor = 0
            eventStart = 0
            searchFrom = 0
        }
        guard hasData else { return [] }
        return [SSEEvent(event: event, id: id, data: data, raw: Array(buffer[eventStart...]) + [0x0A, 0x0A])]
    }

    /// Bytes received but not yet part of a complete event.
    public var pendingByteCount: Int { buffer.count - eventStart }

    private mutating func resetEvent() {
        event = nil
        id = nil
        data.removeAll(keepingCapacity: true)
        hasData = false
        sawComment = false
    }

    private mutating func compact() {
        guard eventStart > 0 else { return }
        buffer.removeFirst(eventStart)
        cursor -= eventStart
        searchFrom = max(0, searchFrom - eventStart)
        eventStart = 0
    }

    /// The end of the next complete line and the index after its terminator. A `\r` at the very end of the
    /// buffer waits for the next byte, which may be the `\n` of a `\r\n` split across reads.
    private mutating func nextLineEnd() -> (Int, Int)? {
        var i = max(cursor, searchFrom)
        while i < buffer.count {
            let b = buffer[i]
            if b == 0x0A { return (i, i + 1) }
            if b == 0x0D {
                guard i + 1 < buffer.count else {
                    searchFrom = i
                    return nil
                }
                return (i, buffer[i + 1] == 0x0A ? i + 2 : i + 1)
            }
            i += 1
        }
        searchFrom = buffer.count
        return nil
    }

    private mutating func process(line: ArraySlice<UInt8>) {
        if line.first == UInt8(ascii: ":") {
            sawComment = true
            return
        }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = colon.map { line[line.startIndex..<$0] } ?? line
        var value = colon.map { line[($0 + 1)...] } ?? []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            event = String(decoding: value, as: UTF8.self)
        case "id":
            id = String(decoding: value, as: UTF8.self)
        default:
            break
        }
    }
}

/// Writes server-sent events.
public enum SSEWriter {
    /// `event: NAME\n` (when given) and one `data:` line per line of `data`, then a blank line.
    /// Inlinable so the stream encoders in the dialect modules get it specialised for their byte arrays
    /// (unspecialised, its byte loop went through the generic collection witnesses: ~8 % of a translated
    /// stream's CPU).
    @inlinable
    public static func event(_ data: some Collection<UInt8>, name: String? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16 + (name?.utf8.count ?? 0))
        if let name {
            out.append(contentsOf: "event: ".utf8)
            out.append(contentsOf: name.utf8)
            out.append(0x0A)
        }
        var lineStart = data.startIndex
        var index = data.startIndex
        while index != data.endIndex {
            if data[index] == 0x0A {
                out.append(contentsOf: "data: ".utf8)
                out.append(contentsOf: data[lineStart..<index])
                out.append(0x0A)
                lineStart = data.index(after: index)
            }
            index = data.index(after: index)
        }
        out.append(contentsOf: "data: ".utf8)
        out.append(contentsOf: data[lineStart..<data.endIndex])
        out.append(contentsOf: [0x0A, 0x0A])
        return out
    }

    public static func event(_ text: String, name: String? = nil) -> [UInt8] {
        event(Array(text.utf8), name: name)
    }

    public static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)
}
