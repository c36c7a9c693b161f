import DialectOpenAI
import Hummingbird
import NIOCore
import SwitchyardCore

/// The fast path's stream (DESIGN.md "Passthrough"): an OpenAI-dialect provider's events relayed to an
/// OpenAI-dialect client as bytes, read only for usage, the finish and errors (`StreamRelay`).
enum RelayedStream {
    static func response(
        _ stream: UpstreamStream, request: PassthroughRequest, flavor: OpenAIUsage.Flavor, context: AnswerContext
    ) -> Response {
        let headers = context.streamHeaders(contentType: "text/event-stream")
        let body = ResponseBody { writer in
            var relay = StreamRelay(stripUsageChunk: !request.clientWantsUsage, flavor: flavor)
            var outcome = RequestOutcome.Ending.completed
            var out = ByteBuffer()
            var scrubber = context.scrubber
            var firstByte: ContinuousClock.Instant?
            let ending = await StreamPump.run(
                stream, to: &writer, until: context.streamDeadline, scrubber: &scrubber,
                firstByte: &firstByte
            ) { chunk in
                out.clear()
                relay.process(chunk, into: &out)
                return (out, false)
            }
            var upstreamFailure = ending.failure
            if ending.clientGone {
                // Leaving the loop dropped the upstream body, which cancels the provider request; the tokens
                // used so far are still recorded below.
                outcome = .clientGone
            } else {
                out.clear()
                relay.finish(into: &out)
                if upstreamFailure == nil, !relay.isComplete, !relay.sawError {
                    upstreamFailure = GatewayError(.upstreamError, "The provider closed the stream before it was complete.")
                }
                if let failure = upstreamFailure {
                    out.writeBytes(SSEWriter.event(JSON.encode(OpenAIErrors.body(for: failure))))
                }
                if upstreamFailure != nil || relay.sawError { outcome = .upstreamFailed }
                if !(await StreamPump.end(&writer, tail: out, scrubber: &scrubber)) { outcome = .clientGone }
            }
            context.onEnd(
                context.ending(
                    usage: relay.usage, outputBytes: relay.relayedContentBytes, outcome, failure: upstreamFailure,
                    firstByte: firstByte))
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
