import HTTPTypes
import Hummingbird
import Synchronization

extension HTTPField.Name {
    // Literal names are valid tokens; the initialiser only fails on malformed input.
    static let requestID = HTTPField.Name("x-request-id")!
    static let switchyardProvider = HTTPField.Name("x-switchyard-provider")!
    static let switchyardModel = HTTPField.Name("x-switchyard-model")!
    static let switchyardAttempts = HTTPField.Name("x-switchyard-attempts")!
    static let switchyardCost = HTTPField.Name("x-switchyard-cost-usd")!
    static let switchyardAdjusted = HTTPField.Name("x-switchyard-adjusted")!
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

    /// Per-process random seeds: ids are unique (the counter goes through a bijective mix) and not
    /// guessable across processes, without a `getrandom` system call on every request.
    private static let seeds: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()
    private static let counter = Atomic<UInt64>(0)

    static func make() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var a = mix(seeds.0 &+ n)
        var b = mix(seeds.1 ^ n)
        return String(unsafeUninitializedCapacity: 28) { bytes in
            let digits: StaticString = "0123456789abcdef"
            bytes[0] = UInt8(ascii: "r")
            bytes[1] = UInt8(ascii: "e")
            bytes[2] = UInt8(ascii: "q")
            bytes[3] = UInt8(ascii: "_")
            for i in 0..<12 {
                bytes[4 + i] = digits.utf8Start[Int(a & 0xF)]
                a >>= 4
                bytes[16 + i] = digits.utf8Start[Int(b & 0xF)]
                b >>= 4
            }
            return 28
        }
    }

    /// SplitMix64's finaliser: a bijection on 64-bit values that scatters consecutive inputs.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
