import AsyncHTTPClient
import DialectOpenAI
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// Same-dialect forwarding for native dialects (an Anthropic client calling Anthropic): the client's
/// bytes go upstream with only the model replaced, and the provider's bytes come back unchanged. The
/// provider codec reads the answer on the side, for usage and to notice a stream that ends badly.
struct NativePassthrough: Sendable {
    let upstream: UpstreamClient
    let accounting: Accounting

    /// - Parameter streamError: the in-stream error event written when the provider's stream breaks.
    func attempt(
        _ request: PassthroughRequest, operation: ProviderOperation, headers extra: [(String, String)], codec: any ProviderCodec,
        streamError: @escaping @Sendable (GatewayError) -> [UInt8], context: AnswerContext
    ) async throws(GatewayError) -> Response {
        let deployment = context.deployment
        guard let path = deployment.adapter.passthroughPath(operation) else {
            throw GatewayError(.invalidRequest, "Provider '\(deployment.provider.name)' does not serve this endpoint.")
        }
        var endpoint = deployment.adapter.endpoint(deployment.provider, model: deployment.upstreamModel, path: path)
        endpoint.headers.append(contentsOf: extra)
        let body = request.upstreamBody(
            model: deployment.upstreamModel, allocator: ByteBufferAllocator(), requestUsage: false)
        guard request.stream else {
            let answer = try await upstream.answer(
                endpoint: endpoint, body: body, requestID: context.requestID, timeouts: deployment.timeouts,
                decodeError: codec.decodeError)
            return bufferedAnswer(
                answer.body, contentType: answer.headers.first(name: "content-type"), codec: codec, context: context)
        }
        let (headers, stream) = try await upstream.stream(
            endpoint: endpoint, body: body, requestID: context.requestID, timeouts: deployment.timeouts,
            decodeError: codec.decodeError)
        return streamAnswer(
            stream, contentType: headers.first(name: "content-type") ?? "text/event-stream", codec: codec,
            streamError: streamError, context: context)
    }

    func bufferedAnswer(
        _ answer: ByteBuffer, contentType: String?, codec: any ProviderCodec, context: AnswerContext
    ) -> Response {
        let usage = (try? codec.decodeResponse(Array(buffer: answer)))?.usage
        let record = context.record(usage: usage, outputBytes: answer.readableBytes, outcome: .completed)
        accounting.record(record)
        let headers = context.headers(contentType: contentType, priced: record)
        let scrubbed = context.scrubber.scrubWhole(answer)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: scrubbed))
    }

    func streamAnswer(
        _ stream: UpstreamStream, contentType: String, codec: any ProviderCodec,
        streamError: @escaping @Sendable (GatewayError) -> [UInt8], context: AnswerContext
    ) -> Response {
        var headers = context.headers(contentType: contentType)
        headers[.cacheControl] = "no-cache"
        let accounting = self.accounting
        let body = ResponseBody { writer in
            var decoder = codec.makeStreamDecoder()
            var progress = StreamProgress()
            var scrubber = context.scrubber
            let ending = await StreamPump.run(
                stream, to: &writer, until: context.started + context.maxStreamDuration, scrubber: &scrubber
            ) { chunk in
                progress.observe(decoder.feed(Array(buffer: chunk)))
                return (chunk, false)
            }
            let clientGone = ending.clientGone
            var upstreamFailure = ending.failure
            var outcome = UsageRecord.Outcome.completed
            if clientGone {
                outcome = .clientDisconnected
            } else {
                if upstreamFailure == nil { progress.observe(decoder.finish()) }
                if upstreamFailure == nil, !progress.finished, !progress.failed {
                    upstreamFailure = GatewayError(.upstreamError, "The provider closed the stream before it was complete.")
                }
                var tail: [UInt8] = []
                if let failure = upstreamFailure { tail = streamError(failure) }
                if progress.failed || upstreamFailure != nil { outcome = .upstreamFailed }
                if !(await StreamPump.end(&writer, tail: ByteBuffer(bytes: tail), scrubber: &scrubber)) { outcome = .clientDisconnected }
            }
            accounting.record(context.record(usage: progress.usage, outputBytes: progress.outputBytes, outcome: outcome))
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
