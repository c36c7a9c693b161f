/// One message of an `application/vnd.amazon.eventstream` body (Bedrock ConverseStream, Transcribe, …):
/// ordered typed headers and an opaque payload. The wire form is prelude (total length, headers length,
/// prelude CRC), headers, payload, message CRC; all integers big-endian (bedrock.md §5).
public struct EventStreamFrame: Sendable, Hashable {
    public var headers: [EventStreamHeader]
    public var payload: [UInt8]

    public init(headers: [EventStreamHeader], payload: [UInt8]) {
        self.headers = headers
        self.payload = payload
    }

    /// The value of the first header called `name`.
    public func header(_ name: String) -> EventStreamHeaderValue? {
        headers.first { $0.name == name }?.value
    }

    /// The value of the first header called `name` when it is a string (Bedrock sends only strings).
    public func stringHeader(_ name: String) -> String? {
        if case .string(let value) = header(name) { return value }
        return nil
    }

    /// The largest headers section and payload botocore accepts; the decoder refuses bigger frames.
    public static let maxHeadersLength = 128 * 1024
    public static let maxPayloadLength = 24 * 1024 * 1024
    /// Prelude (12 bytes) plus the trailing message CRC (4 bytes).
    static let overhead = 16

    /// The frame's bytes on the wire, both CRCs included.
    public func encoded() throws(EventStreamError) -> [UInt8] {
        var headerBytes: [UInt8] = []
        for header in headers {
            try header.append(to: &headerBytes)
        }
        guard headerBytes.count <= Self.maxHeadersLength else {
            throw EventStreamError(.tooLarge, "headers take \(headerBytes.count) bytes; the limit is \(Self.maxHeadersLength)")
        }
        guard payload.count <= Self.maxPayloadLength else {
            throw EventStreamError(.tooLarge, "payload of \(payload.count) bytes exceeds \(Self.maxPayloadLength)")
        }
        let totalLength = Self.overhead + headerBytes.count + payload.count
        var bytes: [UInt8] = []
        bytes.reserveCapacity(totalLength)
        bytes.appendBigEndian(UInt32(totalLength))
        bytes.appendBigEndian(UInt32(headerBytes.count))
        bytes.appendBigEndian(CRC32.checksum(bytes))
        bytes.append(contentsOf: headerBytes)
        bytes.append(contentsOf: payload)
        bytes.appendBigEndian(CRC32.checksum(bytes))
        return bytes
    }
}

/// A named, typed event-stream header.
public struct EventStreamHeader: Sendable, Hashable {
    public var name: String
    public var value: EventStreamHeaderValue

    public init(_ name: String, _ value: EventStreamHeaderValue) {
        self.name = name
        self.value = value
    }

    /// A string header (type 7), the only kind Bedrock uses.
    public static func string(_ name: String, _ value: String) -> EventStreamHeader {
        EventStreamHeader(name, .string(value))
    }

    fileprivate func append(to bytes: inout [UInt8]) throws(EventStreamError) {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= Int(UInt8.max) else {
            throw EventStreamError(.tooLarge, "header name '\(name)' must be 1–255 UTF-8 bytes")
        }
        bytes.append(UInt8(nameBytes.count))
        bytes.append(contentsOf: nameBytes)
        bytes.append(value.typeCode)
        switch value {
        case .bool: break  // the type code is the value
        case .byte(let v): bytes.append(UInt8(bitPattern: v))
        case .short(let v): bytes.appendBigEndian(UInt16(bitPattern: v))
        case .integer(let v): bytes.appendBigEndian(UInt32(bitPattern: v))
        case .long(let v), .timestamp(let v): bytes.appendBigEndian(UInt64(bitPattern: v))
        case .bytes(let data): try Self.appendVariable(data, name: name, to: &bytes)
        case .string(let text): try Self.appendVariable(Array(text.utf8), name: name, to: &bytes)
        case .uuid(let data):
            guard data.count == 16 else {
                throw EventStreamError(.tooLarge, "UUID header '\(name)' must be 16 bytes, not \(data.count)")
            }
            bytes.append(contentsOf: data)
        }
    }

    /// Bytes and strings carry a u16 length, so longer values cannot be written at all.
    private static func appendVariable(_ data: [UInt8], name: String, to bytes: inout [UInt8]) throws(EventStreamError) {
        guard data.count <= Int(UInt16.max) else {
            throw EventStreamError(.tooLarge, "header '\(name)' value of \(data.count) bytes exceeds 65535")
        }
        bytes.appendBigEndian(UInt16(data.count))
        bytes.append(contentsOf: data)
    }
}

/// The ten header value types of the event-stream format (type codes 0–9).
public enum EventStreamHeaderValue: Sendable, Hashable {
    /// Types 0 (true) and 1 (false); no value bytes.
    case bool(Bool)
    case byte(Int8)
    case short(Int16)
    case integer(Int32)
    case long(Int64)
    case bytes([UInt8])
    case string(String)
    /// Milliseconds since the Unix epoch.
    case timestamp(Int64)
    /// 16 raw bytes.
    case uuid([UInt8])

    var typeCode: UInt8 {
        switch self {
        case .bool(let value): return value ? 0 : 1
        case .byte: return 2
        case .short: return 3
        case .integer: return 4
        case .long: return 5
        case .bytes: return 6
        case .string: return 7
        case .timestamp: return 8
        case .uuid: return 9
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends an integer in network byte order, as every event-stream length and CRC is written.
    mutating func appendBigEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }
}
