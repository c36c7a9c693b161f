import NIOCore

/// Bedrock's errors: `{"message":…}` plus `x-amzn-ErrorType: <Code>:http://internal.amazon.com/coral/com.amazon.bedrock/`
/// (`bedrock/error-*.json` and the manifest), added by `NativeErrors.answer`.
enum BedrockErrors {
    static let fixtures: [NativeErrorFixture] = [
        // error-400-validation.json
        NativeErrorFixture(
            name: "validation",
            status: 400,
            code: "ValidationException",
            message: "The provided model identifier is invalid."
        ),
        // error-403-access-denied.json
        NativeErrorFixture(
            name: "access_denied",
            status: 403,
            code: "AccessDeniedException",
            message: "You don't have access to the model with the specified model ID."
        ),
        // error-404-resource-not-found.json
        NativeErrorFixture(
            name: "resource_not_found",
            status: 404,
            code: "ResourceNotFoundException",
            message: "This model version has reached the end of its life. Please refer to the AWS documentation for more details."
        ),
        // error-408-model-timeout.json
        NativeErrorFixture(
            name: "model_timeout",
            status: 408,
            code: "ModelTimeoutException",
            message: "Model has timed out in processing the request. Try your request again."
        ),
        // error-424-model-error.json
        NativeErrorFixture(
            name: "model_error",
            status: 424,
            code: "ModelErrorException",
            message: "The model returned an error while processing the request.",
            extra: #""originalStatusCode":500,"resourceName":"anthropic.claude-sonnet-4-5-20250929-v1:0""#
        ),
        // error-429-throttling.json: no Retry-After, as the real service.
        NativeErrorFixture(
            name: "throttling",
            status: 429,
            code: "ThrottlingException",
            message: "Too many requests, please wait before trying again."
        ),
        // error-500-internal.json
        NativeErrorFixture(
            name: "internal",
            status: 500,
            code: "InternalServerException",
            message: "The system encountered an unexpected error during processing. Try your request again."
        ),
        // error-503-service-unavailable.json
        NativeErrorFixture(
            name: "service_unavailable",
            status: 503,
            code: "ServiceUnavailableException",
            message: "Bedrock is unable to process your request."
        ),
    ]

    static func generic(status: Int, message: String?) -> NativeErrorFixture {
        let code: String
        let text: String
        switch status {
        case 400: (code, text) = ("ValidationException", "The request is invalid.")
        case 403: (code, text) = ("AccessDeniedException", "You don't have access to the model with the specified model ID.")
        case 404: (code, text) = ("ResourceNotFoundException", "The requested resource was not found.")
        case 408: (code, text) = ("ModelTimeoutException", "Model has timed out in processing the request. Try your request again.")
        case 424: (code, text) = ("ModelErrorException", "The model returned an error while processing the request.")
        case 429: (code, text) = ("ThrottlingException", "Too many requests, please wait before trying again.")
        case 503: (code, text) = ("ServiceUnavailableException", "Bedrock is unable to process your request.")
        case 500...: (code, text) = ("InternalServerException", "The system encountered an unexpected error during processing. Try your request again.")
        default: (code, text) = ("ValidationException", "The request failed with status \(status).")
        }
        return NativeErrorFixture(name: "generic", status: status, code: code, message: message ?? text)
    }

    /// An authentication failure: always 403, with the exception naming what was wrong.
    static func forbidden(_ code: String, _ message: String) -> NativeErrorFixture {
        NativeErrorFixture(name: "auth", status: 403, code: code, message: message)
    }

    static func body(_ fixture: NativeErrorFixture) -> ByteBuffer {
        var json = JSONWriter(capacity: 160)
        json.object { json in
            json.field("message", fixture.message)
            // Extra members (`originalStatusCode`, `resourceName`) written as one pre-encoded run.
            if let extra = fixture.extra { json.raw(extra) }
        }
        return json.buffer
    }
}
