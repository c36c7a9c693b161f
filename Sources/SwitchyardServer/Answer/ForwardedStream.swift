import Hummingbird
import NIOCore
import SwitchyardCore

/// A native-dialect stream forwarded to a client of the same dialect (Anthropic to Anthropic): the
/// provider's bytes unchanged, read on the side by its codec for usage and to notice a bad ending.
enum ForwardedStream {
    /// - Parameter streamError: the in-stream error event written when the provider's stream breaks.
    static func response(
        _ stream: UpstreamStream, codec: any ProviderCodec, streamError: @escaping @Sendable (GatewayError) -> [UInt8],
        context: AnswerContext
    ) -> Response {
        let headers = context.streamHeaders(contentType: stream.contentType ?? "text/event-stream")
        let body = ResponseBody { writer in
            var decoder = codec.makeStreamDecoder()
            var progress = StreamProgress()
            var scrubber = context.scrubber
            var firstByte: ContinuousClock.Instant?
            let ending = await StreamPump.run(
                stream, to: &writer, until: context.streamDeadline, scrubber: &scrubber,
                firstByte: &firstByte
            ) { chunk in
                progress.observe(decoder.feed(Array(buffer: chunk)))
                return (chunk, false)
            }
            var upstreamFailure = ending.failure
            var outcome = RequestOutcome.Ending.completed
            if ending.clientGone {
                outcome = .clientGone
            } else {
                if upstreamFailure == nil { progress.observe(decoder.finish()) }
                if upstreamFailure == nil, !progress.finished, !progress.failed {
                    upstreamFailure = GatewayError(.upstreamError, "The provider closed the stream before it was complete.")
                }
                var tail: [UInt8] = []
                if let failure = upstreamFailure { tail = streamError(failure) }
                if progress.failed || upstreamFailure != nil { outcome = .upstreamFailed }
                if !(await StreamPump.end(&writer, tail: ByteBuffer(bytes: tail), scrubber: &scrubber)) { outcome = .clientGone }
            }
            context.streamEnded(progress, outcome, failure: upstreamFailure, firstByte: firstByte)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
