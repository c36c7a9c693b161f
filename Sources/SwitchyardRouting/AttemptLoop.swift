import SwitchyardConfig
import SwitchyardCore

/// What one attempt ended with, kept for the request's outcome (failed attempts are outcomes too).
public struct AttemptRecord: Sendable {
    public let deployment: Deployment
    /// nil for the attempt that produced the answer.
    public let error: GatewayError?
    public let duration: Duration
}

/// The result of a run: the answer and the deployment that produced it, or the error to report; and
/// every attempt made on the way.
public struct AttemptRun<Answer: Sendable>: Sendable {
    public let result: Result<(answer: Answer, deployment: Deployment), GatewayError>
    public let attempts: [AttemptRecord]

    /// The deployment that answered, or the last one tried.
    public var lastDeployment: Deployment? {
        if case .success(let served) = result { return served.deployment }
        return attempts.last?.deployment
    }
}

/// Tries a route plan's deployments until one produces an answer (DESIGN.md "Attempt loop"): transient
/// errors are retried on the same deployment with backoff, the plan's error classes move on to the next
/// deployment, client mistakes end the loop. Once an attempt returns an answer the request is committed;
/// later failures are the answer's to report in-stream.
///
/// What the loop decides with comes in as values: `strategy` orders the plan, `health` says which
/// deployments to skip and hears every result (circuit breakers, latency), `clock` times and waits. It
/// knows nothing of HTTP or of who asked, so hedging and breakers change this file and nothing above it.
public struct AttemptLoop: Sendable {
    public let strategy: any RoutingStrategy
    public let health: any DeploymentHealth
    public let clock: any AttemptClock

    public init(
        strategy: any RoutingStrategy = PlanOrder(), health: any DeploymentHealth = AlwaysHealthy(),
        clock: any AttemptClock = SystemAttemptClock()
    ) {
        self.strategy = strategy
        self.health = health
        self.clock = clock
    }

    /// - Parameter attempt: sends the request to one deployment (with the number of this attempt, from 1);
    ///   returns the answer or throws why it failed.
    public func run<Answer: Sendable>(
        plan: RoutePlan, attempt: (Deployment, _ number: Int) async throws(GatewayError) -> Answer
    ) async -> AttemptRun<Answer> {
        var lastError = GatewayError(.upstreamError, "No deployment could serve the model '\(plan.publicName)'.")
        var records: [AttemptRecord] = []
        let ordered = strategy.order(plan.deployments)
        // A deployment health rules out is skipped while another remains; when none does, all are tried, so
        // health alone never causes an outage.
        let admitted = ordered.filter { health.admits($0) }
        let deployments = admitted.isEmpty ? ordered : admitted
        deployments: for deployment in deployments {
            for retry in 1...max(1, plan.retry.attempts) {
                let began = clock.now
                do {
                    let answer = try await attempt(deployment, records.count + 1)
                    let record = AttemptRecord(deployment: deployment, error: nil, duration: clock.now - began)
                    health.observe(record)
                    records.append(record)
                    return AttemptRun(result: .success((answer, deployment)), attempts: records)
                } catch {
                    lastError = error
                    let record = AttemptRecord(deployment: deployment, error: error, duration: clock.now - began)
                    health.observe(record)
                    records.append(record)
                }
                guard lastError.allowsFailover, plan.retry.on.contains(lastError.kind) else { break deployments }
                if !lastError.isTransient || retry == plan.retry.attempts { continue deployments }
                do {
                    try await clock.sleep(for: Self.backoff(attempt: retry, retryAfter: lastError.retryAfter))
                } catch {
                    // Cancelled (the client left): no further attempts.
                    break deployments
                }
            }
        }
        return AttemptRun(result: .failure(lastError), attempts: records)
    }

    /// Exponential backoff with full jitter, honouring a short `retry-after`; capped so a retry never
    /// costs the client more than a couple of seconds.
    public static func backoff(attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Double(retryAfter), seconds >= 0, seconds <= 2 {
            return .milliseconds(Int64(seconds * 1000))
        }
        let ceiling = min(2000.0, 100.0 * Double(1 << min(attempt, 5)))
        return .milliseconds(Int64(Double.random(in: 0...ceiling)))
    }
}
