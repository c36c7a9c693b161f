import DialectOpenAI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Tries a route plan's deployments in order until an answer starts (DESIGN.md "Attempt loop"):
/// transient errors are retried on the same deployment with backoff, the plan's error classes move on
/// to the next deployment, client mistakes end the loop. Once an attempt returns a response the
/// request is committed; later failures are the attempt's to report in-stream.
struct AttemptLoop: Sendable {
    let logger: Logger

    /// - Parameters:
    ///   - attempt: sends the request to one deployment; returns the answer or throws why it failed.
    ///   - failure: the client-dialect error answer when nothing succeeded.
    func run(
        plan: RoutePlan, requestID: String,
        failure: (GatewayError, HTTPFields) -> Response,
        attempt: (Deployment, _ attempts: Int) async throws(GatewayError) -> Response
    ) async -> Response {
        var lastError = GatewayError(.upstreamError, "No deployment could serve the model '\(plan.publicName)'.")
        var lastDeployment: Deployment?
        var attempts = 0
        deployments: for deployment in plan.deployments {
            for retry in 1...max(1, plan.retry.attempts) {
                attempts += 1
                lastDeployment = deployment
                do {
                    return try await attempt(deployment, attempts)
                } catch {
                    lastError = Self.sanitize(error, provider: deployment.provider)
                }
                logger.debug(
                    "attempt failed",
                    metadata: [
                        "request_id": .string(requestID), "deployment": .string(deployment.label),
                        "error": .string(lastError.description),
                    ])
                guard lastError.allowsFailover, plan.retry.on.contains(lastError.kind) else { break deployments }
                if !lastError.isTransient || retry == plan.retry.attempts { continue deployments }
                try? await Task.sleep(for: Self.backoff(attempt: retry, retryAfter: lastError.retryAfter))
            }
        }
        var headers = HTTPFields()
        if let deployment = lastDeployment {
            headers[.switchyardProvider] = deployment.provider.name
            headers[.switchyardModel] = deployment.upstreamModel
            headers[.switchyardAttempts] = String(attempts)
        }
        return failure(lastError, headers)
    }

    /// Exponential backoff with full jitter, honouring a short `retry-after`; capped so a retry never
    /// costs the client more than a couple of seconds.
    static func backoff(attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Double(retryAfter), seconds >= 0, seconds <= 2 {
            return .milliseconds(Int64(seconds * 1000))
        }
        let ceiling = min(2000.0, 100.0 * Double(1 << min(attempt, 5)))
        return .milliseconds(Int64(Double.random(in: 0...ceiling)))
    }

    /// Errors reach the client without provider secrets: an upstream auth failure never repeats the
    /// provider's message (which may quote part of the key), and any message is scrubbed of the key.
    static func sanitize(_ error: GatewayError, provider: GatewayConfig.Provider) -> GatewayError {
        var error = error
        switch error.kind {
        case .upstreamAuthentication:
            error.message = "Provider '\(provider.name)' rejected the gateway's credentials (HTTP \(error.upstreamStatus ?? 401))."
        case .upstreamPermission:
            error.message = "Provider '\(provider.name)' refused access (HTTP \(error.upstreamStatus ?? 403))."
        default:
            error.message = SecretScrubber(provider: provider).scrub(error.message)
        }
        return error
    }
}
