import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// One API clients speak (OpenAI Chat Completions, Anthropic Messages; the Responses API next): everything
/// the generic handler needs that differs per inbound dialect — where the key is, what a request must
/// hold, the error shape, how its bytes are forwarded to a provider of the same dialect, how it decodes to
/// canonical types for the others, and how answers and streams are written back (DESIGN.md "Error dialect
/// follows the endpoint").
protocol InboundDialect: Sendable {
    /// The wire format: providers that speak it get the client's bytes.
    var dialect: Dialect { get }
    /// The credential the client presented; nil when it sent none.
    func credential(_ request: Request) -> [UInt8]?
    func errorResponse(_ error: GatewayError, requestID: String, headers: HTTPFields) -> Response

    /// Reads the body just far enough to route it; throws what the dialect refuses.
    func parse(_ body: ByteBuffer, operation: ProviderOperation) throws(GatewayError) -> PassthroughRequest
    /// Client headers a provider of this dialect must see too.
    func forwardedHeaders(_ request: Request) -> [(String, String)]
    /// The body for a provider of this dialect: the client's bytes, the model replaced.
    func passthroughBody(_ request: PassthroughRequest, model: String) -> ByteBuffer
    /// The canonical request for a provider of another dialect, or the error when `operation` cannot be
    /// translated for it.
    func canonical(
        _ request: PassthroughRequest, operation: ProviderOperation, for deployment: Deployment, plan: RoutePlan
    ) throws(GatewayError) -> ChatRequest

    /// A same-dialect provider's stream, forwarded.
    func passthroughStream(
        _ stream: UpstreamStream, request: PassthroughRequest, codec: any ProviderCodec, context: AnswerContext
    ) -> Response
    /// A translated answer, encoded in this dialect.
    func encodeResponse(_ response: ChatResponse, context: AnswerContext) -> [UInt8]
    /// An encoder for a translated stream.
    func makeStreamEncoder(for request: ChatRequest, context: AnswerContext) -> any ClientStreamEncoder
    /// Content type of a translated stream.
    var streamContentType: String { get }
}

/// Writes canonical stream events in a client's dialect.
protocol ClientStreamEncoder: Sendable {
    mutating func encode(_ event: StreamEvent) -> [UInt8]
    /// The end of a stream that finished normally.
    mutating func finish() -> [UInt8]
}

extension InboundDialect {
    /// `Authorization: Bearer <key>`.
    static func bearerCredential(_ request: Request) -> [UInt8]? {
        guard let header = request.headers[.authorization] else { return nil }
        let prefix = "Bearer "
        return header.hasPrefix(prefix) ? Array(header.utf8.dropFirst(prefix.utf8.count)) : []
    }
}
