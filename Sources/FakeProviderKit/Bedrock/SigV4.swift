import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import NIOCore

/// AWS Signature Version 4, header form (`bedrock.md` §7), from the verifying side: rebuilds
/// the canonical request from what arrived and recomputes the signature with a known secret.
enum SigV4 {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex`.
    struct Authorization: Equatable {
        let accessKeyID: String
        let date: String
        let region: String
        let service: String
        let signedHeaders: [String]
        let signature: String

        var scope: String { "\(self.date)/\(self.region)/\(self.service)/aws4_request" }

        /// nil when the header is not SigV4 or misses a part.
        init?(_ header: String) {
            let prefix = "AWS4-HMAC-SHA256 "
            guard header.hasPrefix(prefix) else { return nil }
            var parts: [Substring: Substring] = [:]
            for component in header.dropFirst(prefix.count).split(separator: ",") {
                let trimmed = component.drop { $0 == " " }
                guard let equals = trimmed.firstIndex(of: "=") else { return nil }
                parts[trimmed[..<equals]] = trimmed[trimmed.index(after: equals)...]
            }
            guard let credential = parts["Credential"], let signedHeaders = parts["SignedHeaders"], let signature = parts["Signature"] else {
                return nil
            }
            let scope = credential.split(separator: "/", omittingEmptySubsequences: false)
            guard scope.count == 5, scope[4] == "aws4_request", !scope[0].isEmpty else { return nil }
            self.accessKeyID = String(scope[0])
            self.date = String(scope[1])
            self.region = String(scope[2])
            self.service = String(scope[3])
            self.signedHeaders = signedHeaders.split(separator: ";").map { $0.lowercased() }
            self.signature = String(signature)
        }
    }

    /// The six-line canonical request.
    ///
    /// - Parameters:
    ///   - path: the path as sent (already percent-encoded); it is URI-encoded once more, as for
    ///     every service but S3 — so `%3A` becomes `%253A`.
    ///   - query: the raw query string, if any.
    ///   - headers: the signed headers' values by lower-cased name, in any order.
    static func canonicalRequest(
        method: String,
        path: Substring,
        query: Substring?,
        headers: [(name: String, value: String)],
        payloadHash: String
    ) -> String {
        let canonicalURI = path.isEmpty ? "/" : PercentEncoding.encode(path, keepSlash: true)
        var parameters: [(name: String, value: String)] = []
        for pair in (query ?? "").split(separator: "&") {
            let equals = pair.firstIndex(of: "=") ?? pair.endIndex
            let rawName = pair[..<equals]
            let rawValue = equals == pair.endIndex ? "" : pair[pair.index(after: equals)...]
            // Decode first so a value the client already encoded is not encoded twice.
            let name = PercentEncoding.decode(rawName) ?? String(rawName)
            let value = PercentEncoding.decode(rawValue) ?? String(rawValue)
            parameters.append((PercentEncoding.encode(name[...], keepSlash: false), PercentEncoding.encode(value[...], keepSlash: false)))
        }
        parameters.sort { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        let canonicalQuery = parameters.map { $0.name + "=" + $0.value }.joined(separator: "&")
        let sorted = headers.sorted { $0.name < $1.name }
        let canonicalHeaders = sorted.map { "\($0.name):\(Self.normalize($0.value))\n" }.joined()
        let signedHeaders = sorted.map(\.name).joined(separator: ";")
        return [method, canonicalURI, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
    }

    static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n" + Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
    }

    /// `HMAC(kSigning, stringToSign)` in lower-case hex, the key derived from the secret through
    /// date, region, service and `aws4_request`.
    static func signature(secret: String, date: String, region: String, service: String, stringToSign: String) -> String {
        var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
        for part in [date, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }

    static func payloadHash(_ body: ByteBuffer) -> String {
        Self.hex(SHA256.hash(data: Array(body.readableBytesView)))
    }

    /// Trimmed, inner runs of spaces collapsed to one.
    private static func normalize(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension NativeResponder {
    /// Bedrock takes a Bedrock API key (`Authorization: Bearer …`) or a SigV4 signature. SigV4 is
    /// checked for form (credential scoped to service `bedrock`, `host` signed, `x-amz-date`
    /// present and matching the scope's date); with `sigv4_secret=` also for the signature
    /// itself. `key=` names the only accepted API key, or the only accepted access key id.
    /// Every refusal is a 403, each with the exception AWS uses for it.
    func admitBedrock(head: HTTPRequest, body: ByteBuffer) -> Response? {
        guard let header = self.headers["authorization"], !header.isEmpty else {
            return self.error(BedrockErrors.forbidden("MissingAuthenticationTokenException", "Missing Authentication Token"))
        }
        if let token = Self.bearerToken(header) {
            if let required = self.knobs.requiredKey, token != required {
                return self.error(BedrockErrors.forbidden("AccessDeniedException", "Authentication failed: Please make sure your API Key is valid."))
            }
            return nil
        }
        guard let authorization = SigV4.Authorization(header) else {
            return self.error(
                BedrockErrors.forbidden(
                    "IncompleteSignatureException",
                    "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters. Authorization=\(header)"
                )
            )
        }
        guard let amzDate = self.headers["x-amz-date"] else {
            return self.error(
                BedrockErrors.forbidden(
                    "IncompleteSignatureException",
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=\(header)"
                )
            )
        }
        guard authorization.service == "bedrock" else {
            return self.error(BedrockErrors.forbidden("InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'. "))
        }
        guard amzDate.hasPrefix(authorization.date), authorization.date.count == 8 else {
            return self.error(
                BedrockErrors.forbidden(
                    "InvalidSignatureException",
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                        + "'\(authorization.date)' != '\(amzDate.prefix(8))', from '\(amzDate)'."
                )
            )
        }
        guard authorization.signedHeaders.contains("host") else {
            return self.error(
                BedrockErrors.forbidden("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
            )
        }
        if let required = self.knobs.requiredKey, authorization.accessKeyID != required {
            return self.error(BedrockErrors.forbidden("UnrecognizedClientException", "The security token included in the request is invalid."))
        }
        guard let secret = self.knobs.sigV4Secret else { return nil }

        let target = head.path ?? "/"
        let question = target.firstIndex(of: "?")
        let path = target[..<(question ?? target.endIndex)]
        let query = question.map { target[target.index(after: $0)...] }
        let signed = authorization.signedHeaders.map { name -> (name: String, value: String) in
            // HTTP/1 `Host` arrives as the request's authority.
            if name == "host" { return (name, head.authority ?? "") }
            let values = HTTPField.Name(name).map { head.headerFields[values: $0] } ?? []
            return (name, values.map { $0.split(separator: " ").joined(separator: " ") }.joined(separator: ","))
        }
        let canonical = SigV4.canonicalRequest(
            method: head.method.rawValue,
            path: path,
            query: query,
            headers: signed,
            payloadHash: SigV4.payloadHash(body)
        )
        let expected = SigV4.signature(
            secret: secret,
            date: authorization.date,
            region: authorization.region,
            service: authorization.service,
            stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: authorization.scope, canonicalRequest: canonical)
        )
        guard expected == authorization.signature else {
            return self.error(
                BedrockErrors.forbidden(
                    "InvalidSignatureException",
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key "
                        + "and signing method. Consult the service documentation for details."
                )
            )
        }
        return nil
    }
}
