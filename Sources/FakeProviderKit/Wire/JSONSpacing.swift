import NIOCore

/// How the fake spells its JSON (knob `json=`). Real providers and OpenAI-compatible servers do not all
/// write compact JSON: Python's `json.dumps` puts a space after `:` and `,`, and an SSE event's data may
/// span several `data:` lines. A gateway must read every valid spelling, so the fake can write each.
enum JSONSpacing: String, Sendable {
    /// `{"a":1,"b":[]}` — what the encoders write.
    case compact
    /// `{"a": 1, "b": []}` — `json.dumps` with its default separators.
    case spaced
    /// Spaced, plus a line break after every `{`, `[` and `,` outside strings; in a stream each line is a
    /// `data:` line of its own (SSE joins them with line feeds, which JSON reads as whitespace).
    case multiline

    /// The same JSON value, re-spelled. Bytes inside strings are never touched.
    func respell(_ json: some Sequence<UInt8>) -> [UInt8] {
        guard self != .compact else { return Array(json) }
        var out: [UInt8] = []
        var inString = false
        var escaped = false
        for byte in json {
            out.append(byte)
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: ":"): out.append(0x20)
            case UInt8(ascii: ","): out.append(self == .multiline ? 0x0A : 0x20)
            case UInt8(ascii: "{"), UInt8(ascii: "["): if self == .multiline { out.append(0x0A) }
            default: break
            }
        }
        return out
    }

    /// A whole answer body.
    func respell(_ body: ByteBuffer) -> ByteBuffer {
        self == .compact ? body : ByteBuffer(bytes: respell(body.readableBytesView))
    }

    /// An SSE event (`data: {…}\n\n`, possibly with `event:` lines): each JSON `data:` payload re-spelled;
    /// for `multiline`, split over several `data:` lines.
    func respellEvent(_ event: ByteBuffer) -> ByteBuffer {
        guard self != .compact else { return event }
        let text = Array(event.readableBytesView)
        var out: [UInt8] = []
        var lineStart = 0
        while lineStart < text.count {
            let lineEnd = text[lineStart...].firstIndex(of: 0x0A) ?? text.count
            let line = text[lineStart..<lineEnd]
            let prefix = Array("data: ".utf8)
            let payload = line.dropFirst(prefix.count)
            if line.starts(with: prefix), let first = payload.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "["),
                !payload.elementsEqual("[DONE]".utf8)
            {
                let respelled = respell(payload)
                for (index, part) in respelled.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
                    if index > 0 { out.append(0x0A) }
                    out.append(contentsOf: prefix)
                    out.append(contentsOf: part)
                }
            } else {
                out.append(contentsOf: line)
            }
            if lineEnd < text.count { out.append(0x0A) }
            lineStart = lineEnd + 1
        }
        return ByteBuffer(bytes: out)
    }
}
