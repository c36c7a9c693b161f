import DialectOpenAI
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// OpenAI-dialect error answers (DESIGN.md "Error dialect follows the endpoint").
enum ErrorResponse {
    static func openAI(_ error: GatewayError, requestID: String, extraHeaders: HTTPFields = [:]) -> Response {
        let mapped = OpenAIErrors.status(for: error)
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        headers[.requestID] = requestID
        // Official SDKs retry 408/409/429/5xx on their own unless told a retry cannot help.
        if !error.isTransient { headers[.shouldRetry] = "false" }
        if let retryAfter = error.retryAfter, error.isTransient { headers[.retryAfterName] = retryAfter }
        let body = JSON.encode(OpenAIErrors.body(for: error))
        return Response(
            status: HTTPResponse.Status(code: mapped.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
