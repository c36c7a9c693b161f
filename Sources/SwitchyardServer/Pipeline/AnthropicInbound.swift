import DialectAnthropic
import DialectOpenAI
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

extension AnthropicStreamEncoder: ClientStreamEncoder {}

/// Anthropic Messages clients (`POST /v1/messages`): answers, streams and errors in Anthropic's shapes.
struct AnthropicInbound: InboundDialect {
    var streamContentType: String { "text/event-stream" }

    /// Ids are minted per dialect (mapping.md §6).
    static func messageID(_ requestID: String) -> String {
        "msg_" + requestID.filter { $0.isLetter || $0.isNumber }
    }

    func encodeResponse(_ response: ChatResponse, context: AnswerContext) -> [UInt8] {
        var response = response
        response.id = Self.messageID(context.requestID)
        return JSON.encode(AnthropicResponse.encode(response, model: context.plan.publicName))
    }

    func makeStreamEncoder(for request: ChatRequest, context: AnswerContext) -> any ClientStreamEncoder {
        AnthropicStreamEncoder(
            id: Self.messageID(context.requestID), model: context.plan.publicName,
            inputTokens: context.requestBytes / 4)
    }

    func errorResponse(_ error: GatewayError, requestID: String, headers: HTTPFields) -> Response {
        Self.error(error, requestID: requestID, extraHeaders: headers)
    }

    static func error(_ error: GatewayError, requestID: String, extraHeaders: HTTPFields = [:]) -> Response {
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        headers[.requestID] = requestID
        for (name, value) in AnthropicErrors.headers(for: error) {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        let status = AnthropicErrors.status(for: error).status
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSON.encode(AnthropicErrors.body(for: error, requestID: requestID)))))
    }
}
