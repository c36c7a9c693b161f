/// A validating scanner that locates the top-level fields of a JSON object without building values.
///
/// The passthrough path uses it to read `model`, `stream` and `usage` and to splice bytes, so a request
/// body is never decoded into a tree. The whole document is still checked for well-formedness: a
/// malformed body is rejected here rather than forwarded.
public enum JSONScanner {
    public struct Field: Sendable, Equatable {
        public let key: String
        /// Byte range of the value (a string value's range includes its quotes).
        public let value: Range<Int>
    }

    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    static let maxDepth = 256

    /// The fields of a top-level object, in document order.
    public static func topLevelFields(_ bytes: UnsafeRawBufferPointer) throws(SyntaxError) -> [Field] {
        var scanner = Cursor(bytes: bytes)
        scanner.skipWhitespace()
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw SyntaxError(offset: scanner.index, reason: "expected a JSON object")
        }
        scanner.index += 1
        var fields: [Field] = []
        fields.reserveCapacity(12)
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                let keyStart = scanner.index
                try scanner.skipString()
                let key = Self.decodeString(bytes, keyStart..<scanner.index) ?? ""
                scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"))
                scanner.skipWhitespace()
                let valueStart = scanner.index
                try scanner.skipValue(depth: 1)
                fields.append(Field(key: key, value: valueStart..<scanner.index))
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") { scanner.index += 1; continue }
                try scanner.expect(UInt8(ascii: "}"))
                break
            }
        }
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else {
            throw SyntaxError(offset: scanner.index, reason: "unexpected data after the object")
        }
        return fields
    }

    /// Checks that `range` holds exactly one well-formed JSON value.
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws(SyntaxError) {
        var scanner = Cursor(bytes: bytes)
        scanner.skipWhitespace()
        try scanner.skipValue(depth: 0)
        scanner.skipWhitespace()
        guard scanner.index == bytes.count else {
            throw SyntaxError(offset: scanner.index, reason: "unexpected data after the value")
        }
    }

    /// The Swift string for a JSON string literal at `range` (quotes included), or nil if it is not a string.
    public static func decodeString(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\""),
            bytes[range.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        let inner = UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
        if !inner.contains(UInt8(ascii: "\\")) {
            return String(decoding: inner, as: UTF8.self)
        }
        return (try? JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[range])))?.stringValue
    }

    /// True when the value at `range` is the literal `true`.
    public static func isTrue(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        range.count == 4 && bytes[range.lowerBound] == UInt8(ascii: "t")
    }

    /// True when the value at `range` is the literal `null`.
    public static func isNull(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        range.count == 4 && bytes[range.lowerBound] == UInt8(ascii: "n")
    }

    /// True when the value at `range` is an empty array (`[]`, whitespace allowed).
    public static func isEmptyArray(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "[") else { return false }
        for i in (range.lowerBound + 1)..<(range.upperBound - 1) where !Cursor.isWhitespace(bytes[i]) {
            return false
        }
        return true
    }

    struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        @inline(__always) func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        @inline(__always) static func isWhitespace(_ b: UInt8) -> Bool {
            b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
        }

        mutating func skipWhitespace() {
            while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(SyntaxError) {
            guard peek() == byte else {
                throw SyntaxError(offset: index, reason: "expected '\(Character(Unicode.Scalar(byte)))'")
            }
            index += 1
        }

        mutating func skipValue(depth: Int) throws(SyntaxError) {
            guard let byte = peek() else { throw SyntaxError(offset: index, reason: "unexpected end of input") }
            switch byte {
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "{"): try skipObject(depth: depth + 1)
            case UInt8(ascii: "["): try skipArray(depth: depth + 1)
            case UInt8(ascii: "t"): try skipLiteral("true")
            case UInt8(ascii: "f"): try skipLiteral("false")
            case UInt8(ascii: "n"): try skipLiteral("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
            default: throw SyntaxError(offset: index, reason: "unexpected character")
            }
        }

        mutating func skipLiteral(_ literal: StaticString) throws(SyntaxError) {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw SyntaxError(offset: index, reason: "truncated literal") }
            let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: count)
            for i in 0..<count where bytes[index + i] != expected[i] {
                throw SyntaxError(offset: index + i, reason: "invalid literal")
            }
            index += count
        }

        mutating func skipNumber() throws(SyntaxError) {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else {
                throw SyntaxError(offset: index, reason: "invalid number")
            }
            if first == UInt8(ascii: "0") {
                index += 1
            } else {
                skipDigits()
            }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard skipDigits() > 0 else { throw SyntaxError(offset: index, reason: "invalid number fraction") }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                index += 1
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
                guard skipDigits() > 0 else { throw SyntaxError(offset: index, reason: "invalid number exponent") }
            }
            if index == start { throw SyntaxError(offset: index, reason: "invalid number") }
        }

        @discardableResult
        mutating func skipDigits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            return index - start
        }

        mutating func skipString() throws(SyntaxError) {
            guard peek() == UInt8(ascii: "\"") else { throw SyntaxError(offset: index, reason: "expected a string") }
            index += 1
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: "\"") {
                    index += 1
                    return
                } else if b == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count else { break }
                    let escaped = bytes[index + 1]
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 2
                    case UInt8(ascii: "u"):
                        guard index + 6 <= bytes.count else {
                            throw SyntaxError(offset: index, reason: "truncated \\u escape")
                        }
                        for i in (index + 2)..<(index + 6) where !Self.isHexDigit(bytes[i]) {
                            throw SyntaxError(offset: i, reason: "invalid \\u escape")
                        }
                        index += 6
                    default:
                        throw SyntaxError(offset: index, reason: "invalid escape")
                    }
                } else if b < 0x20 {
                    throw SyntaxError(offset: index, reason: "control character in string")
                } else {
                    index += 1
                }
            }
            throw SyntaxError(offset: index, reason: "unterminated string")
        }

        static func isHexDigit(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "f"))
                || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "F"))
        }

        mutating func skipObject(depth: Int) throws(SyntaxError) {
            guard depth <= JSONScanner.maxDepth else { throw SyntaxError(offset: index, reason: "nesting too deep") }
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                try skipString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                try skipValue(depth: depth)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"))
                return
            }
        }

        mutating func skipArray(depth: Int) throws(SyntaxError) {
            guard depth <= JSONScanner.maxDepth else { throw SyntaxError(offset: index, reason: "nesting too deep") }
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "]"))
                return
            }
        }
    }
}

extension JSONScanner {
    /// The integer at `range`, if it is a plain JSON integer (no fraction or exponent).
    public static func intValue(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < range.upperBound else { return nil }
        var value = 0
        while index < range.upperBound {
            let digit = bytes[index]
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            index += 1
        }
        return negative ? -value : value
    }

    /// The first index at or after `start` that is not JSON whitespace (space, tab, line feed, carriage return).
    public static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        while index < bytes.count, Cursor.isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    /// A token count at `range`: a plain integer clamped to `0...Usage.maxTokens`.
    public static func tokenCount(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        intValue(bytes, range).map(Usage.clamp)
    }

    /// The fields of the object at `range` (which must hold a valid object).
    public static func objectFields(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> [Field]? {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
        guard let fields = try? topLevelFields(slice) else { return nil }
        return fields.map { Field(key: $0.key, value: ($0.value.lowerBound + range.lowerBound)..<($0.value.upperBound + range.lowerBound)) }
    }
}

extension JSONScanner {
    /// The end (exclusive) of the well-formed JSON value starting at `start`, or nil.
    public static func valueEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var cursor = Cursor(bytes: bytes)
        cursor.index = start
        guard (try? cursor.skipValue(depth: 0)) != nil else { return nil }
        return cursor.index
    }
}
