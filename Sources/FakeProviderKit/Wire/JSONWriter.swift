import NIOCore

/// Writes JSON straight into a `ByteBuffer`, in the order the calls are made.
///
/// The fakes must reproduce the providers' shapes exactly — explicit `null`s, key order as in
/// the fixtures — which `JSONEncoder` does not promise, and they sit on a benchmark's hot path,
/// so they skip building an intermediate tree. A single `needsComma` flag is enough to place
/// separators: it is cleared after `{`, `[` and a key, and set after every value.
struct JSONWriter {
    private(set) var buffer: ByteBuffer
    private var needsComma = false

    init(capacity: Int = 512) {
        self.buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Continues writing into an existing buffer (e.g. after an SSE `data: ` prefix).
    init(appendingTo buffer: ByteBuffer) {
        self.buffer = buffer
    }

    // MARK: Structure

    mutating func beginObject() {
        self.separate()
        self.buffer.writeInteger(UInt8(ascii: "{"))
        self.needsComma = false
    }

    mutating func endObject() {
        self.buffer.writeInteger(UInt8(ascii: "}"))
        self.needsComma = true
    }

    mutating func beginArray() {
        self.separate()
        self.buffer.writeInteger(UInt8(ascii: "["))
        self.needsComma = false
    }

    mutating func endArray() {
        self.buffer.writeInteger(UInt8(ascii: "]"))
        self.needsComma = true
    }

    /// A key known at compile time: written without escaping (all our keys are plain ASCII).
    mutating func key(_ key: StaticString) {
        self.separate()
        self.buffer.writeInteger(UInt8(ascii: "\""))
        self.buffer.writeStaticString(key)
        self.buffer.writeStaticString("\":")
        self.needsComma = false
    }

    /// A key taken from input (header names), so it is escaped.
    mutating func key(dynamic key: String) {
        self.separate()
        self.writeEscaped(key)
        self.buffer.writeInteger(UInt8(ascii: ":"))
        self.needsComma = false
    }

    // MARK: Values

    mutating func string(_ value: String) {
        self.separate()
        self.writeEscaped(value)
        self.needsComma = true
    }

    mutating func int(_ value: Int) {
        self.separate()
        self.buffer.writeString(String(value))
        self.needsComma = true
    }

    /// Swift's shortest round-trip rendering (`0.0123`, `1e-05`) is valid JSON for finite values;
    /// callers only pass finite numbers.
    mutating func double(_ value: Double) {
        self.separate()
        self.buffer.writeString(value.description)
        self.needsComma = true
    }

    mutating func float(_ value: Float) {
        self.separate()
        self.buffer.writeString(value.description)
        self.needsComma = true
    }

    mutating func bool(_ value: Bool) {
        self.separate()
        self.buffer.writeStaticString(value ? "true" : "false")
        self.needsComma = true
    }

    mutating func null() {
        self.separate()
        self.buffer.writeStaticString("null")
        self.needsComma = true
    }

    /// Pre-encoded JSON (fixture bodies, constant sub-objects).
    mutating func raw(_ json: StaticString) {
        self.separate()
        self.buffer.writeStaticString(json)
        self.needsComma = true
    }

    // MARK: Conveniences

    mutating func field(_ key: StaticString, _ value: String) {
        self.key(key)
        self.string(value)
    }

    mutating func field(_ key: StaticString, _ value: Int) {
        self.key(key)
        self.int(value)
    }

    mutating func field(_ key: StaticString, _ value: Bool) {
        self.key(key)
        self.bool(value)
    }

    mutating func field(_ key: StaticString, _ value: Double) {
        self.key(key)
        self.double(value)
    }

    /// Writes the string, or `null` when absent: the OpenAI schema wants nullable fields present.
    mutating func field(_ key: StaticString, orNull value: String?) {
        self.key(key)
        if let value { self.string(value) } else { self.null() }
    }

    mutating func nullField(_ key: StaticString) {
        self.key(key)
        self.null()
    }

    mutating func rawField(_ key: StaticString, _ json: StaticString) {
        self.key(key)
        self.raw(json)
    }

    mutating func object(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        self.object(body)
    }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        self.beginObject()
        body(&self)
        self.endObject()
    }

    mutating func array(_ key: StaticString, _ body: (inout JSONWriter) -> Void) {
        self.key(key)
        self.beginArray()
        body(&self)
        self.endArray()
    }

    // MARK: Internals

    private mutating func separate() {
        if self.needsComma {
            self.buffer.writeInteger(UInt8(ascii: ","))
        }
    }

    /// Escapes per RFC 8259: quote, backslash and control characters; everything else
    /// (including non-ASCII UTF-8) is copied as is. Unescaped runs are copied in one go.
    private mutating func writeEscaped(_ value: String) {
        self.buffer.writeInteger(UInt8(ascii: "\""))
        let utf8 = value.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            self.buffer.writeString(value)
        } else {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): self.buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): self.buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\n"): self.buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): self.buffer.writeStaticString("\\r")
                case UInt8(ascii: "\t"): self.buffer.writeStaticString("\\t")
                case 0x08: self.buffer.writeStaticString("\\b")
                case 0x0C: self.buffer.writeStaticString("\\f")
                case ..<0x20:
                    self.buffer.writeStaticString("\\u00")
                    self.buffer.writeInteger(Self.hexDigits[Int(byte >> 4)])
                    self.buffer.writeInteger(Self.hexDigits[Int(byte & 0x0F)])
                default:
                    self.buffer.writeInteger(byte)
                }
            }
        }
        self.buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
