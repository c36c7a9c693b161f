import NIOCore

/// `application/vnd.amazon.eventstream` framing (`bedrock.md` §5), the encoder the fake
/// Bedrock needs (the gateway has its own decoder; the fakes import no gateway module):
///
/// ```
/// total_length u32 | headers_length u32 | prelude_crc u32 | headers | payload | message_crc u32
/// ```
/// All integers big-endian; `prelude_crc` = CRC-32 of the first 8 bytes, `message_crc` = CRC-32
/// of everything before it. Headers are `name_len u8 · name · type u8 · value`; Bedrock uses
/// only type 7 (string: `u16` length + UTF-8).
enum EventStream {
    /// An event frame (`:message-type: event`), headers in the fixtures' order.
    static func event(_ type: String, payload: ByteBuffer) -> ByteBuffer {
        Self.message(headers: [(":event-type", type), (":content-type", "application/json"), (":message-type", "event")], payload: payload)
    }

    /// An exception frame (`:message-type: exception`, `converse-stream-exception.eventstream`).
    static func exception(_ type: String, payload: ByteBuffer) -> ByteBuffer {
        Self.message(
            headers: [(":exception-type", type), (":content-type", "application/json"), (":message-type", "exception")],
            payload: payload
        )
    }

    static func message(headers: [(name: String, value: String)], payload: ByteBuffer) -> ByteBuffer {
        var headerBytes = ByteBufferAllocator().buffer(capacity: 128)
        for (name, value) in headers {
            // Names are ours and short; values are event names and content types.
            headerBytes.writeInteger(UInt8(truncatingIfNeeded: name.utf8.count))
            headerBytes.writeString(name)
            headerBytes.writeInteger(UInt8(7))
            headerBytes.writeInteger(UInt16(truncatingIfNeeded: value.utf8.count))
            headerBytes.writeString(value)
        }
        let total = 12 + headerBytes.readableBytes + payload.readableBytes + 4
        var message = ByteBufferAllocator().buffer(capacity: total)
        message.writeInteger(UInt32(truncatingIfNeeded: total))
        message.writeInteger(UInt32(truncatingIfNeeded: headerBytes.readableBytes))
        message.writeInteger(CRC32.checksum(message.readableBytesView))
        message.writeImmutableBuffer(headerBytes)
        message.writeImmutableBuffer(payload)
        message.writeInteger(CRC32.checksum(message.readableBytesView))
        return message
    }
}

/// CRC-32 with the IEEE 802.3 polynomial (reflected 0xEDB88320), as zlib's `crc32`: swift-crypto
/// has no CRC, and linking zlib for four bytes per frame is not worth it. Table-driven.
enum CRC32 {
    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = Self.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }
}
