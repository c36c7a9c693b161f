import SwitchyardCore

/// Who sent a request, as authentication established it. The master key today; virtual keys (with their
/// team, limits and budgets) are the next kind (CONTRACT §2), and the admission stage reads this.
public struct Identity: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The gateway's master key: allowed everything.
        case master
    }

    public var kind: Kind

    public static let master = Identity(kind: .master)
}

/// Turns the credential a client presented (nil when it sent none) into an identity, or the authentication
/// error to answer in the client's dialect. One place for "who is this", whatever the endpoint's dialect.
protocol Authenticator: Sendable {
    func authenticate(_ presented: [UInt8]?) -> Result<Identity, GatewayError>
}

/// The master key, compared in constant time.
struct MasterKeyAuthenticator: Authenticator {
    let masterKey: [UInt8]

    func authenticate(_ presented: [UInt8]?) -> Result<Identity, GatewayError> {
        guard let presented else {
            return .failure(
                GatewayError(
                    .authentication, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                    code: "missing_api_key"))
        }
        guard Self.constantTimeEquals(presented, masterKey) else {
            return .failure(GatewayError(.authentication, "Incorrect API key provided.", code: "invalid_api_key"))
        }
        return .success(.master)
    }

    /// Compares without an early exit, so timing does not reveal how much of a key matched.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
