import DialectOpenAI
import HTTPTypes
import Hummingbird
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Every answer carries `x-request-id` (CONTRACT §0) — `/health`, `/ready`, 404s and 405s included, not only
/// the model endpoints, which set their own. What the router throws (no route, wrong method) becomes an
/// OpenAI-shaped error answer instead of Hummingbird's bare status.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            var response = try await next(request, context)
            if response.headers[.requestID] == nil {
                response.headers[.requestID] = RequestID.resolve(request.headers[.requestID])
            }
            return response
        } catch let error as HTTPError {
            let requestID = RequestID.resolve(request.headers[.requestID])
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
            var answer = ErrorResponse.openAI(gatewayError, requestID: requestID)
            answer.status = error.status
            return answer
        }
    }
}
