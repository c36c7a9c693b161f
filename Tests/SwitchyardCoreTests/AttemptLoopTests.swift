import Synchronization
import SwitchyardConfig
import SwitchyardCore
import SwitchyardRouting
import Testing

/// The attempt loop decides with the strategy, health and clock it is given.
@Suite struct AttemptLoopTests {
    /// Records waits instead of sleeping.
    final class RecordingClock: AttemptClock {
        let waits = Mutex<[Duration]>([])
        var now: ContinuousClock.Instant { .now }
        func sleep(for duration: Duration) async throws { waits.withLock { $0.append(duration) } }
    }

    /// Refuses the named providers and remembers every observed attempt.
    final class Health: DeploymentHealth {
        let refused: Set<String>
        let observed = Mutex<[String]>([])
        init(refusing refused: Set<String>) { self.refused = refused }
        func admits(_ deployment: Deployment) -> Bool { !refused.contains(deployment.provider.name) }
        func observe(_ attempt: AttemptRecord) {
            observed.withLock { $0.append("\(attempt.deployment.provider.name):\(attempt.error?.kind.rawValue ?? "ok")") }
        }
    }

    struct Reversed: RoutingStrategy {
        func order(_ deployments: [Deployment]) -> [Deployment] { deployments.reversed() }
    }

    static func plan(_ providers: [String], attempts: Int = 1) throws -> RoutePlan {
        var yaml = "server: { master_key: m }\nproviders:\n"
        for name in providers { yaml += "  \(name): { kind: openai-compatible, base_url: \"http://127.0.0.1:9/v1\" }\n" }
        yaml += "models:\n  - name: m\n    to: \(providers[0])/x\n"
        if providers.count > 1 { yaml += "    fallbacks: [\(providers.dropFirst().map { "\($0)/x" }.joined(separator: ", "))]\n" }
        yaml += "    retry: { attempts: \(attempts), on: [rate_limit, server_error] }\n"
        let config = try ConfigLoader(environment: [:]).load(yaml: yaml)
        var generator = SystemRandomNumberGenerator()
        return try ModelRouter(config: config, catalog: Catalog(entries: [])).plan(model: "m", using: &generator)
    }

    @Test func healthSkipsADeploymentAndHearsEveryAttempt() async throws {
        let health = Health(refusing: ["a"])
        let loop = AttemptLoop(health: health, clock: RecordingClock())
        let run = await loop.run(plan: try Self.plan(["a", "b"])) { deployment, _ throws(GatewayError) in
            deployment.provider.name
        }
        #expect(try run.result.get().answer == "b")
        #expect(run.attempts.map(\.deployment.provider.name) == ["b"])
        #expect(health.observed.withLock { $0 } == ["b:ok"])
    }

    @Test func whenHealthRefusesEveryDeploymentAllAreStillTried() async throws {
        let loop = AttemptLoop(health: Health(refusing: ["a", "b"]), clock: RecordingClock())
        let run = await loop.run(plan: try Self.plan(["a", "b"])) { deployment, _ throws(GatewayError) in
            deployment.provider.name
        }
        #expect(try run.result.get().answer == "a", "the breaker alone never causes an outage")
    }

    @Test func theStrategyOrdersThePlan() async throws {
        let loop = AttemptLoop(strategy: Reversed(), clock: RecordingClock())
        let run = await loop.run(plan: try Self.plan(["a", "b", "c"])) { deployment, _ throws(GatewayError) in
            deployment.provider.name
        }
        #expect(try run.result.get().answer == "c")
    }

    @Test func retriesWaitOnTheClockAsRetryAfterSays() async throws {
        let clock = RecordingClock()
        let health = Health(refusing: [])
        let loop = AttemptLoop(health: health, clock: clock)
        let run = await loop.run(plan: try Self.plan(["a", "b"], attempts: 3)) { deployment, number throws(GatewayError) -> String in
            if deployment.provider.name == "a" {
                throw GatewayError(.rateLimited, "slow down", retryAfter: "1")
            }
            return "b after \(number - 1) failures"
        }
        #expect(try run.result.get().answer == "b after 3 failures")
        #expect(clock.waits.withLock { $0 } == [.seconds(1), .seconds(1)], "two waits between three tries")
        #expect(health.observed.withLock { $0 } == ["a:rate_limited", "a:rate_limited", "a:rate_limited", "b:ok"])
        #expect(run.attempts.count == 4)
    }

    @Test func aClientErrorEndsTheLoop() async throws {
        let loop = AttemptLoop(clock: RecordingClock())
        let run = await loop.run(plan: try Self.plan(["a", "b"])) { _, _ throws(GatewayError) -> String in
            throw GatewayError(.invalidRequest, "bad")
        }
        #expect(run.attempts.count == 1)
        guard case .failure(let error) = run.result else { Issue.record("expected a failure"); return }
        #expect(error.kind == .invalidRequest)
    }
}
