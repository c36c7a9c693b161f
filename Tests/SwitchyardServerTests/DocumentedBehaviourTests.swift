import SwitchyardConfig
#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import FakeProviderKit
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Behaviour README.md documents that no other test covered: weighted splits, retries with backoff and
/// `retry-after`, every timeout and limit, provider extra headers, the `catalog:` config section, no
/// failover on a client mistake, and Anthropic-shaped errors on `/v1/messages`. All through the real
/// server in front of the fake providers.
@Suite struct DocumentedBehaviourTests {
    // MARK: - Helpers

    /// The payloads of an SSE answer parsed as JSON (`[DONE]` and other non-JSON payloads dropped).
    static func jsonEvents(_ answer: GatewayHarness.Answer) -> [JSONValue] {
        GatewayHarness.events(answer.body).compactMap { try? JSON.parse(Array($0.utf8)) }
    }

    /// What the fake received under the base URL whose knobs end with `tag=<tag>`.
    static func received(_ h: GatewayHarness, tag: String) async -> [RecordedRequest] {
        await h.fake.requests().filter { $0.path.contains("tag=\(tag)/") }
    }

    static func elapsed<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
        let started = ContinuousClock.now
        let value = try await body()
        return (value, ContinuousClock.now - started)
    }

    /// The cost of an OpenAI-shaped answer's `usage` at `price`, as `Price.cost(of:)` documents it.
    static func expectedCost(_ answer: GatewayHarness.Answer, price: CatalogEntry.Price) throws -> Double {
        let usage = try #require(answer.json["usage"], "\(answer.text)")
        let prompt = try #require(usage["prompt_tokens"]?.intValue)
        let cached = usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0
        let completion = try #require(usage["completion_tokens"]?.intValue)
        #expect(prompt > 0 && completion > 0, "\(usage)")
        return (Double(prompt - cached) * price.input + Double(cached) * (price.cachedInput ?? price.input)
            + Double(completion) * price.output) / 1_000_000
    }

    // MARK: - 1. Weighted split

    @Test func weightedSplitSendsTrafficByWeight() async throws {
        try await GatewayHarness.run({ fake in
            """
            providers:
              a: { kind: openai, api_key: ka, base_url: "\(fake.baseURL(.openai, knobs: "tag=split-a"))" }
              b: { kind: openai, api_key: kb, base_url: "\(fake.baseURL(.openai, knobs: "tag=split-b"))" }
            models:
              - name: x
                split: [{ to: a/gpt-4o-mini, weight: 9 }, { to: b/gpt-4o-mini, weight: 1 }]

            """
        }) { h in
            let total = 400
            var served: [String: Int] = [:]
            // Eight clients at a time: the split is per request, not per connection.
            try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var providers: [String] = []
                        for _ in stride(from: worker, to: total, by: 8) {
                            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("x"))
                            #expect(answer.status == 200, "\(answer.text)")
                            #expect(answer.header("x-switchyard-attempts") == "1")
                            providers.append(answer.header("x-switchyard-provider") ?? "<none>")
                        }
                        return providers
                    }
                }
                for try await providers in group {
                    for provider in providers { served[provider, default: 0] += 1 }
                }
            }
            let a = served["a", default: 0]
            let b = served["b", default: 0]
            #expect(a + b == total, "every answer came from a or b: \(served)")
            #expect(b > 0, "the weight-1 member got traffic: \(served)")
            let share = Double(a) / Double(total)
            #expect(share >= 0.80 && share <= 0.97, "weight 9:1 gives a ~90 % share to a, got \(share): \(served)")
            // The headers tell the truth: the fake saw exactly those counts under each member's base URL.
            #expect(await Self.received(h, tag: "split-a").count == a)
            #expect(await Self.received(h, tag: "split-b").count == b)
        }
    }

    // MARK: - 2. Retry with backoff and retry-after

    @Test func retryAttemptsRecoverFromTransientErrors() async throws {
        try await GatewayHarness.run({ fake in
            """
            providers:
              flaky: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "fail_first=2,status=503,tag=retry-503"))" }
              limited: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "fail_first=2,status=429,retry_after=1,tag=retry-429"))" }
              once: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "fail_first=2,status=503,tag=retry-once"))" }
            models:
              - { name: overloaded-retried, to: flaky/gpt-4o-mini, retry: { attempts: 3 } }
              - { name: limited-retried, to: limited/gpt-4o-mini, retry: { attempts: 3 } }
              - { name: not-retried, to: once/gpt-4o-mini }

            """
        }) { h in
            let overloaded = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("overloaded-retried"))
            #expect(overloaded.status == 200, "\(overloaded.text)")
            #expect(overloaded.header("x-switchyard-attempts") == "3")
            #expect(overloaded.header("x-switchyard-provider") == "flaky")
            #expect(await Self.received(h, tag: "retry-503").count == 3)

            // Two 429s each saying `retry-after: 1`: the gateway waits as told before each retry.
            let (limited, waited) = try await Self.elapsed {
                try await h.request("/v1/chat/completions", body: GatewayHarness.chat("limited-retried"))
            }
            #expect(limited.status == 200, "\(limited.text)")
            #expect(limited.header("x-switchyard-attempts") == "3")
            #expect(await Self.received(h, tag: "retry-429").count == 3)
            #expect(waited >= .milliseconds(950), "retry-after: 1 honoured before the retries, waited \(waited)")

            // The default is one try per deployment: the same failure is final.
            let single = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("not-retried"))
            #expect(single.status == 503, "\(single.text)")
            #expect(single.json["error"]?["code"] == "overloaded", "\(single.text)")
            #expect(single.header("x-switchyard-attempts") == "1")
            #expect(await Self.received(h, tag: "retry-once").count == 1)
        }
    }

    // MARK: - 3. Timeouts and limits

    @Test func totalTimeoutBoundsTheWaitForTheResponseHead() async throws {
        try await GatewayHarness.run({ fake in
            """
            timeouts: { first_byte: 60s, idle: 60s, total: 300ms }
            providers:
              slow: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "latency=3000"))" }

            """
        }) { h in
            for stream in [false, true] {
                let extra = stream ? #","stream":true"# : ""
                let answer = try await h.request(
                    "/v1/chat/completions", body: GatewayHarness.chat("slow/gpt-4o-mini", extra: extra))
                #expect(answer.status == 504, "stream \(stream): \(answer.text)")
                #expect(answer.json["error"]?["code"] == "timeout", "stream \(stream): \(answer.text)")
                #expect(answer.json["error"]?["type"] == "server_error", "stream \(stream): \(answer.text)")
            }
        }
    }

    @Test func idleTimeoutEndsAStalledStreamAfterTheFirstEvent() async throws {
        try await GatewayHarness.run({ fake in
            """
            timeouts: { idle: 1500ms }
            providers:
              stalling: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "hang_after=1"))" }

            """
        }) { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("stalling/gpt-4o-mini", extra: #","stream":true"#))
            #expect(answer.status == 200, "committed: the first event was relayed")
            let events = GatewayHarness.events(answer.body)
            #expect(!events.contains("[DONE]"), "\(answer.text)")
            #expect(events.count == 2, "the provider's one event, then the gateway's error: \(answer.text)")
            let first = try JSON.parse(Array(try #require(events.first).utf8))
            #expect(first["object"] == "chat.completion.chunk", "\(answer.text)")
            let last = try JSON.parse(Array(try #require(events.last).utf8))
            #expect(last["error"]?["code"] == "timeout", "\(answer.text)")
            #expect(last["error"]?["type"] == "server_error", "\(answer.text)")
        }
    }

    @Test func maxStreamDurationEndsALongStream() async throws {
        try await GatewayHarness.run({ fake in
            """
            limits: { max_stream_duration: 1s }
            providers:
              slow: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "chunk_delay=300,chunks=20"))" }

            """
        }) { h in
            let (answer, waited) = try await Self.elapsed {
                try await h.request(
                    "/v1/chat/completions", body: GatewayHarness.chat("slow/gpt-4o-mini", extra: #","stream":true"#))
            }
            #expect(answer.status == 200)
            let events = GatewayHarness.events(answer.body)
            #expect(!events.contains("[DONE]"), "\(answer.text)")
            let last = try JSON.parse(Array(try #require(events.last).utf8))
            #expect(last["error"]?["code"] == "timeout", "\(answer.text)")
            #expect(last["error"]?["type"] == "server_error", "\(answer.text)")
            let errors = Self.jsonEvents(answer).filter { $0["error"] != nil }
            #expect(errors.count == 1, "\(answer.text)")
            let finished = Self.jsonEvents(answer).contains {
                $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue == "stop"
            }
            #expect(!finished, "the stream was cut before the provider finished: \(answer.text)")
            #expect(waited >= .milliseconds(950), "not ended before the limit: \(waited)")
            let requestID = try #require(answer.header("x-request-id"))
            let record = try #require(await h.records.record(for: requestID))
            #expect(record.outcome == .upstreamFailed)
        }
    }

    @Test func maxHeaderBytesRejectsLargeHeaders() async throws {
        // The default, 16384 bytes.
        try await GatewayHarness.run({ fake in
            "providers:\n  openai: { api_key: k, base_url: \"\(fake.baseURL(.openai))\" }\n"
        }) { h in
            let big = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("openai/gpt-4o-mini"),
                headers: [("x-padding", String(repeating: "a", count: 20_000))])
            #expect(big.status == 413, "\(big.text)")
            #expect(big.json["error"]?["code"] == "request_too_large", "\(big.text)")
            #expect(big.header("x-should-retry") == "false")
            let fits = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("openai/gpt-4o-mini"),
                headers: [("x-padding", String(repeating: "a", count: 10_000))])
            #expect(fits.status == 200, "\(fits.text)")
            #expect(await h.fake.requests().count == 1, "only the request that fits reached the provider")
        }
        // A configured limit.
        try await GatewayHarness.run({ fake in
            "limits: { max_header_bytes: 4096 }\nproviders:\n  openai: { api_key: k, base_url: \"\(fake.baseURL(.openai))\" }\n"
        }) { h in
            let big = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("openai/gpt-4o-mini"),
                headers: [("x-padding", String(repeating: "a", count: 6_000))])
            #expect(big.status == 413, "\(big.text)")
            #expect(big.json["error"]?["code"] == "request_too_large", "\(big.text)")
            #expect(big.json["error"]?["message"] == "The request headers exceed 4096 bytes.", "\(big.text)")
            let fits = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("openai/gpt-4o-mini"),
                headers: [("x-padding", String(repeating: "a", count: 2_000))])
            #expect(fits.status == 200, "\(fits.text)")
        }
    }

    @Test func modelTimeoutsOverrideTheGlobalOnesForThatModelOnly() async throws {
        try await GatewayHarness.run({ fake in
            """
            timeouts: { first_byte: 300ms }
            providers:
              slow: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "latency=1500"))" }
            models:
              - name: patient
                to: slow/gpt-4o-mini
                timeouts: { first_byte: 30s }
              - name: impatient
                to: slow/gpt-4o-mini

            """
        }) { h in
            let patient = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("patient"))
            #expect(patient.status == 200, "the model's 30 s first_byte applies: \(patient.text)")
            #expect(patient.header("x-switchyard-provider") == "slow")
            for model in ["impatient", "slow/gpt-4o-mini"] {
                let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat(model))
                #expect(answer.status == 504, "\(model): the global 300 ms first_byte applies: \(answer.text)")
                #expect(answer.json["error"]?["code"] == "timeout", "\(model): \(answer.text)")
            }
        }
    }

    /// The global `timeouts.connect` applies, and a model's own `connect` replaces it for that model only.
    /// Timing is only compared, never bounded from above: the model's 2 s is a lower bound for its request,
    /// and the global 200 ms request must end before it (with the 5 s default it could not).
    @Test func connectTimeoutGlobalAndPerModel() async throws {
        let hole = try Blackhole()
        try await GatewayHarness.run({ _ in
            """
            timeouts: { connect: 200ms }
            providers:
              down: { kind: openai, api_key: k, base_url: "http://127.0.0.1:\(hole.port)/v1" }
            models:
              - name: patient-connect
                to: down/gpt-4o-mini
                timeouts: { connect: 2s }

            """
        }) { h in
            let (global, globalWait) = try await Self.elapsed {
                try await h.request("/v1/chat/completions", body: GatewayHarness.chat("down/gpt-4o-mini"))
            }
            let (patient, patientWait) = try await Self.elapsed {
                try await h.request("/v1/chat/completions", body: GatewayHarness.chat("patient-connect"))
            }
            for (name, answer) in [("global", global), ("patient", patient)] {
                #expect(answer.status == 504, "\(name): \(answer.text)")
                #expect(answer.json["error"]?["code"] == "timeout", "\(name): \(answer.text)")
            }
            #expect(patientWait >= .milliseconds(1950), "the model's 2 s connect timeout applied: \(patientWait)")
            #expect(globalWait < patientWait, "the global 200 ms applied elsewhere: \(globalWait) vs \(patientWait)")
        }
        withExtendedLifetime(hole) {}
    }

    // MARK: - 4. Provider extra headers

    @Test func providerHeadersAreSentUpstream() async throws {
        try await GatewayHarness.run({ fake in
            """
            providers:
              router:
                kind: openai
                api_key: sk-router
                base_url: "\(fake.baseURL(.openai, knobs: "tag=headers-openai"))"
                headers: { HTTP-Referer: "https://switchyard.example/app", X-Title: "Switchyard tests" }
              claude:
                kind: anthropic
                api_key: sk-ant
                base_url: "\(fake.baseURL(.anthropic, knobs: "tag=headers-anthropic"))"
                headers: { X-Team: "platform" }
              plain: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "tag=headers-plain"))" }

            """
        }) { h in
            for model in ["router/gpt-4o-mini", "claude/claude-sonnet-4-5", "plain/gpt-4o-mini"] {
                let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat(model))
                #expect(answer.status == 200, "\(model): \(answer.text)")
            }
            let router = try #require(await Self.received(h, tag: "headers-openai").last)
            #expect(router.headers["http-referer"] == "https://switchyard.example/app")
            #expect(router.headers["x-title"] == "Switchyard tests")
            #expect(router.headers["authorization"] == "Bearer sk-router")
            let claude = try #require(await Self.received(h, tag: "headers-anthropic").last)
            #expect(claude.headers["x-team"] == "platform")
            #expect(claude.headers["x-api-key"] == "sk-ant")
            let plain = try #require(await Self.received(h, tag: "headers-plain").last)
            #expect(plain.headers["http-referer"] == nil, "one provider's headers are not sent to another")
            #expect(plain.headers["x-title"] == nil)
            #expect(plain.headers["x-team"] == nil)
        }
    }

    // MARK: - 5. The catalog section

    static func openAIProvider(_ fake: RunningFakeProviders) -> String {
        "providers:\n  openai: { api_key: k, base_url: \"\(fake.baseURL(.openai))\" }\n"
    }

    @Test func catalogSectionAddsAndOverridesEntries() async throws {
        let added = CatalogEntry.Price(input: 1000, output: 3000)
        let override = CatalogEntry.Price(input: 500, output: 700)
        let shipped = try #require(try Catalog.bundled().entry(provider: "openai", model: "gpt-4o")?.price)
        #expect(shipped != override, "the override must differ from the shipped price to be observable")
        // Without the section, the made-up id is not a model.
        try await GatewayHarness.run(Self.openAIProvider) { h in
            let unknown = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("house-mini"))
            #expect(unknown.status == 404, "\(unknown.text)")
            #expect(unknown.json["error"]?["code"] == "model_not_found")
        }
        try await GatewayHarness.run({ fake in
            Self.openAIProvider(fake) + """
                catalog:
                  - { id: house-mini, provider: openai, upstream: gpt-4o-mini, price: { input: 1000, output: 3000 } }
                  - { id: gpt-4o, provider: openai, price: { input: 500, output: 700 } }

                """
        }) { h in
            let answer = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("house-mini", "price this one please"),
                headers: [("x-request-id", "catalog-added")])
            #expect(answer.status == 200, "\(answer.text)")
            #expect(answer.header("x-switchyard-provider") == "openai")
            #expect(answer.header("x-switchyard-model") == "gpt-4o-mini", "the entry's upstream id is sent")
            let expected = try Self.expectedCost(answer, price: added)
            #expect(answer.header("x-switchyard-cost-usd") == String(format: "%.8f", expected))
            #expect(await h.records.record(for: "catalog-added")?.costUSD.map { abs($0 - expected) < 1e-12 } == true)
            let seen = try #require(await h.fake.requests().last)
            #expect(seen.bodyText == GatewayHarness.chat("gpt-4o-mini", "price this one please"), "\(seen.bodyText)")

            let overridden = try await h.request(
                "/v1/chat/completions", body: GatewayHarness.chat("gpt-4o", "and this one too"),
                headers: [("x-request-id", "catalog-override")])
            #expect(overridden.status == 200, "\(overridden.text)")
            #expect(overridden.header("x-switchyard-model") == "gpt-4o")
            let expectedOverride = try Self.expectedCost(overridden, price: override)
            let shippedCost = try Self.expectedCost(overridden, price: shipped)
            #expect(String(format: "%.8f", expectedOverride) != String(format: "%.8f", shippedCost))
            #expect(overridden.header("x-switchyard-cost-usd") == String(format: "%.8f", expectedOverride))
        }
    }

    // MARK: - 6. Client mistakes do not fail over

    @Test func providerBadRequestDoesNotFailOver() async throws {
        try await GatewayHarness.run({ fake in
            """
            providers:
              bad: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=400,tag=bad"))" }
              good: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "tag=good"))" }
            models:
              - name: guarded
                to: bad/gpt-4o-mini
                fallbacks: [good/gpt-4o-mini]
                retry: { attempts: 3 }

            """
        }) { h in
            let answer = try await h.request("/v1/chat/completions", body: GatewayHarness.chat("guarded"))
            #expect(answer.status == 400, "\(answer.text)")
            #expect(answer.json["error"]?["type"] == "invalid_request_error", "\(answer.text)")
            #expect(answer.header("x-should-retry") == "false")
            #expect(answer.header("x-switchyard-provider") == "bad")
            #expect(answer.header("x-switchyard-attempts") == "1")
            #expect(await Self.received(h, tag: "bad").count == 1, "not retried either")
            #expect(await Self.received(h, tag: "good").count == 0, "the fallback received nothing")
        }
    }

    // MARK: - 7. Anthropic-shaped errors on /v1/messages

    static func messages(_ model: String) -> String {
        #"{"model":"\#(model)","max_tokens":64,"messages":[{"role":"user","content":"hello"}]}"#
    }

    static func expectAnthropicError(
        _ answer: GatewayHarness.Answer, status: Int, type: String, _ context: String
    ) {
        #expect(answer.status == status, "\(context): \(answer.text)")
        #expect(answer.header("content-type") == "application/json", "\(context)")
        let object = answer.json.objectValue ?? [:]
        #expect(Set(object.keys) == ["type", "error", "request_id"], "\(context): \(answer.text)")
        #expect(object["type"] == "error", "\(context): \(answer.text)")
        let error = object["error"]?.objectValue ?? [:]
        #expect(Set(error.keys) == ["type", "message"], "\(context): \(answer.text)")
        #expect(error["type"]?.stringValue == type, "\(context): \(answer.text)")
        #expect(error["message"]?.stringValue?.isEmpty == false, "\(context): \(answer.text)")
        #expect(object["request_id"]?.stringValue == answer.header("x-request-id"), "\(context): \(answer.text)")
    }

    @Test func anthropicShapedErrorsOnMessages() async throws {
        try await GatewayHarness.run({ fake in
            """
            providers:
              ant-limited: { kind: anthropic, api_key: k, base_url: "\(fake.baseURL(.anthropic, knobs: "status=429"))" }
              ant-broken: { kind: anthropic, api_key: k, base_url: "\(fake.baseURL(.anthropic, knobs: "status=500"))" }
              ant-slow: { kind: anthropic, api_key: k, base_url: "\(fake.baseURL(.anthropic, knobs: "latency=3000"))", timeouts: { first_byte: 300ms } }
              oai-limited: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=429"))" }
              oai-broken: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "status=500"))" }
              oai-slow: { kind: openai, api_key: k, base_url: "\(fake.baseURL(.openai, knobs: "latency=3000"))", timeouts: { first_byte: 300ms } }

            """
        }) { h in
            // Same dialect (Anthropic upstream) and translated (OpenAI upstream) alike.
            let cases: [(model: String, status: Int, type: String)] = [
                ("ant-limited/claude-sonnet-4-5", 429, "rate_limit_error"),
                ("oai-limited/gpt-4o-mini", 429, "rate_limit_error"),
                // README: "500/502 `api_error`"; a provider 5xx is the gateway's `upstream_error`.
                ("ant-broken/claude-sonnet-4-5", 500, "api_error"),
                ("oai-broken/gpt-4o-mini", 500, "api_error"),
                ("ant-slow/claude-sonnet-4-5", 504, "timeout_error"),
                ("oai-slow/gpt-4o-mini", 504, "timeout_error"),
            ]
            for (index, c) in cases.enumerated() {
                for stream in [false, true] {
                    let requestID = "anthropic-error-\(index)-\(stream)"
                    var body = Self.messages(c.model)
                    if stream { body = String(body.dropLast()) + #","stream":true}"# }
                    let answer = try await h.request(
                        "/v1/messages", body: body,
                        headers: [("anthropic-version", "2023-06-01"), ("x-request-id", requestID)])
                    Self.expectAnthropicError(answer, status: c.status, type: c.type, "\(c.model) stream \(stream)")
                    #expect(answer.header("x-request-id") == requestID, "\(c.model) stream \(stream)")
                }
            }
        }
    }
}
