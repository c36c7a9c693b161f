import Crypto
import SwitchyardStore

/// Virtual key secrets (CONTRACT §2): `sk-sy-` and 40 random base62 characters, shown once; only the
/// SHA-256 is stored.
public enum VirtualKeySecret {
    public static let prefix = "sk-sy-"
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// A new secret from the system's cryptographic generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = Array(prefix.utf8)
        for _ in 0..<40 { bytes.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Lower-case hex SHA-256 of the secret: what the store keeps and the directory is keyed by.
    public static func hash(_ secret: some Collection<UInt8>) -> String {
        let digest = SHA256.hash(data: Array(secret))
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first 10 characters, for display (`sk-sy-AbCd`).
    public static func displayPrefix(_ secret: String) -> String { String(secret.prefix(10)) }

    /// `key_…` / `team_…` ids: a kind prefix and 20 random base62 characters.
    public static func identifier(_ kind: String) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = Array("\(kind)_".utf8)
        for _ in 0..<20 { bytes.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
