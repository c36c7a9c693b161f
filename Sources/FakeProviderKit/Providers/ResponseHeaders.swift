import HTTPTypes

/// Response headers in each provider's style (from the manifests): OpenAI's request id and
/// rate-limit headers, Azure's `apim-request-id` and region, Anthropic's `request-id`,
/// Bedrock's `x-amzn-RequestId`, none for Gemini, a request id for everyone else.
enum ResponseHeaders {
    /// Built once: `HTTPField.Name(_:)` validates its argument, and these are constants.
    private static let names: [String: HTTPField.Name] = {
        let all = [
            "x-request-id", "openai-processing-ms", "openai-version", "x-ratelimit-limit-requests",
            "x-ratelimit-remaining-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
            "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens", "apim-request-id", "x-ms-region",
            "retry-after", "retry-after-ms", "request-id", "anthropic-organization-id", "x-amzn-RequestId",
            "x-amzn-ErrorType", "x-should-retry",
        ]
        var names: [String: HTTPField.Name] = [:]
        for name in all {
            if let field = HTTPField.Name(name) { names[name] = field }
        }
        return names
    }()

    static func name(_ name: String) -> HTTPField.Name? {
        Self.names[name] ?? HTTPField.Name(name)
    }

    /// A request id in the provider's format; Groq repeats it as `x_groq.id`.
    static func requestID(for provider: FakeProvider, _ random: inout RandomIDs) -> String {
        switch provider {
        case .openai, .openaiCompatible: return "req_" + random.hex(32)
        case .groq: return "req_01" + random.alphanumeric(24).lowercased()
        // `req_011CahFfpZtPBKYhSO5oDyfi`
        case .anthropic: return "req_011C" + random.alphanumeric(20)
        default: return random.uuid()
        }
    }

    static func make(
        provider: FakeProvider,
        contentType: String,
        requestID: String,
        extra: [(name: String, value: String)] = []
    ) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(12)
        fields[.contentType] = contentType
        switch provider {
        case .openai, .openaiCompatible:
            fields.append(requestID, "x-request-id")
            fields.append("12", "openai-processing-ms")
            fields.append("2020-10-01", "openai-version")
            fields.append("10000", "x-ratelimit-limit-requests")
            fields.append("9999", "x-ratelimit-remaining-requests")
            fields.append("30000000", "x-ratelimit-limit-tokens")
            fields.append("29999950", "x-ratelimit-remaining-tokens")
            fields.append("6ms", "x-ratelimit-reset-requests")
            fields.append("0s", "x-ratelimit-reset-tokens")
        case .azureOpenAI:
            fields.append(requestID, "apim-request-id")
            fields.append(requestID, "x-request-id")
            fields.append("Sweden Central", "x-ms-region")
            fields.append("79984", "x-ratelimit-remaining-tokens")
            fields.append("99", "x-ratelimit-remaining-requests")
        case .anthropic:
            // Errors carry only this; answers add the organization and rate-limit headers.
            fields.append(requestID, "request-id")
        case .bedrock:
            fields.append(requestID, "x-amzn-RequestId")
        case .gemini:
            // Google sends no request id header; the body's `responseId` identifies an answer.
            break
        default:
            fields.append(requestID, "x-request-id")
        }
        for (name, value) in extra {
            if let name = Self.name(name) {
                fields[name] = value
            }
        }
        return fields
    }
}

extension HTTPFields {
    fileprivate mutating func append(_ value: String, _ name: String) {
        if let name = ResponseHeaders.name(name) {
            self.append(HTTPField(name: name, value: value))
        }
    }
}
