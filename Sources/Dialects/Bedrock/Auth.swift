import Foundation

/// How a Bedrock deployment authenticates (DESIGN.md "Provider keys per kind").
public enum BedrockCredentials: Sendable, Hashable {
    /// A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK`), sent as `Authorization: Bearer`.
    case apiKey(String)
    /// IAM credentials; requests are SigV4-signed with signing name `bedrock`.
    case aws(AWSCredentials)
}

/// The auth headers for one Bedrock Runtime request.
public enum BedrockAuth {
    /// SigV4 signing name for Bedrock Runtime (not `bedrock-runtime`).
    public static let signingService = "bedrock"

    /// Headers to add to a request built from an `EncodedRequest`.
    ///
    /// With SigV4 the signature covers `host`, `content-type` (when given) and `x-amz-date`, so the request must
    /// carry exactly `host` and `contentType` as passed, and the exact `body` bytes; add no header afterwards
    /// that an HTTP client might rewrite. API keys need none of this.
    /// - Parameters:
    ///   - host: The URL's host, with `:port` when the port is not the scheme's default (fakes on loopback).
    ///   - path: `EncodedRequest.path` as it goes on the request line (model id already percent-encoded).
    ///   - date: The signing time; requests older than five minutes are refused, so use the current time.
    public static func headers(
        for credentials: BedrockCredentials, method: String = "POST", host: String, path: String,
        query: [(String, String)] = [], contentType: String? = "application/json", body: [UInt8], region: String,
        date: Date
    ) -> [(String, String)] {
        switch credentials {
        case .apiKey(let key):
            return [("authorization", "Bearer \(key)")]
        case .aws(let aws):
            var signed: [(String, String)] = [("host", host)]
            if let contentType { signed.append(("content-type", contentType)) }
            return SigV4.sign(
                method: method, path: path, query: query, headers: signed, body: body, credentials: aws,
                region: region, service: signingService, date: date
            ).headers
        }
    }
}
