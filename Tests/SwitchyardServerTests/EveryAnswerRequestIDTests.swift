import FakeProviderKit
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// CONTRACT §0: every answer carries `x-request-id` — `/health`, `/ready`, 401s, 404s and wrong methods too.
@Suite struct EveryAnswerRequestIDTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        "providers:\n  openai: { api_key: sk-a, base_url: \"\(fake.baseURL(.openai))\" }\n"
    }

    static func expectFreshID(_ answer: GatewayHarness.Answer, _ label: String) {
        #expect(answer.header("x-request-id")?.hasPrefix("req_") == true, "\(label): \(answer.headers)")
    }

    @Test func unauthenticatedAndUnroutedAnswersCarryARequestID() async throws {
        try await GatewayHarness.run(Self.config) { h in
            Self.expectFreshID(try await h.get("/health", key: nil), "/health")
            Self.expectFreshID(try await h.get("/ready", key: nil), "/ready")
            Self.expectFreshID(try await h.get("/v1/models", key: nil), "401")

            let missing = try await h.get("/v1/nope")
            #expect(missing.status == 404)
            Self.expectFreshID(missing, "404")
            #expect(missing.json["error"]?["code"] == "unknown_url", "\(missing.text)")
            #expect(missing.json["error"]?["message"]?.stringValue?.contains("/v1/nope") == true)

            let wrongMethod = try await h.get("/v1/chat/completions")
            #expect(wrongMethod.status == 404 || wrongMethod.status == 405)
            Self.expectFreshID(wrongMethod, "wrong method")
            #expect(wrongMethod.json["error"]?["type"]?.stringValue?.isEmpty == false, "\(wrongMethod.text)")

            let kept = try await h.get("/health", key: nil, headers: [("x-request-id", "trace-7")])
            #expect(kept.header("x-request-id") == "trace-7")
            let keptMissing = try await h.get("/nowhere", headers: [("x-request-id", "trace-8")])
            #expect(keptMissing.header("x-request-id") == "trace-8")
            #expect(try await h.get("/v1/models").headers[canonicalForm: "x-request-id"].count == 1, "set once")
        }
    }
}
