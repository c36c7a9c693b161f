import Hummingbird
import Logging
import NIOCore

/// What the middleware learns about a request and the handlers read: its id and who sent it.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's `x-request-id` when sane, else a fresh one (set by `RequestIDMiddleware`).
    public var requestID = ""
    /// Who sent it (set by `AuthenticationMiddleware` on the endpoints that require a key).
    public var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
