import NIOCore

/// Anthropic's errors: `{"type":"error","error":{"type","message","details"?},"request_id"}`
/// (`anthropic/error-*.json`), the `request_id` matching the `request-id` header.
enum AnthropicErrors {
    static let fixtures: [NativeErrorFixture] = [
        // error-400-invalid-request.json
        NativeErrorFixture(
            name: "invalid_request",
            status: 400,
            code: "invalid_request_error",
            message:
                "messages.1.content.0.tool_result: unexpected `tool_use_id` found in `tool_result` blocks. Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
        ),
        // error-400-temperature-removed.json
        NativeErrorFixture(
            name: "temperature_removed",
            status: 400,
            code: "invalid_request_error",
            message: "temperature: Extra inputs are not permitted"
        ),
        // error-401-authentication.json
        NativeErrorFixture(name: "authentication", status: 401, code: "authentication_error", message: "invalid x-api-key"),
        // error-403-permission.json
        NativeErrorFixture(
            name: "permission",
            status: 403,
            code: "permission_error",
            message: "Your API key does not have permission to use the specified resource."
        ),
        // error-404-not-found.json
        NativeErrorFixture(name: "not_found", status: 404, code: "not_found_error", message: "model: claude-sonnet-9-9"),
        // error-413-request-too-large.json
        NativeErrorFixture(
            name: "request_too_large",
            status: 413,
            code: "request_too_large",
            message: "Request exceeds the maximum allowed number of bytes."
        ),
        // error-429-rate-limit.json (retry-after is set by `NativeErrors.requested`)
        NativeErrorFixture(
            name: "rate_limit",
            status: 429,
            code: "rate_limit_error",
            message:
                "This request would exceed the rate limit for your organization of 400,000 output tokens per minute. Please reduce the prompt length or the maximum tokens requested, or try again later.",
            headers: [
                ("retry-after", "17"),
                ("anthropic-ratelimit-output-tokens-remaining", "0"),
                ("anthropic-ratelimit-output-tokens-reset", "2026-05-28T10:00:17Z"),
            ]
        ),
        // error-429-spend-limit.json: a 429 that must not be retried.
        NativeErrorFixture(
            name: "spend_limit",
            status: 429,
            code: "rate_limit_error",
            message: "Your organization has reached its monthly usage limit for its API tier.",
            extra: #"{"error_code":"enforced_spend_limit_reached"}"#
        ),
        // error-500-api-error.json
        NativeErrorFixture(name: "api_error", status: 500, code: "api_error", message: "Internal server error"),
        // error-504-timeout.json
        NativeErrorFixture(name: "timeout", status: 504, code: "timeout_error", message: "Request timed out"),
        // error-529-overloaded.json
        NativeErrorFixture(
            name: "overloaded",
            status: 529,
            code: "overloaded_error",
            message: "Overloaded",
            headers: [("x-should-retry", "true")]
        ),
    ]

    /// Error types per status (`anthropic.md` §5).
    static func generic(status: Int, message: String?) -> NativeErrorFixture {
        let code: String
        let text: String
        switch status {
        case 401: (code, text) = ("authentication_error", "invalid x-api-key")
        case 402: (code, text) = ("billing_error", "Your credit balance is too low to access the Anthropic API.")
        case 403: (code, text) = ("permission_error", "Your API key does not have permission to use the specified resource.")
        case 404: (code, text) = ("not_found_error", "Not Found")
        case 413: (code, text) = ("request_too_large", "Request exceeds the maximum allowed number of bytes.")
        case 429: (code, text) = ("rate_limit_error", "Number of request tokens has exceeded your rate limit.")
        case 504: (code, text) = ("timeout_error", "Request timed out")
        case 529: (code, text) = ("overloaded_error", "Overloaded")
        case 500...: (code, text) = ("api_error", "Internal server error")
        default: (code, text) = ("invalid_request_error", "Invalid request.")
        }
        return NativeErrorFixture(name: "generic", status: status, code: code, message: message ?? text)
    }

    static func body(_ fixture: NativeErrorFixture, requestID: String) -> ByteBuffer {
        var json = JSONWriter(capacity: 256)
        json.object { json in
            json.field("type", "error")
            json.object("error") { json in
                Self.errorMembers(type: fixture.code, message: fixture.message, details: fixture.extra, into: &json)
            }
            json.field("request_id", requestID)
        }
        return json.buffer
    }

    /// `"type","message"(,"details")` — shared with the in-stream `event: error`.
    static func errorMembers(type: String, message: String, details: StaticString?, into json: inout JSONWriter) {
        json.field("type", type)
        json.field("message", message)
        if let details { json.rawField("details", details) }
    }
}
