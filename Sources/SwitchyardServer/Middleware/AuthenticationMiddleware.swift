import HTTPTypes
import Hummingbird
import SwitchyardCore

/// The checks before any endpoint that needs a key reads the body: the header block's size
/// (`limits.max_header_bytes`), then the credential, read and answered in the endpoint's dialect; what
/// passes carries its `Identity` in the context.
struct AuthenticationMiddleware: RouterMiddleware {
    let state: GatewayState
    let dialect: any InboundDialect

    func handle(
        _ request: Request, context: GatewayRequestContext,
        next: (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        let snapshot = state.current
        let limit = snapshot.config.limits.maxHeaderBytes
        var headerBytes = 0
        for field in request.headers { headerBytes += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        if headerBytes > limit {
            return dialect.errorResponse(
                GatewayError(.requestTooLarge, "The request headers exceed \(limit) bytes."),
                requestID: context.requestID, headers: [:])
        }
        switch snapshot.authenticator.authenticate(dialect.credential(request)) {
        case .success(let identity):
            var context = context
            context.identity = identity
            return try await next(request, context)
        case .failure(let error):
            return dialect.errorResponse(error, requestID: context.requestID, headers: [:])
        }
    }
}
