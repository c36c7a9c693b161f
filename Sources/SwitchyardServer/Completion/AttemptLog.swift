import Logging

/// Logs each failed attempt of a request (debug level): which deployment, and why.
struct AttemptLog: CompletionSink {
    let logger: Logger

    func complete(_ outcome: RequestOutcome) {
        guard logger.logLevel <= .debug else { return }
        for attempt in outcome.attempts {
            guard let error = attempt.error else { continue }
            logger.debug(
                "attempt failed",
                metadata: [
                    "request_id": .string(outcome.requestID), "deployment": .string(attempt.deployment.label),
                    "error": .string(error.description),
                ])
        }
    }
}
