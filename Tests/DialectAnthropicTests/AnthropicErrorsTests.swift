import Testing
import SwitchyardCore
@testable import DialectAnthropic

@Suite struct AnthropicErrorsTests {
    @Test(arguments: [
        ("error-400-invalid-request.json", GatewayError.Kind.invalidRequest),
        ("error-400-temperature-removed.json", .invalidRequest),
        ("error-401-authentication.json", .upstreamAuthentication),
        ("error-403-permission.json", .upstreamPermission),
        ("error-404-not-found.json", .notFound),
        ("error-413-request-too-large.json", .requestTooLarge),
        ("error-429-rate-limit.json", .rateLimited),
        ("error-429-spend-limit.json", .quotaExhausted),
        ("error-500-api-error.json", .upstreamError),
        ("error-504-timeout.json", .timeout),
        ("error-529-overloaded.json", .overloaded),
    ])
    func classifiesProviderErrors(file: String, kind: GatewayError.Kind) throws {
        let entry = try #require(try Fixtures.manifest(file))
        let status = try #require(entry["status"]?.intValue)
        let headers = (entry["headers"]?.objectValue ?? [:]).compactMap { key, value in value.stringValue.map { (key, $0) } }
        let error = AnthropicCodec().decodeError(status: status, headers: headers, body: try Fixtures.bytes(file))
        #expect(error.kind == kind)
        #expect(error.upstreamStatus == status)
        #expect(error.message == (try Fixtures.json(file))["error"]?["message"]?.stringValue)
        #expect(error.retryAfter == headers.first { $0.0 == "retry-after" }?.1)
    }

    @Test func everyErrorFixtureIsClassified() {
        #expect(Fixtures.files(prefix: "error-").count == 11)
    }

    @Test func specialCases() throws {
        let long = AnthropicErrors.decode(
            status: 400,
            body: JSON.encode(["type": "error", "error": ["type": "invalid_request_error", "message": "prompt is too long: 210000 tokens > 200000 maximum"]]))
        #expect(long.kind == .contextWindow)
        let spend = AnthropicErrors.decode(status: 429, body: try Fixtures.bytes("error-429-spend-limit.json"))
        #expect(spend.code == "enforced_spend_limit_reached")
        #expect(!spend.isTransient)
        let billing = AnthropicErrors.decode(status: 402, body: JSON.encode(["type": "error", "error": ["type": "billing_error", "message": "x"]]))
        #expect(billing.kind == .quotaExhausted)
        let html = AnthropicErrors.decode(status: 502, body: Array("<html>bad gateway</html>".utf8))
        #expect(html.kind == .upstreamError)
        #expect(html.message == "The provider answered HTTP 502.")
        let ms = AnthropicErrors.decode(status: 429, headers: [("Retry-After-Ms", "1500")], body: [])
        #expect(ms.retryAfter == "2")
        let vertexOverload = AnthropicErrors.decode(
            status: 503, body: JSON.encode(["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded"]]))
        #expect(vertexOverload.kind == .overloaded)
    }

    @Test(arguments: [
        (GatewayError.Kind.invalidRequest, 400, "invalid_request_error"),
        (.contextWindow, 400, "invalid_request_error"),
        (.contentPolicy, 400, "invalid_request_error"),
        (.authentication, 401, "authentication_error"),
        (.permission, 403, "permission_error"),
        (.notFound, 404, "not_found_error"),
        (.requestTooLarge, 413, "request_too_large"),
        (.rateLimited, 429, "rate_limit_error"),
        (.quotaExhausted, 429, "rate_limit_error"),
        (.overloaded, 529, "overloaded_error"),
        (.timeout, 504, "timeout_error"),
        (.upstreamError, 500, "api_error"),
        (.upstreamAuthentication, 502, "api_error"),
        (.upstreamPermission, 502, "api_error"),
        (.internalError, 500, "api_error"),
    ])
    func inboundErrorShapes(kind: GatewayError.Kind, status: Int, type: String) {
        let error = GatewayError(kind, "Something went wrong.", code: "some_code")
        #expect(AnthropicErrors.status(for: error) == (status, type))
        let body = AnthropicErrors.body(for: error, requestID: "req_1")
        #expect(body["type"] == "error")
        #expect(body["request_id"] == "req_1")
        #expect(body["error"]?["type"] == .string(type))
        #expect(body["error"]?["message"] == "Something went wrong.")
        let relaysCode = kind == .quotaExhausted
        #expect((body["error"]?["details"] != nil) == relaysCode)
    }

    @Test func errorHeaders() {
        let quota = GatewayError(.quotaExhausted, "spend limit", retryAfter: "60")
        let headers = AnthropicErrors.headers(for: quota)
        #expect(headers.contains { $0 == ("retry-after", "60") })
        #expect(headers.contains { $0 == ("x-should-retry", "false") })
        #expect(AnthropicErrors.headers(for: GatewayError(.overloaded, "busy")).isEmpty)
        #expect(AnthropicErrors.body(for: GatewayError(.notFound, "no"), requestID: nil)["request_id"] == nil)
    }

    @Test func modelVersions() {
        func version(_ name: String) -> [Int]? {
            AnthropicModel.parseVersion(name).map { [$0.major, $0.minor] }
        }
        #expect(version("claude-3-5-sonnet-20241022") == [3, 5])
        #expect(version("claude-sonnet-4-20250514") == [4, 0])
        #expect(version("anthropic.claude-opus-4-1-20250805-v1:0") == [4, 1])
        #expect(version("claude-opus-5-5") == [5, 5])
        #expect(version("claude-2.1") == [2, 1])
        #expect(version("claude-mythos-preview") == nil)
        #expect(AnthropicModel("kimi-k2").thinkingForm == .budget, "third-party Anthropic-compatible endpoints")
        #expect(AnthropicModel("kimi-k2").acceptsSamplingParameters)
        #expect(!AnthropicModel("claude-opus-4-7").acceptsSamplingParameters)
        #expect(AnthropicModel("claude-sonnet-4-6").acceptsSamplingParameters)
    }
}
