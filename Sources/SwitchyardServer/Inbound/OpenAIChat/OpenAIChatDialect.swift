import DialectOpenAI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

extension OpenAIStreamEncoder: ClientStreamEncoder {}

/// OpenAI API clients: `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`. OpenAI-dialect
/// providers get the client's bytes (the fast path); chat requests to the others are translated.
struct OpenAIChatDialect: InboundDialect {
    var dialect: Dialect { .openai }
    var streamContentType: String { "text/event-stream" }

    func credential(_ request: Request) -> [UInt8]? { Self.bearerCredential(request) }

    func errorResponse(_ error: GatewayError, requestID: String, headers: HTTPFields) -> Response {
        Self.error(error, requestID: requestID, extraHeaders: headers)
    }

    /// OpenAI's error shape and status, with the hints the official SDKs read.
    static func error(_ error: GatewayError, requestID: String, extraHeaders: HTTPFields = [:]) -> Response {
        let mapped = OpenAIErrors.status(for: error)
        var headers = extraHeaders
        headers[.contentType] = "application/json"
        headers[.requestID] = requestID
        // Official SDKs retry 408/409/429/5xx on their own unless told a retry cannot help.
        if !error.isTransient { headers[.shouldRetry] = "false" }
        if let retryAfter = error.retryAfter, error.isTransient { headers[.retryAfterName] = retryAfter }
        return Response(
            status: HTTPResponse.Status(code: mapped.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSON.encode(OpenAIErrors.body(for: error)))))
    }

    func parse(_ body: ByteBuffer, operation: ProviderOperation) throws(GatewayError) -> PassthroughRequest {
        let required: String
        switch operation {
        case .completions: required = "prompt"
        case .embeddings: required = "input"
        default: required = "messages"
        }
        let parsed = try PassthroughRequest(body: body, required: [required])
        if parsed.stream, operation == .embeddings {
            throw GatewayError(.invalidRequest, "Embeddings cannot be streamed.", param: "stream")
        }
        return parsed
    }

    func forwardedHeaders(_ request: Request) -> [(String, String)] { [] }

    /// With `stream_options.include_usage` set for streams, so the gateway can price the answer.
    func passthroughBody(_ request: PassthroughRequest, model: String) -> ByteBuffer {
        request.upstreamBody(model: model, allocator: ByteBufferAllocator())
    }

    func canonical(
        _ request: PassthroughRequest, operation: ProviderOperation, for deployment: Deployment, plan: RoutePlan
    ) throws(GatewayError) -> ChatRequest {
        guard operation == .chatCompletions else {
            throw GatewayError(
                .invalidRequest,
                "Provider '\(deployment.provider.name)' (\(deployment.provider.kind.name)) does not serve this endpoint.")
        }
        return try request.body.withUnsafeReadableBytes { bytes throws(GatewayError) in try OpenAIRequest.decode(bytes) }
    }

    func passthroughStream(
        _ stream: UpstreamStream, request: PassthroughRequest, codec: any ProviderCodec, context: AnswerContext
    ) -> Response {
        RelayedStream.response(
            stream, request: request, flavor: (codec as? OpenAIChatCodec)?.usageFlavor ?? .standard, context: context)
    }

    /// Ids are minted per dialect (mapping.md §6); the provider's own id stays in the logs.
    static func completionID(_ requestID: String) -> String {
        "chatcmpl-" + requestID.filter { $0.isLetter || $0.isNumber }
    }

    func encodeResponse(_ response: ChatResponse, context: AnswerContext) -> [UInt8] {
        var response = response
        response.id = Self.completionID(context.requestID)
        if response.model.isEmpty { response.model = context.deployment.upstreamModel }
        return JSON.encode(OpenAIResponse.encode(response))
    }

    func makeStreamEncoder(for request: ChatRequest, context: AnswerContext) -> any ClientStreamEncoder {
        OpenAIStreamEncoder(
            id: Self.completionID(context.requestID), model: context.deployment.upstreamModel,
            created: Int(Date.now.timeIntervalSince1970), includeUsage: request.includeUsage,
            adoptsUpstreamIdentity: false)
    }
}
