/// CRC-32 with the IEEE 802.3 polynomial (the one zlib's `crc32` computes), which AWS event-stream frames
/// use for their prelude and message checksums. swift-crypto has no CRC, and zlib is not a dependency.
public struct CRC32: Sendable, Hashable {
    /// The running checksum; `value` of a fresh instance is the CRC of no bytes (0).
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Extends the checksum over more bytes, so a frame can be checked in pieces.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        // The register is kept inverted between calls (zlib's convention), so pre- and post-invert here.
        var crc = ~value
        for byte in bytes {
            crc = Self.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        value = ~crc
    }

    /// The CRC-32 of `bytes` in one call.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// One entry per byte value: the register after shifting that byte through the reflected polynomial.
    private static let table: [UInt32] = (0..<256).map { index in
        var entry = UInt32(index)
        for _ in 0..<8 {
            entry = entry & 1 == 1 ? 0xEDB8_8320 ^ (entry >> 1) : entry >> 1
        }
        return entry
    }
}
