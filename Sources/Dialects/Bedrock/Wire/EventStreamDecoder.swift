/// Incremental reader of `application/vnd.amazon.eventstream` bodies: feed bytes as they arrive (frames
/// may straddle reads), get every frame they complete. Both CRCs are verified before a frame is returned.
/// After a malformed frame the stream cannot be resynchronised, so every later call fails with the same error.
public struct EventStreamDecoder: Sendable {
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` begins; consumed bytes are dropped lazily to avoid shifting per frame.
    private var cursor = 0
    private var failure: EventStreamError?

    public init() {}

    /// Bytes received that do not yet form a complete frame.
    public var bufferedByteCount: Int { buffer.count - cursor }

    /// Adds received bytes; take the frames they complete with `next()`.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil until more bytes arrive. Pulling frames one at a time means the good
    /// frames before a corrupted one are still delivered.
    public mutating func next() throws(EventStreamError) -> EventStreamFrame? {
        if let failure { throw failure }
        do {
            guard let frame = try nextFrame() else { return nil }
            if cursor * 2 >= buffer.count {
                buffer.removeFirst(cursor)
                cursor = 0
            }
            return frame
        } catch {
            failure = error
            throw error
        }
    }

    /// Appends bytes and returns every frame they complete. If one is malformed this throws, and frames
    /// completed earlier in the same call are not returned; use `append` and `next` to keep them.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(EventStreamError) -> [EventStreamFrame] {
        append(bytes)
        var frames: [EventStreamFrame] = []
        while let frame = try next() {
            frames.append(frame)
        }
        return frames
    }

    /// Decodes a whole body at once; trailing bytes that do not form a frame are an error.
    public static func decodeAll(_ bytes: some Sequence<UInt8>) throws(EventStreamError) -> [EventStreamFrame] {
        var decoder = EventStreamDecoder()
        let frames = try decoder.feed(bytes)
        guard decoder.bufferedByteCount == 0 else {
            throw EventStreamError(.invalidLength, "the body ends \(decoder.bufferedByteCount) bytes into an incomplete frame")
        }
        return frames
    }

    private mutating func nextFrame() throws(EventStreamError) -> EventStreamFrame? {
        let available = buffer.count - cursor
        guard available >= 12 else { return nil }
        let totalLength = Int(readUInt32(at: cursor))
        let headersLength = Int(readUInt32(at: cursor + 4))
        // Check the prelude before trusting its lengths: a corrupted length would otherwise make us wait
        // for bytes that never come instead of failing.
        let preludeCRC = readUInt32(at: cursor + 8)
        let computedPrelude = CRC32.checksum(buffer[cursor..<cursor + 8])
        guard preludeCRC == computedPrelude else {
            throw EventStreamError(
                .preludeChecksumMismatch,
                "prelude CRC is \(hex(preludeCRC)) but the prelude's bytes give \(hex(computedPrelude))")
        }
        guard totalLength >= EventStreamFrame.overhead + headersLength,
            headersLength <= EventStreamFrame.maxHeadersLength,
            totalLength - EventStreamFrame.overhead - headersLength <= EventStreamFrame.maxPayloadLength
        else {
            throw EventStreamError(
                .invalidLength, "total length \(totalLength) and headers length \(headersLength) do not describe a frame")
        }
        guard available >= totalLength else { return nil }

        let end = cursor + totalLength
        let messageCRC = readUInt32(at: end - 4)
        let computedMessage = CRC32.checksum(buffer[cursor..<end - 4])
        guard messageCRC == computedMessage else {
            throw EventStreamError(
                .messageChecksumMismatch,
                "message CRC is \(hex(messageCRC)) but the frame's bytes give \(hex(computedMessage))")
        }
        let headersStart = cursor + 12
        let payloadStart = headersStart + headersLength
        let headers = try parseHeaders(headersStart..<payloadStart)
        let payload = Array(buffer[payloadStart..<end - 4])
        cursor = end
        return EventStreamFrame(headers: headers, payload: payload)
    }

    private func parseHeaders(_ range: Range<Int>) throws(EventStreamError) -> [EventStreamHeader] {
        var headers: [EventStreamHeader] = []
        var position = range.lowerBound
        /// The next `count` bytes of the headers section, or an error naming what was cut short.
        func take(_ count: Int, _ what: String) throws(EventStreamError) -> ArraySlice<UInt8> {
            guard count <= range.upperBound - position else {
                throw EventStreamError(.invalidHeader, "the headers section ends inside a header's \(what)")
            }
            defer { position += count }
            return buffer[position..<position + count]
        }
        func integer(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            bytes.reduce(0) { $0 << 8 | UInt64($1) }
        }
        while position < range.upperBound {
            let nameLength = Int(integer(try take(1, "name length")))
            guard let name = String(validating: try take(nameLength, "name"), as: UTF8.self) else {
                throw EventStreamError(.invalidHeader, "a header name is not UTF-8")
            }
            let typeCode = UInt8(integer(try take(1, "type")))
            let value: EventStreamHeaderValue
            switch typeCode {
            case 0: value = .bool(true)
            case 1: value = .bool(false)
            case 2: value = .byte(Int8(bitPattern: UInt8(integer(try take(1, "value")))))
            case 3: value = .short(Int16(bitPattern: UInt16(integer(try take(2, "value")))))
            case 4: value = .integer(Int32(bitPattern: UInt32(integer(try take(4, "value")))))
            case 5: value = .long(Int64(bitPattern: integer(try take(8, "value"))))
            case 6, 7:
                let length = Int(integer(try take(2, "value length")))
                let data = try take(length, "value")
                if typeCode == 6 {
                    value = .bytes(Array(data))
                } else if let text = String(validating: data, as: UTF8.self) {
                    value = .string(text)
                } else {
                    throw EventStreamError(.invalidHeader, "header '\(name)' has a string value that is not UTF-8")
                }
            case 8: value = .timestamp(Int64(bitPattern: integer(try take(8, "value"))))
            case 9: value = .uuid(Array(try take(16, "value")))
            default:
                throw EventStreamError(.invalidHeader, "header '\(name)' has unknown value type \(typeCode)")
            }
            headers.append(EventStreamHeader(name, value))
        }
        return headers
    }

    private func readUInt32(at offset: Int) -> UInt32 {
        buffer[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
