import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    // Literal names are valid tokens; the initialiser only fails on malformed input.
    static let requestID = HTTPField.Name("x-request-id")!
    static let switchyardProvider = HTTPField.Name("x-switchyard-provider")!
    static let switchyardModel = HTTPField.Name("x-switchyard-model")!
    static let switchyardAttempts = HTTPField.Name("x-switchyard-attempts")!
    static let switchyardCost = HTTPField.Name("x-switchyard-cost-usd")!
    static let shouldRetry = HTTPField.Name("x-should-retry")!
    static let retryAfterName = HTTPField.Name("retry-after")!
    static let xAPIKey = HTTPField.Name("x-api-key")!
    static let anthropicVersion = HTTPField.Name("anthropic-version")!
    static let anthropicBeta = HTTPField.Name("anthropic-beta")!
}

/// Request ids: the client's own when sane, otherwise a fresh one.
enum RequestID {
    /// Keeps a client-sent id of at most 128 printable ASCII characters.
    static func resolve(_ sent: String?) -> String {
        if let sent, !sent.isEmpty, sent.utf8.count <= 128, sent.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) {
            return sent
        }
        return make()
    }

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var bytes = [UInt8](repeating: 0, count: 28)
        bytes[0] = UInt8(ascii: "r")
        bytes[1] = UInt8(ascii: "e")
        bytes[2] = UInt8(ascii: "q")
        bytes[3] = UInt8(ascii: "_")
        var a = generator.next() as UInt64
        var b = generator.next() as UInt64
        for i in 0..<12 {
            bytes[4 + i] = digits[Int(a & 0xF)]
            a >>= 4
            bytes[16 + i] = digits[Int(b & 0xF)]
            b >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
