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
    ///
    /// The decisions are in `Progress`'s `@inline(never)` methods, so this async frame (which the request's
    /// task keeps the memory of while a stream lasts) holds little more than the deployment being tried.
    public func run<Answer: Sendable>(
        plan: RoutePlan, attempt: (Deployment, _ number: Int) async throws(GatewayError) -> Answer
    ) async -> AttemptRun<Answer> {
        var progress = Progress(plan: plan, loop: self)
        while let deployment = progress.current {
            let began = clock.now
            do {
                let answer = try await attempt(deployment, progress.attemptNumber)
                return progress.succeeded(with: answer, began: began, loop: self)
            } catch {
                guard let backoff = progress.failed(error, began: began, loop: self) else { continue }
                do {
                    try await clock.sleep(for: backoff)
                } catch {
                    // Cancelled (the client left): no further attempts.
                    break
                }
            }
        }
        return progress.failure()
    }

    /// Where a run stands: the deployment being tried, its retries, the attempts so far.
    struct Progress {
        private let deployments: [Deployment]
        private let retry: GatewayConfig.Retry
        private var index = 0
        private var retryNumber = 1
        private var records: [AttemptRecord] = []
        private let publicName: String
        /// Nil until an attempt failed.
        private var lastError: GatewayError?

        @inline(never)
        init(plan: RoutePlan, loop: AttemptLoop) {
            let ordered = loop.strategy.order(plan.deployments)
            // A deployment health rules out is skipped while another remains; when none does, all are tried, so
            // health alone never causes an outage.
            let admitted = ordered.filter { loop.health.admits($0) }
            deployments = admitted.isEmpty ? ordered : admitted
            retry = plan.retry
            publicName = plan.publicName
        }

        /// The deployment to try next; nil when the run is over.
        var current: Deployment? { index < deployments.count ? deployments[index] : nil }

        var attemptNumber: Int { records.count + 1 }

        @inline(never)
        mutating func succeeded<Answer>(with answer: Answer, began: ContinuousClock.Instant, loop: AttemptLoop) -> AttemptRun<Answer> {
            let deployment = deployments[index]
            let record = AttemptRecord(deployment: deployment, error: nil, duration: loop.clock.now - began)
            loop.health.observe(record)
            records.append(record)
            return AttemptRun(result: .success((answer, deployment)), attempts: records)
        }

        /// Records the failure and moves on: the backoff before retrying the same deployment, or nil when the
        /// next deployment is to be tried (or none: then `current` is nil).
        @inline(never)
        mutating func failed(_ error: GatewayError, began: ContinuousClock.Instant, loop: AttemptLoop) -> Duration? {
            lastError = error
            let record = AttemptRecord(deployment: deployments[index], error: error, duration: loop.clock.now - began)
            loop.health.observe(record)
            records.append(record)
            guard error.allowsFailover, retry.on.contains(error.kind) else {
                index = deployments.count
                return nil
            }
            if !error.isTransient || retryNumber == retry.attempts {
                next()
                return nil
            }
            let backoff = AttemptLoop.backoff(attempt: retryNumber, retryAfter: error.retryAfter)
            if retryNumber >= max(1, retry.attempts) { next() } else { retryNumber += 1 }
            return backoff
        }

        private mutating func next() {
            index += 1
            retryNumber = 1
        }

        /// The run's failure: the last error, with every attempt.
        func failure<Answer: Sendable>() -> AttemptRun<Answer> {
            AttemptRun(
                result: .failure(
                    lastError ?? GatewayError(.upstreamError, "No deployment could serve the model '\(publicName)'.")),
                attempts: records)
        }
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
