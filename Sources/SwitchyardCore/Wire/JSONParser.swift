/// Parses JSON text into `JSONValue` and prints it back, without Foundation's coders.
///
/// Every translated request, answer and stream event goes through these, so they are on the hot
/// path: decoding `JSONValue` through `Decodable` tries each case in turn and throws for every miss,
/// which cost tens of microseconds per stream event.
enum JSONParser {
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONScanner.SyntaxError) -> JSONValue {
        var parser = Reader(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw JSONScanner.SyntaxError(offset: parser.index, reason: "unexpected data after the value")
        }
        return value
    }

    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        func fail(_ reason: String) -> JSONScanner.SyntaxError {
            JSONScanner.SyntaxError(offset: index, reason: reason)
        }

        mutating func value(depth: Int) throws(JSONScanner.SyntaxError) -> JSONValue {
            guard depth <= JSONScanner.maxDepth else { throw fail("nesting too deep") }
            guard index < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var object: [String: JSONValue] = [:]
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(object)
                }
                while true {
                    skipWhitespace()
                    let key = try string()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    index += 1
                    skipWhitespace()
                    object[key] = try value(depth: depth + 1)
                    skipWhitespace()
                    guard index < bytes.count else { throw fail("unterminated object") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                    index += 1
                    return .object(object)
                }
            case UInt8(ascii: "["):
                index += 1
                var array: [JSONValue] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(array)
                }
                while true {
                    skipWhitespace()
                    array.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard index < bytes.count else { throw fail("unterminated array") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                    index += 1
                    return .array(array)
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            default:
                return try number()
            }
        }

        mutating func literal(_ word: StaticString) throws(JSONScanner.SyntaxError) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count,
                UnsafeRawBufferPointer(rebasing: bytes[index..<(index + count)]).elementsEqual(
                    UnsafeRawBufferPointer(start: word.utf8Start, count: count))
            else { throw fail("invalid literal") }
            index += count
        }

        mutating func number() throws(JSONScanner.SyntaxError) -> JSONValue {
            var cursor = JSONScanner.Cursor(bytes: bytes)
            cursor.index = index
            try cursor.skipNumber()
            let range = index..<cursor.index
            index = cursor.index
            let text = UnsafeRawBufferPointer(rebasing: bytes[range])
            let integral = !text.contains(UInt8(ascii: ".")) && !text.contains(UInt8(ascii: "e"))
                && !text.contains(UInt8(ascii: "E"))
            if integral, let int = Int64(String(decoding: text, as: UTF8.self)) { return .int(int) }
            guard let double = Double(String(decoding: text, as: UTF8.self)) else { throw fail("invalid number") }
            return .double(double)
        }

        mutating func string() throws(JSONScanner.SyntaxError) -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string") }
            let start = index + 1
            var end = start
            var escaped = false
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") {
                    escaped = true
                    end += 2
                } else {
                    guard bytes[end] >= 0x20 else { throw fail("control character in string") }
                    end += 1
                }
            }
            guard end < bytes.count else { throw fail("unterminated string") }
            index = end + 1
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            return escaped ? try unescape(raw) : String(decoding: raw, as: UTF8.self)
        }

        func unescape(_ raw: UnsafeRawBufferPointer) throws(JSONScanner.SyntaxError) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = 0
            func hex(_ at: Int) -> UInt32? {
                guard at + 4 <= raw.count else { return nil }
                var value: UInt32 = 0
                for byte in raw[at..<(at + 4)] {
                    let digit: UInt8
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                    default: return nil
                    }
                    value = value << 4 | UInt32(digit)
                }
                return value
            }
            while i < raw.count {
                let byte = raw[i]
                guard byte == UInt8(ascii: "\\") else {
                    out.append(byte)
                    i += 1
                    continue
                }
                guard i + 1 < raw.count else { throw fail("invalid escape") }
                switch raw[i + 1] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex(i + 2) else { throw fail("invalid \\u escape") }
                    i += 6
                    if (0xD800...0xDBFF).contains(scalar), i + 1 < raw.count, raw[i] == UInt8(ascii: "\\"),
                        raw[i + 1] == UInt8(ascii: "u"), let low = hex(i + 2), (0xDC00...0xDFFF).contains(low)
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    // A lone surrogate has no UTF-8 form: it becomes U+FFFD, as Foundation does.
                    out.append(contentsOf: String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                    continue
                default:
                    throw fail("invalid escape")
                }
                i += 2
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// Compact JSON text for a `JSONValue`, keys sorted so output is deterministic.
enum JSONPrinter {
    static func print(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if !d.isFinite {
                out.append(contentsOf: "null".utf8)
            } else if d.rounded() == d, abs(d) < 1e15 {
                // Keeps the value a double when read back (`2.0`, not `2`).
                out.append(contentsOf: (String(Int64(d)) + ".0").utf8)
            } else {
                out.append(contentsOf: "\(d)".utf8)
            }
        case .string(let s): printString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                print(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (offset, key) in fields.keys.sorted().enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                printString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if let field = fields[key] { print(field, into: &out) }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func printString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
