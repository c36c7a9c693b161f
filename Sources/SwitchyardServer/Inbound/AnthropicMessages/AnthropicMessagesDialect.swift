import DialectAnthropic
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

extension AnthropicStreamEncoder: ClientStreamEncoder {}

/// Anthropic Messages clients (`POST /v1/messages` and `count_tokens`): Anthropic providers get the
/// client's bytes; the others get a translation, and the answer comes back as an Anthropic message or
/// event stream.
struct AnthropicMessagesDialect: InboundDialect {
    var dialect: Dialect { .anthropic }
    var streamContentType: String { "text/event-stream" }

    /// `x-api-key` (older SDKs) or `Authorization: Bearer` (newer ones).
    func credential(_ request: Request) -> [UInt8]? {
        request.headers[.xAPIKey].map { Array($0.utf8) } ?? Self.bearerCredential(request)
    }

    func errorResponse(_ error: GatewayError, requestID: String, headers: HTTPFields) -> Response {
        Self.error(error, requestID: requestID, extraHeaders: headers)
    }

    func parse(_ body: ByteBuffer, operation: ProviderOperation) throws(GatewayError) -> PassthroughRequest {
        try PassthroughRequest(body: body, required: ["messages"])
    }

    func forwardedHeaders(_ request: Request) -> [(String, String)] {
        var forwarded: [(String, String)] = [
            ("anthropic-version", request.headers[.anthropicVersion] ?? AnthropicCodec.apiVersion)
        ]
        if let beta = request.headers[.anthropicBeta] { forwarded.append(("anthropic-beta", beta)) }
        return forwarded
    }

    func passthroughBody(_ request: PassthroughRequest, model: String) -> ByteBuffer {
        request.upstreamBody(model: model, allocator: ByteBufferAllocator(), requestUsage: false)
    }

    func canonical(
        _ request: PassthroughRequest, operation: ProviderOperation, for deployment: Deployment, plan: RoutePlan
    ) throws(GatewayError) -> ChatRequest {
        if operation == .countTokens {
            throw GatewayError(
                .invalidRequest,
                "Token counting is only available for Anthropic models; '\(plan.publicName)' is served by \(deployment.provider.kind.name).")
        }
        return try request.body.withUnsafeReadableBytes { bytes throws(GatewayError) in try AnthropicRequest.decode(bytes) }
    }

    func passthroughStream(
        _ stream: UpstreamStream, request: PassthroughRequest, codec: any ProviderCodec, context: AnswerContext
    ) -> Response {
        ForwardedStream.response(
            stream, codec: codec, streamError: { AnthropicErrors.streamEvent(for: $0) }, context: context)
    }

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
