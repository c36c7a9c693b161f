import SwitchyardCore

/// The Cohere v2 Chat dialect (`POST /v2/chat`): the provider direction the gateway uses (`ProviderCodec`)
/// and the inverse direction (decode a Cohere request, encode answers, streams and errors for a Cohere
/// client). Pure: bytes in, values out. The mapping choices are documented on `CohereRequest`,
/// `CohereResponse`, `CohereStreamDecoder`, `CohereStreamEncoder` and `CohereErrors`.
public struct CohereCodec: ProviderCodec {
    public init() {}

    // MARK: Provider direction

    public func encodeRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> EncodedRequest {
        let (adjusted, adjustments) = CohereRequest.adjust(request)
        let body = try CohereRequest.encode(adjusted, model: upstreamModel)
        return EncodedRequest(path: CohereRequest.path, body: JSON.encode(body), adjustments: adjustments)
    }

    public func decodeResponse(_ body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try CohereResponse.decode(body)
    }

    public func makeStreamDecoder() -> any ProviderStreamDecoder {
        CohereStreamDecoder()
    }

    public func decodeError(status: Int, headers: [(String, String)], body: [UInt8]) -> GatewayError {
        CohereErrors.decode(status: status, headers: headers, body: body)
    }

    // MARK: Inverse direction

    /// A Cohere client's request in canonical terms; Cohere fields without one stay in `extra`.
    public func decodeRequest(_ body: [UInt8]) throws(GatewayError) -> ChatRequest {
        try CohereRequest.decode(body)
    }

    /// A canonical answer as a Cohere response body. Throws `.invalidRequest` for content Cohere cannot carry.
    public func encodeResponse(_ response: ChatResponse) throws(GatewayError) -> [UInt8] {
        JSON.encode(try CohereResponse.encode(response))
    }

    /// A writer of canonical stream events as Cohere SSE, for one stream whose message id is `id`.
    public func makeStreamEncoder(id: String) -> CohereStreamEncoder {
        CohereStreamEncoder(id: id)
    }

    /// The HTTP status and body of a gateway error for a Cohere client; `id` is the request id.
    public func encodeError(_ error: GatewayError, id: String) -> (status: Int, body: [UInt8]) {
        let encoded = CohereErrors.encode(error, id: id)
        return (encoded.status, JSON.encode(encoded.body))
    }
}
