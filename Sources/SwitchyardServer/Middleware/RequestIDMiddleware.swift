import HTTPTypes
import Hummingbird
import SwitchyardCore

/// Gives every request its id and every answer `x-request-id` (CONTRACT §0) — `/health`, `/ready`, 404s,
/// 405s and 401s included. What the router throws (no route, wrong method) becomes an OpenAI-shaped error
/// answer instead of Hummingbird's bare status.
struct RequestIDMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: GatewayRequestContext,
        next: (Request, GatewayRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let requestID = RequestID.resolve(request.headers[.requestID])
        context.requestID = requestID
        // The work around the await is in `@inline(never)` functions: this async frame is part of what a
        // stream's task keeps (`ModelRequestHandler`).
        do {
            return Self.identified(try await next(request, context), requestID: requestID)
        } catch let error as HTTPError {
            return Self.answer(error, request: request, requestID: requestID)
        }
    }

    @inline(never)
    private static func identified(_ response: Response, requestID: String) -> Response {
        var response = response
        if response.headers[.requestID] == nil { response.headers[.requestID] = requestID }
        return response
    }

    @inline(never)
    private static func answer(_ error: HTTPError, request: Request, requestID: String) -> Response {
        let gatewayError: GatewayError
        switch error.status {
        case .notFound:
            gatewayError = GatewayError(
                .notFound, "There is no \(request.method) \(request.uri.path) endpoint.", code: "unknown_url")
        case .methodNotAllowed:
            gatewayError = GatewayError(
                .invalidRequest, "\(request.uri.path) does not take \(request.method).", code: "method_not_allowed")
        default:
            gatewayError = GatewayError(
                error.status.code >= 500 ? .internalError : .invalidRequest,
                error.body ?? error.status.reasonPhrase)
        }
        var answer = OpenAIChatDialect.error(gatewayError, requestID: requestID)
        answer.status = error.status
        return answer
    }
}
