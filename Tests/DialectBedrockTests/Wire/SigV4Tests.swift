import Foundation
import Testing
@testable import DialectBedrock
import SwitchyardCore

/// The known-answer example computed by botocore (`sigv4-worked-example.txt`).
struct SigV4WorkedExample {
    var body: String
    var bodyHash: String
    var canonicalRequest: String
    var stringToSign: String
    var authorization: String
    var amzDate: String

    init(_ text: String) throws {
        let lines = text.components(separatedBy: "\n")
        func section(_ title: String) throws -> String {
            let start = try #require(lines.firstIndex(of: "=== \(title) ===")) + 1
            let end = lines[start...].firstIndex { $0.hasPrefix("===") } ?? lines.endIndex
            return lines[start..<end].joined(separator: "\n")
        }
        func value(_ prefix: String) throws -> String {
            String(try #require(lines.first { $0.hasPrefix(prefix) }).dropFirst(prefix.count))
        }
        body = try value("BODY: ")
        bodyHash = try value("SHA256(body): ")
        canonicalRequest = try section("canonical request")
        stringToSign = try section("string to sign").trimmingCharacters(in: .newlines)
        authorization = try value("Authorization: ")
        amzDate = try value("X-Amz-Date: ")
    }
}

@Suite struct SigV4Tests {
    static let date = Date(timeIntervalSince1970: 1_768_478_400)  // 2026-01-15T12:00:00Z
    static let credentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let host = "bedrock-runtime.us-east-1.amazonaws.com"

    @Test func workedExampleMatchesBotocore() throws {
        let example = try SigV4WorkedExample(try BedrockFixtures.text("sigv4-worked-example.txt"))
        let body = try BedrockFixtures.bytes("converse-request-minimal.json")
        // The example signs the compact body; the fixture file is the same request pretty-printed.
        #expect(try JSON.parse(body) == (try JSON.parse(example.body)))
        let path = BedrockRequest.path(modelId: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", stream: false)
        #expect(path == "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse")
        let signed = SigV4.sign(
            method: "POST", path: path, headers: [("Content-Type", "application/json"), ("Host", Self.host)],
            body: Array(example.body.utf8), credentials: Self.credentials, region: "us-east-1", service: "bedrock",
            date: Self.date)
        #expect(SigV4.hexSHA256(Array(example.body.utf8)) == example.bodyHash)
        #expect(signed.canonicalRequest == example.canonicalRequest)
        #expect(signed.canonicalRequest.contains("v1%253A0/converse"))
        #expect(signed.stringToSign == example.stringToSign)
        let headers = Dictionary(uniqueKeysWithValues: signed.headers)
        #expect(headers["x-amz-date"] == example.amzDate)
        #expect(headers["authorization"] == example.authorization)
        #expect(headers["x-amz-security-token"] == nil)
        #expect(headers["x-amz-content-sha256"] == nil)
    }

    @Test func sessionTokenIsSentAndSigned() {
        var credentials = Self.credentials
        credentials.sessionToken = "FQoGZXIvYXdzEXAMPLE"
        let signed = SigV4.sign(
            method: "POST", path: "/model/m/converse", headers: [("host", Self.host)], body: [],
            credentials: credentials, region: "eu-west-1", service: "bedrock", date: Self.date,
            includeContentSHA256: true)
        let headers = Dictionary(uniqueKeysWithValues: signed.headers)
        #expect(headers["x-amz-security-token"] == "FQoGZXIvYXdzEXAMPLE")
        #expect(headers["x-amz-content-sha256"] == SigV4.hexSHA256([]))
        #expect(signed.canonicalRequest.contains("x-amz-security-token:FQoGZXIvYXdzEXAMPLE\n"))
        #expect(headers["authorization"]?.contains(
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") == true)
        #expect(headers["authorization"]?.contains("Credential=AKIDEXAMPLE/20260115/eu-west-1/bedrock/aws4_request") == true)
        // Unsigned, the same request gets a different signature: the token is covered.
        let unsigned = SigV4.sign(
            method: "POST", path: "/model/m/converse", headers: [("host", Self.host)], body: [],
            credentials: Self.credentials, region: "eu-west-1", service: "bedrock", date: Self.date)
        #expect(unsigned.signature != signed.signature)
    }

    @Test func canonicalPiecesFollowTheRules() {
        #expect(SigV4.canonicalURI("") == "/")
        #expect(SigV4.canonicalURI("/model/arn%3Aaws%2Fx/converse") == "/model/arn%253Aaws%252Fx/converse")
        #expect(SigV4.canonicalQuery([("b", "2"), ("a", "x y"), ("a", "1")]) == "a=1&a=x%20y&b=2")
        #expect(SigV4.normaliseHeaderValue("  a   b  ") == "a b")
    }

    @Test(arguments: [
        (1_768_478_400, "20260115T120000Z"), (1_709_251_199, "20240229T235959Z"), (951_868_800, "20000301T000000Z"),
        (-1, "19691231T235959Z"), (4_133_898_123, "21001231T010203Z"), (0, "19700101T000000Z"),
    ])
    func timestampsAreUTC(_ seconds: Int, _ expected: String) {
        #expect(SigV4.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds))) == expected)
    }
}
