import SwitchyardCore
import Crypto
import Foundation

/// Long-lived or temporary AWS credentials for SigV4 signing.
public struct AWSCredentials: Sendable, Hashable {
    public var accessKeyId: String
    public var secretAccessKey: String
    /// Present for temporary (STS) credentials; sent and signed as `x-amz-security-token`.
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// AWS Signature Version 4 in header form (bedrock.md §7). Pure: the caller passes the request exactly as it
/// will be sent plus a fixed time, and gets back the headers to add. Nothing may change a signed header or the
/// body afterwards.
public enum SigV4 {
    /// The result of signing, with the intermediate strings so they can be checked against known answers.
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        /// Lower-case hex HMAC-SHA256 of the string to sign.
        public var signature: String
        /// `x-amz-date`, `x-amz-security-token` (session credentials), `x-amz-content-sha256` (when asked for)
        /// and `authorization`, in that order; add them all to the request.
        public var headers: [(String, String)]
    }

    /// Signs a request.
    /// - Parameters:
    ///   - method: The HTTP method, e.g. `POST`.
    ///   - path: The path exactly as it goes on the request line, already percent-encoded
    ///     (`/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse`); it is encoded once more here.
    ///   - query: Decoded query parameters; empty for Converse.
    ///   - headers: Every header to sign, as it will be sent; must include `host` (with the port when it is not
    ///     the scheme's default). `content-type` should be included, as botocore does.
    ///   - body: The exact body bytes.
    ///   - service: The signing name, `bedrock` for Bedrock Runtime.
    ///   - includeContentSHA256: Also send and sign `x-amz-content-sha256` (required by S3, optional elsewhere).
    public static func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], body: [UInt8],
        credentials: AWSCredentials, region: String, service: String, date: Date, includeContentSHA256: Bool = false
    ) -> Signature {
        let amzDate = timestamp(date)
        let dateStamp = String(amzDate.prefix(8))
        let payloadHash = hexSHA256(body)

        var added: [(String, String)] = [("x-amz-date", amzDate)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        if includeContentSHA256 { added.append(("x-amz-content-sha256", payloadHash)) }

        // Same-named headers are sent as one comma-joined value, so they are signed that way.
        var canonicalHeaders: [String: String] = [:]
        for (name, value) in headers + added {
            let key = name.lowercased()
            let trimmed = normaliseHeaderValue(value)
            canonicalHeaders[key] = canonicalHeaders[key].map { "\($0),\(trimmed)" } ?? trimmed
        }
        let signedNames = canonicalHeaders.keys.sorted()
        let signedHeaders = signedNames.joined(separator: ";")

        let canonicalRequest = [
            method.uppercased(),
            canonicalURI(path),
            canonicalQuery(query),
            signedNames.map { "\($0):\(canonicalHeaders[$0] ?? "")\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(dateStamp)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, hexSHA256(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        let signingKey = signingKey(secret: credentials.secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        let signature = hex(hmac(key: signingKey, Array(stringToSign.utf8)))

        added.append((
            "authorization",
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        ))
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, headers: added)
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    static func signingKey(secret: String, dateStamp: String, region: String, service: String) -> [UInt8] {
        var key = Array("AWS4\(secret)".utf8)
        for part in [dateStamp, region, service, "aws4_request"] {
            key = hmac(key: key, Array(part.utf8))
        }
        return key
    }

    /// Each segment of the already-encoded path encoded again (`%3A` → `%253A`), as every service but S3 expects.
    static func canonicalURI(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false)
            .map { PercentEncoding.encodeUnreserved(String($0)) }
            .joined(separator: "/")
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { name, value in
            (PercentEncoding.encodeUnreserved(name), PercentEncoding.encodeUnreserved(value))
        }
        let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// Trims the value and collapses runs of spaces, per the canonical-headers rule.
    static func normaliseHeaderValue(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC, computed from the epoch so no calendar or locale is involved.
    static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = CivilDate.floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilDate.civil(fromDays: days)
        let pad = CivilDate.pad
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2)
            + pad(secondOfDay % 3600 / 60, 2) + pad(secondOfDay % 60, 2) + "Z"
    }

    static func hexSHA256(_ bytes: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: bytes)))
    }

    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = ""
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte >> 4)]))
            text.unicodeScalars.append(Unicode.Scalar(digits[Int(byte & 0x0F)]))
        }
        return text
    }
}
