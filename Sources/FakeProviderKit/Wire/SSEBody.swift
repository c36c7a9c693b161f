import Hummingbird
import NIOCore

/// Writes a precomputed event stream, applying the stream knobs: `chunk_delay` between
/// events, and at most one fault — `cut_after`, `midstream_error` or `hang_after` — once that
/// many events are out. An "event" is one SSE event, or one binary frame for Bedrock's
/// `application/vnd.amazon.eventstream`.
struct SSEBody: Sendable {
    /// Comment lines before the first event (keep-alives); not counted as events.
    var preamble: StaticString?
    /// `data: {…}\n\n` events, without `[DONE]`.
    var events: [ByteBuffer]
    /// The in-band error for `midstream_error`, and whether `[DONE]` follows it.
    var midstreamError: (event: ByteBuffer, thenDone: Bool)?
    var knobs: Knobs
    /// Ends the `hang_after` stall when the client leaves.
    var departure: ClientDepartureWatcher.Wait?
    /// Written after the last event: OpenAI's `[DONE]`; nil for the native dialects, whose
    /// streams just end.
    var terminator: ByteBuffer? = SSEBody.done

    static let done = ByteBuffer(staticString: "data: [DONE]\n\n")

    /// OpenAI's in-band failure (`openai/chat-stream-error-midstream.txt`); no `[DONE]` follows.
    static let openAIMidstreamError = ByteBuffer(
        staticString:
            #"data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}\#n\#n"#
    )

    /// Thrown to abandon the response: Hummingbird then closes the connection without the
    /// terminating chunk, which is exactly what a dropped upstream looks like.
    struct StreamCut: Error {}

    func responseBody() -> ResponseBody {
        let body = self
        return ResponseBody { writer in
            if let preamble = body.preamble {
                try await writer.write(ByteBuffer(staticString: preamble))
            }
            let knobs = body.knobs
            let faultAt = [knobs.cutAfter, knobs.midstreamError, knobs.hangAfter].compactMap { $0 }.min()
            // Fast path (benchmarks): everything in one write.
            if faultAt == nil && knobs.chunkDelayMilliseconds == 0 {
                try await writer.write(contentsOf: body.terminator.map { body.events + [$0] } ?? body.events)
                try await writer.finish(nil)
                return
            }
            let stopAt = min(faultAt ?? Int.max, body.events.count)
            for index in 0..<stopAt {
                if index > 0 && knobs.chunkDelayMilliseconds > 0 {
                    try await Task.sleep(for: .milliseconds(knobs.chunkDelayMilliseconds))
                }
                try await writer.write(body.events[index])
            }
            guard faultAt != nil else {
                if let terminator = body.terminator { try await writer.write(terminator) }
                try await writer.finish(nil)
                return
            }
            if knobs.chunkDelayMilliseconds > 0 {
                try await Task.sleep(for: .milliseconds(knobs.chunkDelayMilliseconds))
            }
            // The earliest fault wins; ties resolve cut, then error, then hang.
            if let cut = knobs.cutAfter, cut == faultAt {
                // Hummingbird closes the channel as soon as the body throws, possibly before the
                // events above have left the outbound writer (and HTTP clients may drop bytes
                // still buffered when a connection fails): let them reach the client first, so
                // exactly `cut_after` events arrive.
                try await Task.sleep(for: .milliseconds(50))
                throw StreamCut()
            }
            if let error = knobs.midstreamError, error == faultAt, let midstream = body.midstreamError {
                try await writer.write(midstream.event)
                if midstream.thenDone, let terminator = body.terminator { try await writer.write(terminator) }
                try await writer.finish(nil)
                return
            }
            try await body.departure?.untilClientLeaves()
            throw StreamCut()
        }
    }
}
