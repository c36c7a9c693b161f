import Testing
@testable import DialectBedrock
@testable import SwitchyardCore

@Suite struct ErrorsTests {
    static let expected: [String: GatewayError.Kind] = [
        "error-400-validation.json": .invalidRequest,
        "error-403-access-denied.json": .upstreamPermission,
        "error-404-resource-not-found.json": .notFound,
        "error-408-model-timeout.json": .timeout,
        "error-424-model-error.json": .upstreamError,
        "error-429-throttling.json": .rateLimited,
        "error-500-internal.json": .upstreamError,
        "error-503-service-unavailable.json": .overloaded,
    ]

    @Test func everyErrorFixtureIsTested() throws {
        #expect(try BedrockFixtures.entries(kind: "error").map(\.file) == Self.expected.keys.sorted())
    }

    @Test(arguments: expected.keys.sorted())
    func fixtureIsClassified(_ file: String) throws {
        let entry = try #require(try BedrockFixtures.entries(kind: "error").first { $0.file == file }?.entry)
        let status = try #require(entry["status"]?.intValue)
        let headers = (entry["headers"]?.objectValue ?? [:]).compactMap { key, value in value.stringValue.map { (key, $0) } }
        let body = try BedrockFixtures.bytes(file)
        let error = BedrockCodec().decodeError(status: status, headers: headers, body: body)
        #expect(error.kind == Self.expected[file])
        #expect(error.upstreamStatus == status)
        #expect(error.message == (try JSON.parse(body))["message"]?.stringValue)
        let headerCode = try #require(headers.first { $0.0 == "x-amzn-errortype" }?.1.split(separator: ":").first)
        #expect(error.code == String(headerCode))
    }

    @Test(arguments: [
        ("ValidationException", "Input is too long for requested model.", GatewayError.Kind.contextWindow),
        ("ValidationException", "A conversation must alternate between user and assistant roles.", .invalidRequest),
        ("ServiceQuotaExceededException", "Your account quota is exceeded.", .quotaExhausted),
        ("AccessDeniedException", "Invalid API Key format: Must start with pre-defined prefix", .upstreamAuthentication),
        ("UnrecognizedClientException", "The security token included in the request is invalid.", .upstreamAuthentication),
        ("InvalidSignatureException", "Signature expired", .upstreamAuthentication),
        ("ModelNotReadyException", "Model is not ready.", .rateLimited),
        ("ModelStreamErrorException", "boom", .upstreamError),
    ])
    func codesAreClassified(_ code: String, _ message: String, _ kind: GatewayError.Kind) {
        let error = BedrockErrors.decode(
            status: 400, headers: [("X-Amzn-ErrorType", "\(code):http://internal.amazon.com/coral/com.amazon.bedrock/")],
            body: Array(JSON.encodeString(["message": .string(message)]).utf8))
        #expect(error.kind == kind)
        #expect(error.code == code)
    }

    @Test func codeFromTheBodyWhenTheHeaderIsMissing() {
        let error = BedrockErrors.decode(
            status: 400, headers: [],
            body: Array(#"{"__type":"com.amazon.coral.service#ThrottlingException","Message":"Slow down"}"#.utf8))
        #expect(error.kind == .rateLimited)
        #expect(error.message == "Slow down")
        #expect(error.code == "ThrottlingException")
    }

    @Test func statusDecidesWhenNothingNamesTheError() {
        #expect(BedrockErrors.decode(status: 503, headers: [], body: []).kind == .overloaded)
        #expect(BedrockErrors.decode(status: 504, headers: [], body: Array("<html>".utf8)).kind == .timeout)
        #expect(BedrockErrors.decode(status: 502, headers: [], body: []).kind == .upstreamError)
        let retried = BedrockErrors.decode(status: 429, headers: [("Retry-After", "3")], body: [])
        #expect(retried.kind == .rateLimited)
        #expect(retried.retryAfter == "3")
    }

    @Test func encodedErrorsDecodeToTheSameClass() {
        let kinds: [GatewayError.Kind] = [
            .invalidRequest, .quotaExhausted, .upstreamAuthentication, .upstreamPermission, .notFound, .timeout,
            .rateLimited, .overloaded, .upstreamError,
        ]
        for kind in kinds {
            let written = BedrockErrors.encode(GatewayError(kind, "You don't have access to the model."))
            let read = BedrockErrors.decode(
                status: written.status, headers: [("x-amzn-errortype", written.code)], body: JSON.encode(written.body))
            // The access-denied wording is the model-access kind, so authentication comes back via its own code.
            #expect(read.kind == kind, "\(kind) came back as \(read.kind)")
        }
    }
}
