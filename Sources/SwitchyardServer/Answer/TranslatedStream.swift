import Hummingbird
import NIOCore
import SwitchyardCore

/// A stream from a provider of another dialect: its events decoded by the provider's codec and encoded,
/// event by event, in the client's dialect.
enum TranslatedStream {
    static func response(
        _ stream: UpstreamStream, request: ChatRequest, dialect: any InboundDialect, codec: any ProviderCodec,
        context: AnswerContext
    ) -> Response {
        let headers = context.streamHeaders(contentType: dialect.streamContentType)
        let singleToolCall = context.adjustments.contains(Adjustment.parallelToolCalls)
        let body = ResponseBody { writer in
            var decoder = codec.makeStreamDecoder()
            var encoder = dialect.makeStreamEncoder(for: request, context: context)
            var progress = StreamProgress()
            var scrubber = context.scrubber
            var firstByte: ContinuousClock.Instant?
            let ending = await StreamPump.run(
                stream, to: &writer, until: context.streamDeadline, scrubber: &scrubber,
                firstByte: &firstByte
            ) { chunk in
                var events = decoder.feed(Array(buffer: chunk))
                if singleToolCall { events = SingleToolCall.filter(events) }
                let out = progress.translate(events, with: &encoder)
                return (ByteBuffer(bytes: out), progress.failed)
            }
            var upstreamFailure = ending.failure
            var outcome = RequestOutcome.Ending.completed
            if ending.clientGone {
                outcome = .clientGone
            } else {
                // A stream the pump cut (read failure, duration or event-size limit) ends with that failure; what
                // the decoder still holds is a partial event, not an answer.
                var out: [UInt8] = []
                if upstreamFailure == nil, !progress.failed {
                    let last = decoder.finish()
                    out = progress.translate(singleToolCall ? SingleToolCall.filter(last) : last, with: &encoder)
                }
                if !progress.failed {
                    if upstreamFailure == nil, !progress.finished {
                        upstreamFailure = GatewayError(.upstreamError, "The provider closed the stream before it was complete.")
                    }
                    if let failure = upstreamFailure {
                        out += progress.translate([.error(failure)], with: &encoder)
                    } else {
                        out += encoder.finish()
                    }
                }
                if progress.failed { outcome = .upstreamFailed }
                if !(await StreamPump.end(&writer, tail: ByteBuffer(bytes: out), scrubber: &scrubber)) { outcome = .clientGone }
            }
            context.streamEnded(progress, outcome, failure: upstreamFailure, firstByte: firstByte)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
