import Foundation
import SwitchyardCore

/// The Bedrock Runtime Converse / ConverseStream dialect: `ProviderCodec` for the gateway, plus the inverse
/// directions (Converse request in, Converse response and stream out) for golden tests and the fake upstream.
/// Auth is separate (`BedrockAuth`): SigV4 must sign the exact bytes and path this codec produces.
public struct BedrockCodec: ProviderCodec {
    public init() {}

    /// `POST /model/{modelId}/converse` (or `/converse-stream` when `request.stream`), model id percent-encoded.
    public func encodeRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> EncodedRequest {
        let (adjusted, adjustments) = BedrockRequest.adjust(request, modelId: upstreamModel)
        let body = try BedrockRequest.encode(adjusted, modelId: upstreamModel)
        return EncodedRequest(
            path: BedrockRequest.path(modelId: upstreamModel, stream: request.stream), body: JSON.encode(body),
            adjustments: adjustments)
    }

    public func decodeResponse(_ body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try BedrockResponse.decode(body)
    }

    public func makeStreamDecoder() -> any ProviderStreamDecoder {
        BedrockStreamDecoder()
    }

    public func decodeError(status: Int, headers: [(String, String)], body: [UInt8]) -> GatewayError {
        BedrockErrors.decode(status: status, headers: headers, body: body)
    }

    // MARK: - Inverse directions

    /// A Converse request body as canonical; `modelId` and `stream` come from the request path.
    public func decodeRequest(_ body: [UInt8], modelId: String, stream: Bool) throws(GatewayError) -> ChatRequest {
        try BedrockRequest.decode(body, modelId: modelId, stream: stream)
    }

    /// A canonical answer as a Converse response body.
    public func encodeResponse(_ response: ChatResponse) throws(GatewayError) -> [UInt8] {
        JSON.encode(try BedrockResponse.encode(response))
    }

    /// A fresh writer of ConverseStream frames for one streamed answer.
    public func makeStreamEncoder() -> BedrockStreamEncoder {
        BedrockStreamEncoder()
    }
}
