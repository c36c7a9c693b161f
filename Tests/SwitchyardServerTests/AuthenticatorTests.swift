import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Authentication yields an identity or the error to answer with, whatever the endpoint's dialect.
@Suite struct AuthenticatorTests {
    let authenticator = GatewayAuthenticator(masterKey: Array("sk-master".utf8), governance: nil)

    @Test func theMasterKeyIsTheMasterIdentity() throws {
        #expect(try authenticator.authenticate(Array("sk-master".utf8)).get() == .master)
    }

    @Test func missingAndWrongKeysAreDistinguished() {
        for (presented, code) in [(nil, "missing_api_key"), (Array("sk-mastex".utf8), "invalid_api_key"),
            (Array("sk-master-".utf8), "invalid_api_key"), ([], "invalid_api_key")] as [([UInt8]?, String)]
        {
            guard case .failure(let error) = authenticator.authenticate(presented) else {
                Issue.record("\(String(describing: presented)) was accepted")
                continue
            }
            #expect(error.kind == .authentication && error.code == code)
        }
    }
}
