import SwitchyardCore

/// Gemini (Google RPC style) errors: `{"error": {"code", "message", "status", "details": […]}}` — reading a
/// provider's, classified per mapping.md §3.2, and writing the gateway's for Gemini-speaking clients.
public enum GeminiErrors {
    static let errorInfoType = "type.googleapis.com/google.rpc.ErrorInfo"
    static let retryInfoType = "type.googleapis.com/google.rpc.RetryInfo"
    static let quotaFailureType = "type.googleapis.com/google.rpc.QuotaFailure"

    /// HTTP status of each canonical gRPC code (Google's own mapping), for bodies that lack a usable `code`.
    static let httpStatus: [String: Int] = [
        "INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400, "UNAUTHENTICATED": 401,
        "PERMISSION_DENIED": 403, "NOT_FOUND": 404, "ABORTED": 409, "ALREADY_EXISTS": 409, "RESOURCE_EXHAUSTED": 429,
        "CANCELLED": 499, "INTERNAL": 500, "UNKNOWN": 500, "DATA_LOSS": 500, "UNIMPLEMENTED": 501, "UNAVAILABLE": 503,
        "DEADLINE_EXCEEDED": 504,
    ]

    /// An error answer. Proxies sometimes wrap the body in a one-element array; both forms are read.
    public static func decode(status: Int, headers: [(String, String)], body: some Collection<UInt8>) -> GatewayError {
        let json = try? JSON.parse(body)
        let envelope = json?.arrayValue?.first ?? json
        let retryAfter = headers.first { $0.0.lowercased() == "retry-after" }?.1
        return decode(error: envelope?["error"] ?? .null, status: status, retryAfterHeader: retryAfter)
    }

    /// The `error` object of an answer or of an in-stream `data:` event. `status` is the HTTP status when there was
    /// one (an in-stream error arrives under a 200 and only names its code in the body).
    static func decode(error: JSONValue, status: Int?, retryAfterHeader: String?) -> GatewayError {
        let googleStatus = error.field("status")?.stringValue ?? ""
        let bodyCode = error.field("code")?.intValue
        let http: Int
        if let status, status >= 400 {
            http = status
        } else {
            http = bodyCode.flatMap { $0 >= 400 ? $0 : nil } ?? httpStatus[googleStatus] ?? 500
        }
        let message = error.field("message")?.stringValue ?? error.stringValue ?? "The provider answered HTTP \(http)."
        let details = error.field("details")?.arrayValue ?? []
        let reasons = Set(details.filter { $0["@type"]?.stringValue == errorInfoType }.compactMap { $0["reason"]?.stringValue })
        let retryAfter = details.first { $0["@type"]?.stringValue == retryInfoType }.flatMap { retryDelaySeconds($0["retryDelay"]) }
            ?? retryAfterHeader
        let kind: GatewayError.Kind
        if reasons.contains("API_KEY_INVALID") || reasons.contains("API_KEY_EXPIRED") {
            // Gemini answers a bad key with 400, not 401 (gemini.md §6); it is the gateway's key, not the client's.
            kind = .upstreamAuthentication
        } else {
            switch http {
            case 400:
                if isContextOverflow(message) {
                    kind = .contextWindow
                } else if googleStatus == "FAILED_PRECONDITION" {
                    kind = .upstreamPermission  // free tier not offered in the region, billing off: another deployment may work
                } else {
                    kind = .invalidRequest
                }
            case 401: kind = .upstreamAuthentication
            case 403: kind = .upstreamPermission
            case 404: kind = .notFound
            case 408: kind = .timeout
            case 413: kind = .requestTooLarge
            case 429: kind = isQuotaExhausted(details) ? .quotaExhausted : .rateLimited
            case 503: kind = .overloaded
            case 504: kind = .timeout
            case 400..<500: kind = .invalidRequest
            default: kind = .upstreamError
            }
        }
        return GatewayError(
            kind, message, code: kind == .contextWindow ? "context_length_exceeded" : nil,
            retryAfter: retryAfter,
            upstreamStatus: http)
    }

    /// "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."
    static func isContextOverflow(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return (lowered.contains("input token count") && lowered.contains("exceed"))
            || lowered.contains("exceeds the maximum number of tokens")
    }

    /// A 429 whose quota will not come back within the minute: a per-day quota, or a quota whose limit is 0
    /// (the model is not offered on the key's tier at all). Per-minute quotas — free-tier ones included — are
    /// ordinary rate limits that `RetryInfo` says when to retry.
    static func isQuotaExhausted(_ details: [JSONValue]) -> Bool {
        let violations = details.filter { $0["@type"]?.stringValue == quotaFailureType }.flatMap { $0["violations"]?.arrayValue ?? [] }
        return violations.contains { violation in
            let names = [violation["quotaId"], violation["quotaMetric"]].compactMap { $0?.stringValue?.lowercased() }
            let daily = names.contains { $0.contains("perday") || $0.contains("per_day") || $0.contains("daily") }
            let zeroLimit = violation["quotaValue"]?.stringValue == "0" || violation["quotaValue"]?.intValue == 0
            return daily || zeroLimit
        }
    }

    /// `RetryInfo.retryDelay` as whole seconds for `retry-after`: `"37s"` → `"37"`, fractions rounded up so a
    /// client never retries early. The proto form `{"seconds": 37, "nanos": …}` is read too.
    static func retryDelaySeconds(_ delay: JSONValue?) -> String? {
        var seconds: Double?
        if let text = delay?.stringValue, text.hasSuffix("s") {
            seconds = Double(text.dropLast())
        } else if let object = delay?.objectValue {
            let whole = object["seconds"]?.doubleValue ?? object["seconds"]?.stringValue.flatMap(Double.init) ?? 0
            seconds = whole + (object["nanos"]?.doubleValue ?? 0) / 1e9
        }
        // "1e300s" or {"seconds": "1e300"} must neither trap nor be relayed: RetryHint clamps or drops it.
        return seconds.flatMap(RetryHint.wholeSeconds)
    }

    // MARK: Writing

    /// HTTP status and Google status for each class, for Gemini-speaking clients. Mirrors what Gemini itself sends
    /// (a bad key is 400 `API_KEY_INVALID`); upstream failures that are not the client's are 502 (DESIGN.md).
    public static func status(for error: GatewayError) -> (status: Int, googleStatus: String) {
        switch error.kind {
        case .invalidRequest, .contextWindow, .contentPolicy, .authentication: return (400, "INVALID_ARGUMENT")
        case .permission: return (403, "PERMISSION_DENIED")
        case .notFound: return (404, "NOT_FOUND")
        case .requestTooLarge: return (413, "INVALID_ARGUMENT")
        case .rateLimited, .quotaExhausted: return (429, "RESOURCE_EXHAUSTED")
        case .upstreamAuthentication, .upstreamPermission, .upstreamError: return (502, "INTERNAL")
        case .overloaded: return (503, "UNAVAILABLE")
        case .timeout: return (504, "DEADLINE_EXCEEDED")
        case .internalError: return (500, "INTERNAL")
        }
    }

    /// The `{"error": {…}}` body: `ErrorInfo` marks a bad key the way Gemini does, `RetryInfo` carries `retryAfter`.
    public static func body(for error: GatewayError) -> JSONValue {
        let mapped = status(for: error)
        var fields: [String: JSONValue] = [
            "code": .int(Int64(mapped.status)), "message": .string(error.message), "status": .string(mapped.googleStatus),
        ]
        var details: [JSONValue] = []
        if error.kind == .authentication {
            details.append(["@type": .string(errorInfoType), "reason": "API_KEY_INVALID", "domain": "googleapis.com"])
        }
        if let retryAfter = error.retryAfter, let seconds = Int(retryAfter) {
            details.append(["@type": .string(retryInfoType), "retryDelay": .string("\(seconds)s")])
        }
        if !details.isEmpty { fields["details"] = .array(details) }
        return ["error": .object(fields)]
    }
}
