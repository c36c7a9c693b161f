import HTTPTypes
import Hummingbird
import SwitchyardCore

/// The checks before any endpoint that needs a key reads the body: the header block's size
/// (`limits.max_header_bytes`), then the credential, read and answered in the endpoint's dialect; what
/// passes carries its `Identity` in the context; what is refused ends at the completion point like every
/// other request.
struct AuthenticationMiddleware: RouterMiddleware {
    let state: GatewayState
    let dialect: any InboundDialect
    let completion: CompletionPoint

    func handle(
        _ request: Request, context: GatewayRequestContext,
        next: (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        // The checks are in an `@inline(never)` function: this async frame is part of what a stream's task
        // keeps (`ModelRequestHandler`).
        var context = context
        if let refused = check(request, context: &context) { return refused }
        return try await next(request, context)
    }

    /// The refusal, or nil with the identity set in `context`. The model endpoints call it themselves
    /// (`Gateway.buildRouter`).
    @inline(never)
    func check(_ request: Request, context: inout GatewayRequestContext) -> Response? {
        let started = ContinuousClock.now
        let snapshot = state.current
        let limit = snapshot.config.limits.maxHeaderBytes
        var headerBytes = 0
        for field in request.headers { headerBytes += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        if headerBytes > limit {
            return refuse(
                GatewayError(.requestTooLarge, "The request headers exceed \(limit) bytes."), context: context,
                started: started)
        }
        switch snapshot.authenticator.authenticate(dialect.credential(request)) {
        case .success(let identity):
            context.identity = identity
            return nil
        case .failure(let error):
            return refuse(error, context: context, started: started)
        }
    }

    private func refuse(_ error: GatewayError, context: GatewayRequestContext, started: ContinuousClock.Instant) -> Response {
        let response = dialect.errorResponse(error, requestID: context.requestID, headers: [:])
        completion.complete(
            RequestOutcome(
                requestID: context.requestID, status: Int(response.status.code), error: error, ending: .failed,
                duration: .now - started, attempts: [], stream: false))
        return response
    }
}
