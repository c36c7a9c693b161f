import SwitchyardCore

/// Cohere errors, `{"id": uuid, "message": "…"}`: classifying a Cohere answer (mapping.md §3.2), and
/// writing the gateway's errors in Cohere's shape.
public enum CohereErrors {
    /// Phrases of Cohere's (and generic) context-overflow messages, lowercased.
    static let contextPhrases = [
        "too long", "too many tokens", "context length", "context window", "maximum context", "size limit exceeded",
    ]

    /// Phrases of Cohere's trial-key monthly limit: a 429 that waiting minutes will not cure.
    static let quotaPhrases = ["/ month", "per month", "monthly", "billing", "payment"]

    public static func decode(status: Int, headers: [(String, String)], body: some Collection<UInt8>) -> GatewayError {
        let json = try? JSON.parse(body)
        let text = String(decoding: body, as: UTF8.self).trimmingSpaces()
        let message =
            json?["message"]?.stringValue ?? json?["error"]?.stringValue ?? json?["error"]?["message"]?.stringValue
            ?? (json == nil && !text.isEmpty && text.utf8.count <= 512 ? text : "Cohere answered HTTP \(status).")
        let lowered = message.lowercased()
        let kind: GatewayError.Kind
        switch status {
        case 400, 422:
            kind = contextPhrases.contains(where: lowered.contains) ? .contextWindow : .invalidRequest
        case 401, 498: kind = .upstreamAuthentication
        case 402: kind = .quotaExhausted
        case 403: kind = .upstreamPermission
        case 404: kind = .notFound
        case 408: kind = .timeout
        case 413: kind = .requestTooLarge
        case 429: kind = quotaPhrases.contains(where: lowered.contains) ? .quotaExhausted : .rateLimited
        case 503: kind = .overloaded
        case 504: kind = .timeout
        default: kind = .upstreamError  // 499 (Cohere saw the connection close), 500, 501, other 5xx
        }
        let retryAfter = headers.first { $0.0.lowercased() == "retry-after" }?.1
        return GatewayError(kind, message, retryAfter: retryAfter, upstreamStatus: status)
    }

    /// The status a Cohere client gets for each class: Cohere's own statuses where it has one, and for the
    /// gateway's upstream failures the 5xx that mapping.md §3.1 gives them (never the upstream's 401).
    public static func status(for kind: GatewayError.Kind) -> Int {
        switch kind {
        case .invalidRequest, .contextWindow, .contentPolicy: return 400
        case .authentication: return 401
        case .quotaExhausted: return 402
        case .permission: return 403
        case .notFound: return 404
        case .requestTooLarge: return 413
        case .rateLimited: return 429
        case .internalError: return 500
        case .upstreamError, .upstreamAuthentication, .upstreamPermission: return 502
        case .overloaded: return 503
        case .timeout: return 504
        }
    }

    /// The status and `{"id", "message"}` body for a gateway error; `id` is the request id.
    public static func encode(_ error: GatewayError, id: String) -> (status: Int, body: JSONValue) {
        (status(for: error.kind), ["id": .string(id), "message": .string(error.message)])
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
