import Foundation
import SwitchyardCore

/// Bedrock errors (bedrock.md §6, mapping.md §3.2): HTTP error answers and in-stream exception frames read
/// into canonical classes, and canonical errors written back in Bedrock's shape (for the fake upstream).
public enum BedrockErrors {
    /// Classifies an HTTP error answer. The code comes from `x-amzn-ErrorType` (`Code:namespace`) as botocore
    /// reads it, else from the body's `__type` / `code`; the message from `message` or `Message`.
    public static func decode(status: Int, headers: [(String, String)], body: some Collection<UInt8>) -> GatewayError {
        let json = try? JSON.parse(body)
        let headerCode = headers.first { $0.0.lowercased() == "x-amzn-errortype" }?.1
        let code = (headerCode ?? json?["__type"]?.stringValue ?? json?["code"]?.stringValue).map(bareCode)
        let message =
            json?["message"]?.stringValue ?? json?["Message"]?.stringValue
            ?? "Bedrock answered HTTP \(status)\(code.map { " (\($0))" } ?? "")."
        let retryAfter = headers.first { $0.0.lowercased() == "retry-after" }?.1
        return GatewayError(
            kind(code: code, status: status, message: message), message, code: code, retryAfter: retryAfter,
            upstreamStatus: status)
    }

    /// An exception frame of a ConverseStream body (`:message-type: exception`, camelCase `:exception-type`),
    /// or an `error` frame (`:error-code`, `:error-message`).
    public static func decode(frame: EventStreamFrame) -> GatewayError {
        let json = try? JSON.parse(frame.payload)
        let code = frame.stringHeader(":exception-type") ?? frame.stringHeader(":error-code")
        var message =
            json?["message"]?.stringValue ?? json?["Message"]?.stringValue ?? frame.stringHeader(":error-message")
            ?? "Bedrock ended the stream with \(code ?? "an error")."
        // A model stream error wraps the model provider's own failure; keep it, it is the useful part.
        if let original = json?["originalMessage"]?.stringValue, !original.isEmpty, original != message {
            message += " (\(original))"
        }
        return GatewayError(
            kind(code: code, status: nil, message: message), message, code: code.map(capitalisedCode),
            upstreamStatus: json?["originalStatusCode"]?.intValue)
    }

    /// The canonical class for a Bedrock error code (either casing), falling back on the HTTP status.
    public static func kind(code: String?, status: Int?, message: String) -> GatewayError.Kind {
        let lowered = message.lowercased()
        switch code.map(capitalisedCode) {
        case "ValidationException":
            let contextSignals = ["input is too long", "too many input tokens", "prompt is too long", "context window", "context length"]
            return contextSignals.contains { lowered.contains($0) } ? .contextWindow : .invalidRequest
        case "ConflictException":
            return .invalidRequest
        case "ServiceQuotaExceededException":
            return .quotaExhausted
        case "AccessDeniedException":
            // The same code means "no access to this model" and "this bearer key is bad" (mapping.md §3.2).
            let credentialSignals = ["bearer", "api key", "token", "credential", "signature", "authenticat"]
            return credentialSignals.contains { lowered.contains($0) } ? .upstreamAuthentication : .upstreamPermission
        case "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
            "IncompleteSignatureException", "MissingAuthenticationTokenException", "ExpiredTokenException",
            "InvalidClientTokenId":
            return .upstreamAuthentication
        case "ResourceNotFoundException":
            return .notFound
        case "ModelTimeoutException":
            return .timeout
        case "ThrottlingException", "ModelNotReadyException", "TooManyRequestsException":
            return .rateLimited
        case "ServiceUnavailableException":
            return .overloaded
        case "ModelErrorException", "ModelStreamErrorException", "InternalServerException", "InternalFailure":
            return .upstreamError
        default:
            switch status {
            case 400: return .invalidRequest
            case 401: return .upstreamAuthentication
            case 403: return .upstreamPermission
            case 404: return .notFound
            case 408, 504: return .timeout
            case 413: return .requestTooLarge
            case 429: return .rateLimited
            case 503: return .overloaded
            default: return .upstreamError
            }
        }
    }

    /// A canonical error as Bedrock would send it: status, code (for `x-amzn-ErrorType`) and `{"message"}` body.
    public static func encode(_ error: GatewayError) -> (status: Int, code: String, body: JSONValue) {
        let (status, code): (Int, String)
        switch error.kind {
        case .invalidRequest, .contextWindow, .contentPolicy: (status, code) = (400, "ValidationException")
        case .quotaExhausted: (status, code) = (400, "ServiceQuotaExceededException")
        case .authentication, .upstreamAuthentication: (status, code) = (403, "UnrecognizedClientException")
        case .permission, .upstreamPermission: (status, code) = (403, "AccessDeniedException")
        case .notFound: (status, code) = (404, "ResourceNotFoundException")
        case .timeout: (status, code) = (408, "ModelTimeoutException")
        case .requestTooLarge: (status, code) = (413, "ValidationException")
        case .rateLimited: (status, code) = (429, "ThrottlingException")
        case .overloaded: (status, code) = (503, "ServiceUnavailableException")
        case .upstreamError, .internalError: (status, code) = (500, "InternalServerException")
        }
        return (status, code, ["message": .string(error.message)])
    }

    /// The `:exception-type` for an in-stream error: ConverseStream names only five exceptions, so the rest
    /// become an internal server error.
    public static func exceptionType(for error: GatewayError) -> String {
        switch error.kind {
        case .invalidRequest, .contextWindow, .contentPolicy, .requestTooLarge: return "validationException"
        case .rateLimited, .quotaExhausted: return "throttlingException"
        case .overloaded: return "serviceUnavailableException"
        case .upstreamError: return "modelStreamErrorException"
        default: return "internalServerException"
        }
    }

    /// `ThrottlingException` from `ThrottlingException:http://internal.amazon.com/coral/…` or
    /// `com.amazon.coral.service#ThrottlingException`.
    static func bareCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return String(code).trimmingCharacters(in: .whitespaces)
    }

    /// Stream exceptions use the union member name (`throttlingException`); HTTP errors the shape name.
    static func capitalisedCode(_ code: String) -> String {
        code.prefix(1).uppercased() + code.dropFirst()
    }
}
