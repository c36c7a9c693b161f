/// Random identifiers shaped like each provider's (`chatcmpl-…`, UUIDs, `call_…`); seeded
/// with `init(seed:)` it is also the deterministic generator behind embedding vectors.
///
/// Seeded once per request from the system generator, then SplitMix64: the system generator
/// may cost a syscall per call, and an id needs a few dozen random characters.
struct RandomIDs {
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        self.state = system.next()
    }

    /// Deterministic ids for tests of this module.
    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static let alphanumerics: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func alphanumeric(_ count: Int) -> String {
        self.pick(count, from: Self.alphanumerics)
    }

    mutating func hex(_ count: Int) -> String {
        self.pick(count, from: Self.hex)
    }

    /// Lower-case 8-4-4-4-12 UUID text, version 4 bits set, as DeepSeek/xAI/Perplexity ids look.
    mutating func uuid() -> String {
        var text = self.hex(32).utf8.map { $0 }
        text[12] = UInt8(ascii: "4")
        text[16] = Self.hex[Int(8 + self.next() % 4)]
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in text.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 {
                out.append(UInt8(ascii: "-"))
            }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func pick(_ count: Int, from alphabet: [UInt8]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var bits = self.next()
        var remaining = 8
        for _ in 0..<count {
            if remaining == 0 {
                bits = self.next()
                remaining = 8
            }
            bytes.append(alphabet[Int(bits & 0xFF) % alphabet.count])
            bits >>= 8
            remaining -= 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
