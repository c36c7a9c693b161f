/// Ids derived from a seed, the same in every process: FNV-1a of the seed stretched with SplitMix64 into
/// alphanumerics. Not Swift's `Hasher`, which is randomised per process and would make ids differ between
/// gateway instances (and between turns served by different instances).
public enum StableID {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `prefix` + `length` alphanumerics derived from `seed`.
    public static func mint(seed: String, prefix: String, length: Int = 24) -> String {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in seed.utf8 {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01B3
        }
        var out = Array(prefix.utf8)
        out.reserveCapacity(prefix.utf8.count + length)
        for _ in 0..<length {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            out.append(alphabet[Int(z % UInt64(alphabet.count))])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
