import SwitchyardCore

/// The Anthropic Messages API as an upstream (`POST {base}/v1/messages`). Auth (`x-api-key`) and the client's
/// `anthropic-beta` header are the caller's to add; this sends `anthropic-version: 2023-06-01`, the version
/// under which sampling parameters are still accepted (the encoder drops them for models that reject them).
public struct AnthropicCodec: ProviderCodec {
    public static let apiVersion = "2023-06-01"
    public static let messagesPath = "/v1/messages"
    public static let countTokensPath = "/v1/messages/count_tokens"
    /// `max_tokens` when neither the request nor the caller gives one.
    public static let fallbackMaxTokens = 4096

    /// Fills the required `max_tokens` when the request has none; pass the catalog's max output for the model.
    public var defaultMaxTokens: Int

    public init(defaultMaxTokens: Int = AnthropicCodec.fallbackMaxTokens) {
        self.defaultMaxTokens = defaultMaxTokens
    }

    public func encodeRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> EncodedRequest {
        let body = try AnthropicRequest.encode(request, model: upstreamModel, defaultMaxTokens: defaultMaxTokens)
        // The encoder leaves thinking off when the tool loop's assistant turn lost its thinking block.
        let thinkingSent = ["enabled", "adaptive"].contains(body["thinking"]?["type"]?.stringValue ?? "")
        let dropped = request.asksForReasoning && !thinkingSent && request.lastToolLoopLacksSignedReasoning
        return EncodedRequest(
            path: Self.messagesPath, body: JSON.encode(body), headers: Self.headers,
            adjustments: dropped ? [Adjustment.thinking] : [])
    }

    /// `POST /v1/messages/count_tokens` for the request; its answer reads with `AnthropicCountTokens.decodeResponse`.
    public func encodeCountTokensRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError)
        -> EncodedRequest
    {
        let body = try AnthropicRequest.encodeCountTokens(request, model: upstreamModel)
        return EncodedRequest(path: Self.countTokensPath, body: JSON.encode(body), headers: Self.headers)
    }

    static let headers: [(String, String)] = [("anthropic-version", apiVersion)]

    public func decodeResponse(_ body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try AnthropicResponse.decode(body)
    }

    public func makeStreamDecoder() -> any ProviderStreamDecoder {
        AnthropicStreamDecoder()
    }

    public func decodeError(status: Int, headers: [(String, String)], body: [UInt8]) -> GatewayError {
        AnthropicErrors.decode(status: status, headers: headers, body: body)
    }
}

/// `POST /v1/messages/count_tokens`: the request decodes with `AnthropicRequest.decode` (same body, no
/// `max_tokens`); these are the answer's two directions.
public enum AnthropicCountTokens {
    /// `{"input_tokens": N}` for an Anthropic-dialect client.
    public static func encodeResponse(inputTokens: Int) -> JSONValue {
        ["input_tokens": .int(Int64(inputTokens))]
    }

    /// The count from an Anthropic upstream's answer.
    public static func decodeResponse(_ body: some Collection<UInt8>) throws(GatewayError) -> Int {
        guard let json = try? JSON.parse(body), let count = json["input_tokens"]?.intValue else {
            throw GatewayError(.upstreamError, "The provider's token count answer has no input_tokens.")
        }
        return count
    }
}
