import NIOCore

/// Cohere's errors: `{"id":<uuid>,"message":…}` (`cohere/error-*.json`); the id is the request id.
enum CohereErrors {
    static let fixtures: [NativeErrorFixture] = [
        // error-400.json
        NativeErrorFixture(
            name: "invalid_request",
            status: 400,
            message: "invalid request: message must be at least 1 token long or tool results must be specified."
        ),
        // error-429.json
        NativeErrorFixture(
            name: "rate_limit",
            status: 429,
            message:
                "You are using a Trial key, which is limited to 10 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits."
        ),
    ]

    static func message(status: Int) -> String {
        switch status {
        case 400: return "invalid request"
        case 401: return "invalid api token"
        case 402: return "Please add or update your payment method to continue."
        case 403: return "You do not have access to this resource."
        case 404: return "model not found"
        case 422: return "unprocessable entity"
        case 429: return "You are past the rate limit. Please wait before retrying."
        case 498: return "invalid api token"
        case 500: return "internal server error, this has been reported to our developers"
        case 503: return "service unavailable"
        case 504: return "request timed out"
        default: return "request failed with status \(status)"
        }
    }

    static func body(_ fixture: NativeErrorFixture, id: String) -> ByteBuffer {
        var json = JSONWriter(capacity: 160)
        json.object { json in
            json.field("id", id)
            json.field("message", fixture.message)
        }
        return json.buffer
    }
}
