import NIOCore

/// Google RPC errors: `{"error":{"code","message","status","details"?}}` (`gemini/error-*.json`).
/// A bad key is a 400 `API_KEY_INVALID` and a missing one a 403, as the real API answers.
enum GeminiErrors {
    static let fixtures: [NativeErrorFixture] = [
        // error-400-invalid-argument.json
        NativeErrorFixture(
            name: "invalid_argument",
            status: 400,
            code: "INVALID_ARGUMENT",
            message: "* GenerateContentRequest.contents: contents is not specified\n"
        ),
        // error-400-api-key-invalid.json
        NativeErrorFixture(
            name: "api_key_invalid",
            status: 400,
            code: "INVALID_ARGUMENT",
            message: "API key not valid. Please pass a valid API key.",
            extra:
                #"{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}},{"@type":"type.googleapis.com/google.rpc.LocalizedMessage","locale":"en-US","message":"API key not valid. Please pass a valid API key."}"#
        ),
        // error-400-missing-thought-signature.json
        NativeErrorFixture(
            name: "missing_thought_signature",
            status: 400,
            code: "INVALID_ARGUMENT",
            message:
                "Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:get_weather` , position 2."
        ),
        // error-403-permission-denied.json
        NativeErrorFixture(
            name: "permission_denied",
            status: 403,
            code: "PERMISSION_DENIED",
            message:
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."
        ),
        // error-404-not-found.json
        NativeErrorFixture(
            name: "not_found",
            status: 404,
            code: "NOT_FOUND",
            message:
                "models/gemini-9-pro is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."
        ),
        // error-429-resource-exhausted.json; the RetryInfo element is appended by `body`.
        NativeErrorFixture(
            name: "resource_exhausted",
            status: 429,
            code: "RESOURCE_EXHAUSTED",
            message:
                "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
            extra:
                #"{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaDimensions":{"location":"global","model":"gemini-2.5-flash"},"quotaValue":"10"}]},{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]}"#
        ),
        // error-500-internal.json
        NativeErrorFixture(
            name: "internal",
            status: 500,
            code: "INTERNAL",
            message: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
        ),
        // error-503-unavailable.json
        NativeErrorFixture(
            name: "unavailable",
            status: 503,
            code: "UNAVAILABLE",
            message: "The model is overloaded. Please try again later."
        ),
        // error-504-deadline-exceeded.json
        NativeErrorFixture(
            name: "deadline_exceeded",
            status: 504,
            code: "DEADLINE_EXCEEDED",
            message: "The request timed out. Please try again."
        ),
    ]

    /// Canonical gRPC status names per HTTP status.
    static func generic(status: Int, message: String?) -> NativeErrorFixture {
        let code: String
        switch status {
        case 400, 413: code = "INVALID_ARGUMENT"
        case 401: code = "UNAUTHENTICATED"
        case 403: code = "PERMISSION_DENIED"
        case 404: code = "NOT_FOUND"
        case 409: code = "ABORTED"
        case 429: code = "RESOURCE_EXHAUSTED"
        case 499: code = "CANCELLED"
        case 501: code = "UNIMPLEMENTED"
        case 502, 503: code = "UNAVAILABLE"
        case 504: code = "DEADLINE_EXCEEDED"
        case 500...: code = "INTERNAL"
        default: code = "FAILED_PRECONDITION"
        }
        return NativeErrorFixture(
            name: "generic",
            status: status,
            code: code,
            message: message ?? "Request failed with status \(status)."
        )
    }

    /// - Parameter retrySeconds: for 429s, the `RetryInfo.retryDelay`; nil leaves RetryInfo out.
    static func body(_ fixture: NativeErrorFixture, retrySeconds: Int?) -> ByteBuffer {
        var json = JSONWriter(capacity: 512)
        json.object { json in
            json.object("error") { json in
                Self.errorMembers(status: fixture.status, message: fixture.message, code: fixture.code, into: &json)
                let retry = fixture.status == 429 ? retrySeconds : nil
                if fixture.extra != nil || retry != nil {
                    json.array("details") { json in
                        if let extra = fixture.extra { json.raw(extra) }
                        if let retry {
                            json.object { json in
                                json.field("@type", "type.googleapis.com/google.rpc.RetryInfo")
                                json.field("retryDelay", "\(retry)s")
                            }
                        }
                    }
                }
            }
        }
        return json.buffer
    }

    /// `"code","message","status"` — shared with the in-stream error event.
    static func errorMembers(status: Int, message: String, code: String, into json: inout JSONWriter) {
        json.field("code", status)
        json.field("message", message)
        json.field("status", code)
    }
}
