import SwitchyardCore

/// The OpenAI Chat Completions dialect as a provider codec, for requests that arrive in another
/// dialect (an Anthropic client calling an OpenAI-family model). OpenAI-dialect clients calling
/// OpenAI-family providers skip it: that is the byte-level passthrough path.
public struct OpenAIChatCodec: ProviderCodec {
    public let usageFlavor: OpenAIUsage.Flavor

    public init(usageFlavor: OpenAIUsage.Flavor = .standard) {
        self.usageFlavor = usageFlavor
    }

    public func encodeRequest(_ request: ChatRequest, upstreamModel: String) throws(GatewayError) -> EncodedRequest {
        var request = request
        request.model = upstreamModel
        // Usage is needed to price the answer; the client's own preference is honoured by its encoder.
        if request.stream { request.includeUsage = true }
        return EncodedRequest(path: "/chat/completions", body: JSON.encode(OpenAIRequest.encode(request)))
    }

    public func decodeResponse(_ body: [UInt8]) throws(GatewayError) -> ChatResponse {
        try OpenAIResponse.decode(body, flavor: usageFlavor)
    }

    public func makeStreamDecoder() -> any ProviderStreamDecoder {
        OpenAIStreamDecoder(flavor: usageFlavor)
    }

    /// Finds the top-level `usage` without decoding the rest: the passthrough path never decodes answers.
    public func usage(ofAnswer body: UnsafeRawBufferPointer) -> Usage? {
        guard let fields = try? JSONScanner.topLevelFields(body),
            let field = fields.first(where: { $0.key == "usage" }), !JSONScanner.isNull(body, field.value)
        else { return nil }
        return OpenAIUsage.decode(body, field.value, flavor: usageFlavor)
    }

    public func decodeError(status: Int, headers: [(String, String)], body: [UInt8]) -> GatewayError {
        let retryAfter = headers.first { $0.0.lowercased() == "retry-after" }?.1
        return OpenAIErrors.decode(status: status, body: body, retryAfter: retryAfter)
    }
}
