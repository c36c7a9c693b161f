import Testing
import SwitchyardCore
@testable import DialectGemini

/// Error classification of every error fixture (mapping.md §3.2) and the errors written for Gemini clients.
@Suite struct ErrorsTests {
    let codec = GeminiCodec()

    static let expectations: [String: (GatewayError.Kind, String?)] = [
        "error-400-api-key-invalid.json": (.upstreamAuthentication, nil),
        "error-400-invalid-argument.json": (.invalidRequest, nil),
        "error-400-missing-thought-signature.json": (.invalidRequest, nil),
        "error-403-permission-denied.json": (.upstreamPermission, nil),
        "error-404-not-found.json": (.notFound, nil),
        // A per-minute quota (free tier or not) is a rate limit; RetryInfo "37s" becomes retry-after 37.
        "error-429-resource-exhausted.json": (.rateLimited, "37"),
        "error-500-internal.json": (.upstreamError, nil),
        "error-503-unavailable.json": (.overloaded, nil),
        "error-504-deadline-exceeded.json": (.timeout, nil),
    ]

    static let errorFixtures = (try? Fixtures.names(kind: "error")) ?? []

    @Test func everyErrorFixtureHasAnExpectation() {
        #expect(Self.errorFixtures.count == 9)
        #expect(Set(Self.errorFixtures) == Set(Self.expectations.keys))
    }

    @Test(arguments: errorFixtures)
    func classifiesFixture(_ file: String) throws {
        let status = try #require(try Fixtures.entry(file)["status"]?.intValue)
        let error = codec.decodeError(status: status, headers: [], body: try Fixtures.bytes(file))
        let expected = try #require(Self.expectations[file])
        #expect(error.kind == expected.0, "\(file)")
        #expect(error.retryAfter == expected.1, "\(file)")
        #expect(error.upstreamStatus == status)
        #expect(error.message == (try Fixtures.json(file))["error"]?["message"]?.stringValue)
    }

    func body(_ status: Int, _ googleStatus: String, _ message: String, details: JSONValue = []) -> [UInt8] {
        JSON.encode(["error": ["code": .int(Int64(status)), "message": .string(message), "status": .string(googleStatus), "details": details]])
    }

    @Test func dailyOrZeroQuotaIsExhaustedNotRateLimited() {
        let daily: JSONValue = [
            [
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [["quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier", "quotaValue": "250"]],
            ],
            ["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3600s"],
        ]
        let error = codec.decodeError(status: 429, headers: [], body: body(429, "RESOURCE_EXHAUSTED", "quota", details: daily))
        #expect(error.kind == .quotaExhausted)
        #expect(error.retryAfter == "3600")
        let zero: JSONValue = [
            [
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [["quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count", "quotaValue": "0"]],
            ]
        ]
        #expect(codec.decodeError(status: 429, headers: [], body: body(429, "RESOURCE_EXHAUSTED", "q", details: zero)).kind == .quotaExhausted)
        let plain = codec.decodeError(status: 429, headers: [("Retry-After", "12")], body: body(429, "RESOURCE_EXHAUSTED", "slow down"))
        #expect(plain.kind == .rateLimited)
        #expect(plain.retryAfter == "12")
    }

    @Test func otherSignals() {
        let tooLong = codec.decodeError(
            status: 400, headers: [],
            body: body(400, "INVALID_ARGUMENT", "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."))
        #expect(tooLong.kind == .contextWindow)
        #expect(codec.decodeError(status: 400, headers: [], body: body(400, "FAILED_PRECONDITION", "User location is not supported")).kind == .upstreamPermission)
        #expect(codec.decodeError(status: 401, headers: [], body: body(401, "UNAUTHENTICATED", "no")).kind == .upstreamAuthentication)
        #expect(codec.decodeError(status: 502, headers: [], body: Array("<html>bad gateway</html>".utf8)).kind == .upstreamError)
        // Some proxies wrap the body in a one-element array.
        let wrapped = Array(#"[{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}]"#.utf8)
        let overloaded = codec.decodeError(status: 503, headers: [], body: wrapped)
        #expect(overloaded.kind == .overloaded)
        #expect(overloaded.message == "The model is overloaded.")
    }

    @Test func retryDelays() {
        #expect(GeminiErrors.retryDelaySeconds("37s") == "37")
        #expect(GeminiErrors.retryDelaySeconds("1.2s") == "2")
        #expect(GeminiErrors.retryDelaySeconds(["seconds": 5, "nanos": 500_000_000]) == "6")
        #expect(GeminiErrors.retryDelaySeconds("soon") == nil)
    }

    @Test func gatewayErrorsInGeminiShape() throws {
        let (status, body) = codec.encodeError(GatewayError(.rateLimited, "Slow down.", retryAfter: "7"))
        #expect(status == 429)
        let json = try JSON.parse(body)
        #expect(json["error"]?["status"] == "RESOURCE_EXHAUSTED")
        #expect(json["error"]?["code"] == 429)
        #expect(json["error"]?["details"]?[0]?["retryDelay"] == "7s")
        // Gemini's own decoder reads back the class and delay.
        let decoded = codec.decodeError(status: status, headers: [], body: body)
        #expect(decoded.kind == .rateLimited)
        #expect(decoded.retryAfter == "7")

        let expectations: [(GatewayError.Kind, Int, String)] = [
            (.invalidRequest, 400, "INVALID_ARGUMENT"), (.authentication, 400, "INVALID_ARGUMENT"),
            (.permission, 403, "PERMISSION_DENIED"), (.notFound, 404, "NOT_FOUND"), (.overloaded, 503, "UNAVAILABLE"),
            (.timeout, 504, "DEADLINE_EXCEEDED"), (.upstreamError, 502, "INTERNAL"), (.upstreamAuthentication, 502, "INTERNAL"),
        ]
        for (kind, code, googleStatus) in expectations {
            let mapped = GeminiErrors.status(for: GatewayError(kind, "x"))
            #expect(mapped.status == code && mapped.googleStatus == googleStatus, "\(kind)")
        }
        let auth = try JSON.parse(codec.encodeError(GatewayError(.authentication, "bad key")).body)
        #expect(auth["error"]?["details"]?[0]?["reason"] == "API_KEY_INVALID")
    }
}
