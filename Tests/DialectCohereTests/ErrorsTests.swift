import Testing
import SwitchyardCore
@testable import DialectCohere

/// Error classification and writing (Errors.swift).
@Suite struct CohereErrorsTests {
    let codec = CohereCodec()

    @Test func fixturesAreListed() {
        #expect(CohereFixtures.files(kind: "error") == ["error-400.json", "error-429.json"])
    }

    @Test(arguments: [("error-400.json", GatewayError.Kind.invalidRequest), ("error-429.json", .rateLimited)])
    func classifiesFixture(file: String, kind: GatewayError.Kind) throws {
        let status = try #require(CohereFixtures.status(of: file))
        let body = try CohereFixtures.bytes(file)
        let error = codec.decodeError(status: status, headers: [("Retry-After", "7")], body: body)
        #expect(error.kind == kind)
        #expect(error.message == (try CohereFixtures.json(file))["message"]?.stringValue)
        #expect(error.upstreamStatus == status)
        #expect(error.retryAfter == "7")
    }

    @Test(arguments: [
        (400, "invalid request: too many tokens: size limit exceeded by 1169 tokens.", GatewayError.Kind.contextWindow),
        (400, "prompt is too long", .contextWindow),
        (422, "invalid type for field 'messages'", .invalidRequest),
        (401, "invalid api token", .upstreamAuthentication),
        (498, "invalid token", .upstreamAuthentication),
        (402, "Please add a payment method", .quotaExhausted),
        (403, "forbidden", .upstreamPermission),
        (404, "model 'nope' not found", .notFound),
        (429, "You are using a Trial key, which is limited to 1000 API calls / month.", .quotaExhausted),
        (429, "too many requests", .rateLimited),
        (499, "client closed request", .upstreamError),
        (500, "internal server error", .upstreamError),
        (501, "not implemented", .upstreamError),
        (503, "service unavailable", .overloaded),
        (504, "gateway timeout", .timeout),
    ])
    func classifiesStatus(status: Int, message: String, kind: GatewayError.Kind) {
        let body = JSON.encode(["id": "e1", "message": .string(message)])
        let error = codec.decodeError(status: status, headers: [], body: body)
        #expect(error.kind == kind)
        #expect(error.message == message)
    }

    @Test func nonJSONBodiesStillClassify() {
        let html = codec.decodeError(status: 502, headers: [], body: Array("<html>Bad Gateway</html>".utf8))
        #expect(html.kind == .upstreamError)
        #expect(html.message == "<html>Bad Gateway</html>")
        let empty = codec.decodeError(status: 503, headers: [], body: [])
        #expect(empty.kind == .overloaded)
        #expect(empty.message == "Cohere answered HTTP 503.")
    }

    /// Writing then reading an error keeps its class wherever Cohere has a status for it.
    @Test(arguments: [
        GatewayError.Kind.invalidRequest, .notFound, .rateLimited, .quotaExhausted, .overloaded, .timeout, .upstreamError,
    ])
    func encodedErrorsDecodeToTheirClass(kind: GatewayError.Kind) throws {
        let (status, body) = codec.encodeError(GatewayError(kind, "it went wrong"), id: "req-1")
        #expect(try JSON.parse(body) == ["id": "req-1", "message": "it went wrong"])
        #expect(codec.decodeError(status: status, headers: [], body: body).kind == kind)
    }

    @Test func upstreamAuthFailuresAreNotTheClientsFault() {
        #expect(CohereErrors.status(for: .upstreamAuthentication) == 502)
        #expect(CohereErrors.status(for: .authentication) == 401)
        #expect(CohereErrors.status(for: .contextWindow) == 400)
    }
}
