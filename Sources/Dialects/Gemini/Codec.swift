import SwitchyardCore

/// The Gemini Developer API (`generateContent` / `streamGenerateContent`) as a provider, plus the inverse
/// directions for Gemini-speaking clients and golden tests. Pure: bytes in, values out.
public struct GeminiCodec: ProviderCodec {
    public init() {}

    // MARK: Provider direction

    public func encodeRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> EncodedRequest {
        // Gemini has no switch for parallel function calls: the gateway keeps the first (`SingleToolCall`).
        var request = request
        let serial = request.withholdSerialToolCalls()
        let body = try GeminiRequest.encode(request, upstreamModel: upstreamModel)
        return EncodedRequest(
            path: GeminiRequest.path(model: upstreamModel, stream: request.stream), body: JSON.encode(body),
            adjustments: serial.map { [$0] } ?? [])
    }

    public func decodeResponse(_ body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try GeminiResponse.decode(body)
    }

    public func makeStreamDecoder() -> any ProviderStreamDecoder {
        GeminiStreamDecoder()
    }

    public func decodeError(status: Int, headers: [(String, String)], body: [UInt8]) -> GatewayError {
        GeminiErrors.decode(status: status, headers: headers, body: body)
    }

    // MARK: Client direction

    /// A Gemini client's request body; the model and streaming come from its URL
    /// (`/models/{model}:generateContent` or `:streamGenerateContent`).
    public func decodeRequest(_ body: [UInt8], model: String, stream: Bool) throws(GatewayError) -> ChatRequest {
        try GeminiRequest.decode(body, model: model, stream: stream)
    }

    /// A whole answer as Gemini JSON.
    public func encodeResponse(_ response: ChatResponse) throws(GatewayError) -> [UInt8] {
        JSON.encode(try GeminiResponse.encode(response))
    }

    /// A fresh encoder for one streamed answer.
    public func makeStreamEncoder(id: String = "", model: String = "", adoptsUpstreamIdentity: Bool = true)
        -> GeminiStreamEncoder
    {
        GeminiStreamEncoder(id: id, model: model, adoptsUpstreamIdentity: adoptsUpstreamIdentity)
    }

    /// A gateway error as Gemini's HTTP status and body.
    public func encodeError(_ error: GatewayError) -> (status: Int, body: [UInt8]) {
        (GeminiErrors.status(for: error).status, JSON.encode(GeminiErrors.body(for: error)))
    }
}
