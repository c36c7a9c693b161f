import SwitchyardCore

/// What a stream has shown so far, read from its canonical events: usage, whether it finished or
/// failed, and the size of the generated output (for estimating tokens when no usage arrives).
/// Events after a failure are ignored.
struct StreamProgress {
    var usage: Usage?
    var finished = false
    var failed = false
    /// The provider's in-stream error, when it sent one.
    var failure: GatewayError?
    var outputBytes = 0

    mutating func observe(_ events: [StreamEvent]) {
        for event in events where !failed { note(event) }
    }

    /// Observes `events` and returns them encoded for the client.
    mutating func translate(_ events: [StreamEvent], with encoder: inout any ClientStreamEncoder) -> [UInt8] {
        var out: [UInt8] = []
        for event in events where !failed {
            note(event)
            out += encoder.encode(event)
        }
        return out
    }

    private mutating func note(_ event: StreamEvent) {
        switch event {
        case .usage(let snapshot): usage = snapshot
        case .finish(_, .error(let native)):
            failed = true
            failure = .unusableOutput(native)
        case .finish: finished = true
        case .error(let error):
            failed = true
            failure = error
        case .textDelta(_, let text), .reasoningDelta(_, let text), .refusalDelta(_, let text):
            outputBytes += text.utf8.count
        case .toolCallArgumentsDelta(_, _, let fragment): outputBytes += fragment.utf8.count
        default: break
        }
    }
}

extension AnswerContext {
    /// Hands the ending of a stream read through `progress` to the completion point.
    func streamEnded(
        _ progress: StreamProgress, _ outcome: RequestOutcome.Ending, failure: GatewayError?,
        firstByte: ContinuousClock.Instant?
    ) {
        onEnd(
            ending(
                usage: progress.usage, outputBytes: progress.outputBytes, outcome, failure: failure ?? progress.failure,
                firstByte: firstByte))
    }
}
