import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import Synchronization
import SwitchyardConfig
import SwitchyardCore
import SwitchyardRouting
import Testing

@testable import SwitchyardServer

/// Collects every outcome the completion point hands out.
final class OutcomeCollector: CompletionSink {
    private let outcomes = Mutex<[RequestOutcome]>([])

    func complete(_ outcome: RequestOutcome) {
        outcomes.withLock { $0.append(outcome) }
    }

    /// The outcomes for `requestID` once at least one arrived (streams end after their response head).
    func outcomes(for requestID: String) async -> [RequestOutcome] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let found = outcomes.withLock { $0.filter { $0.requestID == requestID } }
            if !found.isEmpty { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return []
    }
}

/// Refuses requests for one model, as an access list or a budget would.
struct RefuseModel: AdmissionPolicy {
    let model: String

    func admit(_ request: AdmissionRequest) throws(GatewayError) {
        if request.plan.publicName == model {
            throw GatewayError(.permission, "This key may not use '\(model)'.", code: "model_not_allowed")
        }
    }
}

/// The pipeline's seams: one outcome per request at the completion point, the admission stage, the
/// configuration snapshot.
@Suite struct PipelineTests {
    static func config(_ fake: RunningFakeProviders) -> String {
        """
        providers:
          limited: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=429,retry_after=0,tag=pipeline-429"))" }
          good: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "tag=pipeline-good"))" }
          claude: { kind: anthropic, api_key: k, base_url: "\(fake.baseURL(.anthropic))" }
        models:
          - name: failing-over
            to: limited/gpt-4o-mini
            fallbacks: [good/gpt-4o-mini]
          - name: forbidden
            to: good/gpt-4o-mini

        """
    }

    static func send(_ h: GatewayHarness, _ path: String, body: String, id: String, key: String? = GatewayHarness.masterKey)
        async throws -> GatewayHarness.Answer
    {
        try await h.request(path, body: body, key: key, headers: [("x-request-id", id)])
    }

    @Test func aFailedOverRequestEndsWithOneOutcomeListingEveryAttempt() async throws {
        let sink = OutcomeCollector()
        try await GatewayHarness.run(sinks: [sink], Self.config) { h in
            let answer = try await Self.send(h, "/v1/chat/completions", body: GatewayHarness.chat("failing-over"), id: "o-failover")
            #expect(answer.status == 200)
            let outcomes = await sink.outcomes(for: "o-failover")
            #expect(outcomes.count == 1)
            let outcome = try #require(outcomes.first)
            #expect(outcome.identity == .master)
            #expect(outcome.publicModel == "failing-over")
            #expect(outcome.deployment?.provider.name == "good")
            #expect(outcome.status == 200 && outcome.ending == .completed && outcome.error == nil)
            #expect(outcome.attempts.map(\.deployment.provider.name) == ["limited", "good"])
            #expect(outcome.attempts.first?.error?.kind == .rateLimited, "the failed attempt is an outcome too")
            #expect(outcome.attempts.last?.error == nil)
            #expect(outcome.usage != nil && outcome.costUSD != nil)
            let ttfb = try #require(outcome.timeToFirstByte)
            #expect(ttfb <= outcome.duration)
            #expect(!outcome.stream && !outcome.clientGone && !outcome.cacheHit)
        }
    }

    @Test func streamsAndTranslatedStreamsEndWithTheirOutcomeToo() async throws {
        let sink = OutcomeCollector()
        try await GatewayHarness.run(sinks: [sink], Self.config) { h in
            for (model, id) in [("good/gpt-4o-mini", "o-stream"), ("claude/claude-sonnet-4-5", "o-translated")] {
                let answer = try await Self.send(
                    h, "/v1/chat/completions", body: GatewayHarness.chat(model, extra: #","stream":true"#), id: id)
                #expect(answer.status == 200)
                let outcome = try #require(await sink.outcomes(for: id).first)
                #expect(outcome.stream && outcome.ending == .completed, "\(model)")
                #expect(outcome.usage.map { $0.totalOutput > 0 } == true, "\(model)")
                #expect(outcome.timeToFirstByte != nil, "\(model)")
            }
        }
    }

    @Test func refusedRequestsEndAtTheCompletionPoint() async throws {
        let sink = OutcomeCollector()
        try await GatewayHarness.run(sinks: [sink], Self.config) { h in
            let wrongKey = try await Self.send(
                h, "/v1/chat/completions", body: GatewayHarness.chat("good/gpt-4o-mini"), id: "o-401", key: "nope")
            #expect(wrongKey.status == 401)
            let refused = try #require(await sink.outcomes(for: "o-401").first)
            #expect(refused.identity == nil && refused.status == 401 && refused.error?.kind == .authentication)
            #expect(refused.attempts.isEmpty && refused.ending == .failed)

            let unknown = try await Self.send(h, "/v1/messages", body: GatewayHarness.chat("no-such-model"), id: "o-404")
            #expect(unknown.status == 404)
            let notFound = try #require(await sink.outcomes(for: "o-404").first)
            #expect(notFound.identity == .master && notFound.error?.kind == .notFound && notFound.publicModel == "no-such-model")
            #expect(await h.records.record(for: "o-404", timeout: .milliseconds(200)) == nil, "nothing priced")
        }
    }

    @Test func theAdmissionStageRefusesBeforeAnyAttempt() async throws {
        let sink = OutcomeCollector()
        try await GatewayHarness.run(admission: [RefuseModel(model: "forbidden")], sinks: [sink], Self.config) { h in
            let openAI = try await Self.send(h, "/v1/chat/completions", body: GatewayHarness.chat("forbidden"), id: "o-adm")
            #expect(openAI.status == 403)
            #expect(openAI.json["error"]?["code"] == "model_not_allowed")
            let anthropic = try await Self.send(h, "/v1/messages", body: GatewayHarness.chat("forbidden"), id: "o-adm-a")
            #expect(anthropic.status == 403)
            #expect(anthropic.json["type"] == "error" && anthropic.json["error"]?["type"] == "permission_error")
            #expect(await h.fake.requests().isEmpty, "no provider was called")
            #expect(await sink.outcomes(for: "o-adm").first?.attempts.isEmpty == true)
            let allowed = try await Self.send(h, "/v1/chat/completions", body: GatewayHarness.chat("good/gpt-4o-mini"), id: "o-ok")
            #expect(allowed.status == 200)
        }
    }

    @Test func anotherSnapshotChangesWhatNewRequestsSee() async throws {
        try await GatewayHarness.run(Self.config) { h in
            #expect(try await h.request("/v1/chat/completions", body: GatewayHarness.chat("forbidden")).status == 200)
            let next = try ConfigLoader(environment: [:]).load(
                yaml: """
                    server: { master_key: "\(GatewayHarness.masterKey)" }
                    providers:
                      good: { kind: openai, api_key: k, base_url: "\(h.fake.baseURL(.openai))" }
                    models:
                      - { name: renamed, to: good/gpt-4o-mini }
                    """)
            h.gateway.state.replace(with: try GatewaySnapshot(config: next, catalog: try Catalog.bundled()))
            #expect(try await h.request("/v1/chat/completions", body: GatewayHarness.chat("forbidden")).status == 404)
            #expect(try await h.request("/v1/chat/completions", body: GatewayHarness.chat("renamed")).status == 200)
            let models = try await h.get("/v1/models")
            #expect(models.json["data"]?.arrayValue?.first?["id"] == "renamed")
        }
    }
}
