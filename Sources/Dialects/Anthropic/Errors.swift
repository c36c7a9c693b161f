import SwitchyardCore

/// Anthropic-dialect errors: classifying an Anthropic upstream's error answer (mapping.md §3.2), and writing
/// the gateway's errors for Anthropic-dialect clients (mapping.md §3.1, Anthropic column).
public enum AnthropicErrors {
    // MARK: - Upstream errors → canonical

    /// Classifies an error answer: `{"type":"error","error":{"type","message","details":{"error_code"}}}`.
    /// `retry-after` (or `retry-after-ms`, rounded up to seconds) is kept for the client.
    public static func decode(status: Int, headers: [(String, String)] = [], body: some Collection<UInt8>) -> GatewayError {
        var error = decode(json: (try? JSON.parse(body)) ?? .null, status: status)
        error.retryAfter = retryAfter(headers)
        return error
    }

    /// Classifies a parsed error body; also used for in-stream `event: error` payloads, whose status is
    /// inferred from the error type.
    static func decode(json: JSONValue, status: Int?) -> GatewayError {
        let error = json["error"]
        let type = error?["type"]?.stringValue
        let status = status ?? type.flatMap { typeStatus[$0] } ?? 500
        let message = error?["message"]?.stringValue ?? "The provider answered HTTP \(status)."
        let errorCode = error?["details"]?["error_code"]?.stringValue
        let kind = classify(status: status, type: type, message: message, errorCode: errorCode)
        return GatewayError(kind, message, code: errorCode, upstreamStatus: status)
    }

    /// The HTTP status Anthropic pairs with each error type; in-stream errors carry only the type.
    static let typeStatus: [String: Int] = [
        "invalid_request_error": 400, "authentication_error": 401, "billing_error": 402, "permission_error": 403,
        "not_found_error": 404, "request_too_large": 413, "rate_limit_error": 429, "api_error": 500,
        "timeout_error": 504, "overloaded_error": 529,
    ]

    static func classify(status: Int, type: String?, message: String, errorCode: String?) -> GatewayError.Kind {
        // The type is more specific than the status where they disagree (Vertex and proxies send 503/500
        // with `overloaded_error`).
        switch type {
        case "overloaded_error": return .overloaded
        case "billing_error": return .quotaExhausted
        case "timeout_error": return .timeout
        default: break
        }
        switch status {
        case 400:
            let lowered = message.lowercased()
            if lowered.contains("prompt is too long") || lowered.contains("exceed context limit")
                || lowered.contains("context window")
            {
                return .contextWindow
            }
            return .invalidRequest
        case 401: return .upstreamAuthentication
        case 402: return .quotaExhausted
        case 403: return .upstreamPermission
        case 404: return .notFound
        case 408: return .timeout
        case 413: return .requestTooLarge
        case 429:
            // `enforced_spend_limit_reached` / `contract_spend_limit_reached`: no retry until the limit resets.
            return errorCode?.hasSuffix("_spend_limit_reached") == true ? .quotaExhausted : .rateLimited
        case 503, 529: return .overloaded
        case 504: return .timeout
        case 400..<500: return .invalidRequest
        default: return .upstreamError
        }
    }

    static func retryAfter(_ headers: [(String, String)]) -> String? {
        if let value = headers.first(where: { $0.0.lowercased() == "retry-after" })?.1 { return value }
        // `inf`, `1e308` or `-5` from a provider must not trap or reach the client: RetryHint drops them.
        return headers.first(where: { $0.0.lowercased() == "retry-after-ms" })
            .flatMap { Double($0.1) }
            .flatMap { RetryHint.wholeSeconds($0 / 1000) }
    }

    // MARK: - Gateway errors → Anthropic-dialect answers

    /// HTTP status and Anthropic `error.type` for each class. Upstream authentication/permission failures are
    /// the gateway's problem, never reported as the client's own 401/403.
    public static func status(for error: GatewayError) -> (status: Int, type: String) {
        switch error.kind {
        case .invalidRequest, .contextWindow, .contentPolicy: return (400, "invalid_request_error")
        case .authentication: return (401, "authentication_error")
        case .permission: return (403, "permission_error")
        case .notFound: return (404, "not_found_error")
        case .requestTooLarge: return (413, "request_too_large")
        case .rateLimited, .quotaExhausted: return (429, "rate_limit_error")
        case .upstreamAuthentication, .upstreamPermission: return (502, "api_error")
        case .upstreamError, .internalError: return (500, "api_error")
        case .overloaded: return (529, "overloaded_error")
        case .timeout: return (504, "timeout_error")
        }
    }

    /// `{"type":"error","error":{"type","message","details"?},"request_id"?}`. `details.error_code` relays a
    /// code only for quota limits, where the SDKs read it (`enforced_spend_limit_reached` raises its own
    /// non-retryable exception); elsewhere a code from upstream would mislead (an OpenAI code on a plain 429
    /// could make the SDK pick the wrong exception).
    public static func body(for error: GatewayError, requestID: String?) -> JSONValue {
        var fields: [String: JSONValue] = ["type": "error", "error": errorObject(for: error)]
        if let requestID { fields["request_id"] = .string(requestID) }
        return .object(fields)
    }

    /// Headers to send with an error answer: `retry-after` when known, and `x-should-retry: false` where a
    /// retry cannot help (the official SDKs otherwise retry every 429 and 5xx).
    public static func headers(for error: GatewayError) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let retryAfter = error.retryAfter { headers.append(("retry-after", retryAfter)) }
        if error.kind == .quotaExhausted || error.kind == .upstreamAuthentication || error.kind == .upstreamPermission {
            headers.append(("x-should-retry", "false"))
        }
        return headers
    }

    /// The in-stream form, `event: error`, sent when a failure happens after the response has begun.
    public static func streamEvent(for error: GatewayError) -> [UInt8] {
        SSEWriter.event(JSON.encode(["type": "error", "error": errorObject(for: error)]), name: "error")
    }

    static func errorObject(for error: GatewayError) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(status(for: error).type), "message": .string(error.message),
        ]
        if let code = error.code, error.kind == .quotaExhausted { object["details"] = ["error_code": .string(code)] }
        return .object(object)
    }
}
