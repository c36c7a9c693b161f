/// A consumer of request outcomes. Called once per request, after its answer ended, from the request's
/// task: do the cheap part inline (counters) and hand anything slow (storage, network) to a background writer.
public protocol CompletionSink: Sendable {
    func complete(_ outcome: RequestOutcome)
}

/// Where every request ends: one outcome, fanned out to the sinks. Nothing on the request paths records
/// anything itself.
public struct CompletionPoint: Sendable {
    let sinks: [any CompletionSink]

    public init(sinks: [any CompletionSink]) {
        self.sinks = sinks
    }

    public func complete(_ outcome: RequestOutcome) {
        for sink in sinks { sink.complete(outcome) }
    }
}
