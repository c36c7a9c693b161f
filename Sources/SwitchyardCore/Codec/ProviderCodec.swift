/// What the gateway sends to a provider for one request: a path below the provider's base URL
/// (query included), the body, and headers beyond auth and content type.
public struct EncodedRequest: Sendable {
    public var path: String
    public var body: [UInt8]
    public var headers: [(String, String)]
    /// Client parameters this provider cannot carry that the gateway honours another way (`Adjustment`).
    public var adjustments: [String]

    public init(path: String, body: [UInt8], headers: [(String, String)] = [], adjustments: [String] = []) {
        self.path = path
        self.body = body
        self.headers = headers
        self.adjustments = adjustments
    }
}

/// One provider wire format, to and from the canonical types. Implementations are pure: bytes in,
/// values out; they know nothing of HTTP clients, configuration or routing.
public protocol ProviderCodec: Sendable {
    /// The request for `upstreamModel`. Throws `.invalidRequest` naming the feature when the request
    /// uses something this provider cannot carry, rather than dropping it silently.
    func encodeRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> EncodedRequest
    /// A complete (non-streaming) answer.
    func decodeResponse(_ body: [UInt8]) throws(GatewayError) -> ChatResponse
    /// The usage in a complete answer, for answers forwarded as the provider's bytes (nil when it has none).
    func usage(ofAnswer body: UnsafeRawBufferPointer) -> Usage?
    /// A fresh decoder for one streamed answer.
    func makeStreamDecoder() -> any ProviderStreamDecoder
    /// An error answer (status ≥ 400), classified per mapping.md §3.2.
    func decodeError(status: Int, headers: [(String, String)], body: [UInt8]) -> GatewayError
}

/// Turns a provider's streamed bytes into canonical events, chunk by chunk (SSE or binary frames).
public protocol ProviderStreamDecoder: Sendable {
    /// Events completed by these bytes; a provider's in-stream error becomes `.error`.
    mutating func feed(_ bytes: [UInt8]) -> [StreamEvent]
    /// Events left when the provider closed the stream.
    mutating func finish() -> [StreamEvent]
}

extension ProviderCodec {
    /// Decodes the whole answer; codecs with a cheaper way to find `usage` override it.
    public func usage(ofAnswer body: UnsafeRawBufferPointer) -> Usage? {
        (try? decodeResponse(Array(body)))?.usage
    }
}
