import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

// Test-side readers for the native dialects' wire formats, written independently of the
// fake's encoders: an order-preserving JSON parser, SSE splitting for LF and CRLF framing, an
// event-stream frame decoder with its own (bitwise) CRC-32, and fixture loading.

// MARK: - Ordered JSON

/// A JSON value that keeps object keys in order, so tests can compare key order with the fixtures.
indirect enum WireJSON: Equatable, CustomStringConvertible {
    case object([Member])
    case array([WireJSON])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    struct Member: Equatable {
        let key: String
        let value: WireJSON
    }

    struct ParseError: Error {
        let offset: Int
    }

    static func parse(_ text: String) throws -> WireJSON {
        try Self.parse(Array(text.utf8))
    }

    static func parse(_ bytes: [UInt8]) throws -> WireJSON {
        var parser = Parser(bytes: bytes)
        let value = try parser.value()
        parser.skipSpace()
        guard parser.offset == bytes.count else { throw ParseError(offset: parser.offset) }
        return value
    }

    subscript(key: String) -> WireJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    subscript(index: Int) -> WireJSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    var keys: [String] {
        guard case .object(let members) = self else { return [] }
        return members.map(\.key)
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int: Int? {
        if case .number(let value) = self { return Int(exactly: value) }
        return nil
    }

    var array: [WireJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The structure with values reduced to their kinds, keys in order: `{"a":s,"b":[{"c":n}]}`.
    /// Values under `opaque` keys (data such as tool inputs) are reduced to `*`.
    func shape(opaque: Set<String> = []) -> String {
        switch self {
        case .object(let members):
            let inner = members.map { member in
                "\"\(member.key)\":" + (opaque.contains(member.key) ? "*" : member.value.shape(opaque: opaque))
            }
            return "{" + inner.joined(separator: ",") + "}"
        case .array(let elements):
            return "[" + elements.map { $0.shape(opaque: opaque) }.joined(separator: ",") + "]"
        case .string: return "s"
        case .number: return "n"
        case .bool: return "b"
        case .null: return "null"
        }
    }

    var description: String { self.shape() }

    private struct Parser {
        let bytes: [UInt8]
        var offset = 0

        mutating func skipSpace() {
            while self.offset < self.bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(self.bytes[self.offset]) {
                self.offset += 1
            }
        }

        mutating func value() throws -> WireJSON {
            self.skipSpace()
            guard self.offset < self.bytes.count else { throw ParseError(offset: self.offset) }
            switch self.bytes[self.offset] {
            case UInt8(ascii: "{"):
                self.offset += 1
                var members: [Member] = []
                self.skipSpace()
                if self.peek(UInt8(ascii: "}")) { return .object(members) }
                repeat {
                    self.skipSpace()
                    let key = try self.string()
                    self.skipSpace()
                    try self.expect(UInt8(ascii: ":"))
                    members.append(Member(key: key, value: try self.value()))
                    self.skipSpace()
                } while self.peek(UInt8(ascii: ","))
                try self.expect(UInt8(ascii: "}"))
                return .object(members)
            case UInt8(ascii: "["):
                self.offset += 1
                var elements: [WireJSON] = []
                self.skipSpace()
                if self.peek(UInt8(ascii: "]")) { return .array(elements) }
                repeat {
                    elements.append(try self.value())
                    self.skipSpace()
                } while self.peek(UInt8(ascii: ","))
                try self.expect(UInt8(ascii: "]"))
                return .array(elements)
            case UInt8(ascii: "\""):
                return .string(try self.string())
            case UInt8(ascii: "t"):
                try self.literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try self.literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try self.literal("null")
                return .null
            default:
                let start = self.offset
                while self.offset < self.bytes.count, "+-0123456789.eE".utf8.contains(self.bytes[self.offset]) {
                    self.offset += 1
                }
                guard let number = Double(String(decoding: self.bytes[start..<self.offset], as: UTF8.self)) else {
                    throw ParseError(offset: start)
                }
                return .number(number)
            }
        }

        /// Consumes `byte` if it is next.
        mutating func peek(_ byte: UInt8) -> Bool {
            guard self.offset < self.bytes.count, self.bytes[self.offset] == byte else { return false }
            self.offset += 1
            return true
        }

        mutating func expect(_ byte: UInt8) throws {
            guard self.peek(byte) else { throw ParseError(offset: self.offset) }
        }

        mutating func literal(_ word: String) throws {
            for byte in word.utf8 {
                try self.expect(byte)
            }
        }

        mutating func string() throws -> String {
            try self.expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while self.offset < self.bytes.count {
                let byte = self.bytes[self.offset]
                self.offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard self.offset < self.bytes.count else { throw ParseError(offset: self.offset) }
                    let escape = self.bytes[self.offset]
                    self.offset += 1
                    switch escape {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        var scalar = try self.hex4()
                        if (0xD800..<0xDC00).contains(scalar), self.peek(UInt8(ascii: "\\")), self.peek(UInt8(ascii: "u")) {
                            let low = try self.hex4()
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8))
                    default: out.append(escape)
                    }
                default:
                    out.append(byte)
                }
            }
            throw ParseError(offset: self.offset)
        }

        mutating func hex4() throws -> UInt32 {
            guard self.offset + 4 <= self.bytes.count,
                let value = UInt32(String(decoding: self.bytes[self.offset..<self.offset + 4], as: UTF8.self), radix: 16)
            else { throw ParseError(offset: self.offset) }
            self.offset += 4
            return value
        }
    }
}

// MARK: - SSE

struct WireEvent {
    /// The `event:` line, if any.
    let name: String?
    /// The `data:` payload, raw.
    let data: String

    func json() throws -> WireJSON { try WireJSON.parse(self.data) }
}

/// Splits an SSE body framed with `separator` (`"\n"` or `"\r\n"`) into events; comment-only
/// blocks are skipped.
func parseSSE(_ text: String, lineEnding: String = "\n") -> [WireEvent] {
    text.components(separatedBy: lineEnding + lineEnding).compactMap { block in
        var name: String?
        var data: [String] = []
        for line in block.components(separatedBy: lineEnding) {
            if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
        }
        return data.isEmpty ? nil : WireEvent(name: name, data: data.joined(separator: "\n"))
    }
}

// MARK: - Event stream

struct WireFrame {
    let headers: [(name: String, value: String)]
    let payload: [UInt8]

    var headerNames: [String] { self.headers.map(\.name) }

    func header(_ name: String) -> String? { self.headers.first { $0.name == name }?.value }

    func json() throws -> WireJSON { try WireJSON.parse(self.payload) }
}

struct FrameError: Error, CustomStringConvertible {
    let description: String
}

/// Decodes `application/vnd.amazon.eventstream` messages, verifying lengths and both CRCs.
func decodeFrames(_ bytes: [UInt8]) throws -> [WireFrame] {
    func u32(_ offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
    var frames: [WireFrame] = []
    var offset = 0
    while offset < bytes.count {
        guard bytes.count - offset >= 16 else { throw FrameError(description: "truncated prelude at \(offset)") }
        let total = Int(u32(offset))
        let headersLength = Int(u32(offset + 4))
        guard total >= 16 + headersLength, offset + total <= bytes.count else { throw FrameError(description: "bad lengths at \(offset)") }
        guard u32(offset + 8) == bitwiseCRC32(bytes[offset..<offset + 8]) else { throw FrameError(description: "prelude CRC at \(offset)") }
        guard u32(offset + total - 4) == bitwiseCRC32(bytes[offset..<offset + total - 4]) else {
            throw FrameError(description: "message CRC at \(offset)")
        }
        var headers: [(String, String)] = []
        var cursor = offset + 12
        let headersEnd = cursor + headersLength
        while cursor < headersEnd {
            let nameLength = Int(bytes[cursor])
            let name = String(decoding: bytes[cursor + 1..<cursor + 1 + nameLength], as: UTF8.self)
            cursor += 1 + nameLength
            guard bytes[cursor] == 7 else { throw FrameError(description: "header type \(bytes[cursor])") }
            let valueLength = Int(bytes[cursor + 1]) << 8 | Int(bytes[cursor + 2])
            headers.append((name, String(decoding: bytes[cursor + 3..<cursor + 3 + valueLength], as: UTF8.self)))
            cursor += 3 + valueLength
        }
        frames.append(WireFrame(headers: headers, payload: Array(bytes[headersEnd..<offset + total - 4])))
        offset += total
    }
    return frames
}

/// CRC-32 (IEEE, reflected 0xEDB88320) bit by bit — deliberately not the fake's table version.
func bitwiseCRC32<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
    }
    return ~crc
}

// MARK: - Fixtures

enum NativeFixtures {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/providers")

    static func bytes(_ provider: String, _ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(provider).appendingPathComponent(file)))
    }

    static func text(_ provider: String, _ file: String) throws -> String {
        String(decoding: try Self.bytes(provider, file), as: UTF8.self)
    }

    static func json(_ provider: String, _ file: String) throws -> WireJSON {
        try WireJSON.parse(try Self.bytes(provider, file))
    }
}

// MARK: - HTTP

struct RawReply {
    let status: Int
    let headers: [(String, String)]
    let body: [UInt8]

    var text: String { String(decoding: self.body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    func json() throws -> WireJSON { try WireJSON.parse(self.body) }
}

func httpSend(
    _ url: String,
    method: String = "POST",
    body: String? = nil,
    headers: [(String, String)]
) async throws -> RawReply {
    var request = HTTPClientRequest(url: url)
    request.method = .init(rawValue: method)
    for (name, value) in headers {
        request.headers.add(name: name, value: value)
    }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let collected = try await response.body.collect(upTo: 1 << 22)
    return RawReply(
        status: Int(response.status.code),
        headers: response.headers.map { ($0.name, $0.value) },
        body: Array(collected.readableBytesView)
    )
}

/// Collects a streamed body until the server drops the connection; returns what arrived.
func receiveUntilCut(_ url: String, body: String, headers: [(String, String)]) async throws -> (bytes: [UInt8], failed: Bool) {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    for (name, value) in headers {
        request.headers.add(name: name, value: value)
    }
    request.body = .bytes(ByteBuffer(string: body))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    var received: [UInt8] = []
    do {
        for try await part in response.body {
            received.append(contentsOf: part.readableBytesView)
        }
        return (received, false)
    } catch {
        return (received, true)
    }
}
