import SwitchyardCore
import SwitchyardGovernance

/// Who sent a request, as authentication established it: the master key, or a virtual key with its team,
/// limits and budgets (CONTRACT §2). The admission stage reads it.
public struct Identity: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The gateway's master key: allowed everything.
        case master
        /// A virtual key.
        case key(KeyGrant)

        public static func == (a: Kind, b: Kind) -> Bool {
            switch (a, b) {
            case (.master, .master): true
            case (.key(let x), .key(let y)): x === y
            default: false
            }
        }
    }

    public var kind: Kind

    public static let master = Identity(kind: .master)

    public var grant: KeyGrant? {
        if case .key(let grant) = kind { return grant }
        return nil
    }

    public var keyID: String? { grant?.key.id }
    public var teamID: String? { grant?.key.team }
}

/// Turns the credential a client presented (nil when it sent none) into an identity, or the authentication
/// error to answer in the client's dialect. One place for "who is this", whatever the endpoint's dialect.
protocol Authenticator: Sendable {
    func authenticate(_ presented: [UInt8]?) -> Result<Identity, GatewayError>
}

/// The master key (compared in constant time), then the virtual keys governance knows.
struct GatewayAuthenticator: Authenticator {
    let masterKey: [UInt8]
    let governance: Governance?

    func authenticate(_ presented: [UInt8]?) -> Result<Identity, GatewayError> {
        guard let presented else {
            return .failure(
                GatewayError(
                    .authentication, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
                    code: "missing_api_key"))
        }
        if Self.constantTimeEquals(presented, masterKey) { return .success(.master) }
        // A virtual key is looked up by its SHA-256: the lookup's timing reveals nothing about the secret.
        if let grant = governance?.authenticate(presented) { return .success(Identity(kind: .key(grant))) }
        return .failure(GatewayError(.authentication, "Incorrect API key provided.", code: "invalid_api_key"))
    }

    /// Compares without an early exit, so timing does not reveal how much of a key matched.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
