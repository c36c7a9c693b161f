import SwitchyardCore
/// OpenAI-dialect errors: reading a provider's error answer, and writing the gateway's errors.
public enum OpenAIErrors {
    /// Classifies an OpenAI-family provider's error answer (mapping.md §3.2).
    public static func decode(status: Int, body: some Collection<UInt8>, retryAfter: String? = nil) -> GatewayError {
        let json = try? JSON.parse(body)
        let error = json?["error"]
        let message =
            error?["message"]?.stringValue ?? json?["message"]?.stringValue ?? error?.stringValue
            ?? json?["detail"].map(JSON.encodeString) ?? "The provider answered HTTP \(status)."
        let code = error?["code"]?.stringValue ?? error?["code"]?.intValue.map(String.init)
        let type = error?["type"]?.stringValue
        let lowered = message.lowercased()
        let kind: GatewayError.Kind
        switch status {
        case 400, 422:
            if code == "context_length_exceeded" || lowered.contains("maximum context length")
                || lowered.contains("context length")
            {
                kind = .contextWindow
            } else if code == "content_filter" || code == "content_policy_violation" || code == "invalid_prompt" {
                kind = .contentPolicy
            } else {
                kind = .invalidRequest
            }
        case 401: kind = .upstreamAuthentication
        case 402: kind = .quotaExhausted
        case 403: kind = .upstreamPermission
        case 404: kind = .notFound
        case 408: kind = .timeout
        case 413: kind = .requestTooLarge
        case 429:
            kind = (code == "insufficient_quota" || type == "insufficient_quota") ? .quotaExhausted : .rateLimited
        case 503, 529: kind = .overloaded
        case 504: kind = .timeout
        default: kind = .upstreamError
        }
        return GatewayError(kind, message, param: error?["param"]?.stringValue, code: code, retryAfter: retryAfter, upstreamStatus: status)
    }

    /// HTTP status, OpenAI `type` and default `code` for each class (mapping.md §3.1).
    public static func status(for error: GatewayError) -> (status: Int, type: String, code: String?) {
        switch error.kind {
        case .invalidRequest: return (400, "invalid_request_error", nil)
        case .contextWindow: return (400, "invalid_request_error", "context_length_exceeded")
        case .contentPolicy: return (400, "invalid_request_error", "content_policy_violation")
        case .authentication: return (401, "invalid_request_error", "invalid_api_key")
        case .permission: return (403, "permission_error", nil)
        case .notFound: return (404, "invalid_request_error", "model_not_found")
        case .requestTooLarge: return (413, "invalid_request_error", "request_too_large")
        case .rateLimited: return (429, "requests", "rate_limit_exceeded")
        case .quotaExhausted: return (429, "insufficient_quota", "insufficient_quota")
        case .upstreamAuthentication: return (502, "server_error", "upstream_auth_failed")
        case .upstreamPermission: return (502, "server_error", "upstream_permission_denied")
        case .upstreamError: return (502, "server_error", "upstream_error")
        case .overloaded: return (503, "server_error", "overloaded")
        case .timeout: return (504, "server_error", "timeout")
        case .internalError: return (500, "server_error", nil)
        }
    }

    /// Classes whose code is the gateway's own: an upstream's code (`invalid_api_key`) would mislead the client
    /// about its own credentials.
    static func ownCode(_ kind: GatewayError.Kind) -> Bool {
        kind == .upstreamAuthentication || kind == .upstreamPermission || kind == .upstreamError
            || kind == .timeout || kind == .overloaded
    }

    /// The `{"error": {...}}` body for a gateway error.
    public static func body(for error: GatewayError) -> JSONValue {
        let mapped = status(for: error)
        return [
            "error": [
                "message": .string(error.message),
                "type": .string(error.openAIType ?? mapped.type),
                "param": error.param.map(JSONValue.string) ?? .null,
                "code": (ownCode(error.kind) ? mapped.code : error.code ?? mapped.code).map(JSONValue.string) ?? .null,
            ]
        ]
    }
}
