import AsyncHTTPClient
import DialectOpenAI
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// The fast path (DESIGN.md "Passthrough"): an OpenAI-dialect request to an OpenAI-dialect provider
/// goes out as the client's bytes with the model replaced, and the answer comes back as the
/// provider's bytes, read only for usage.
struct OpenAIPassthrough: Sendable {
    let upstream: UpstreamClient
    let accounting: Accounting

    func attempt(
        _ request: PassthroughRequest, operation: ProviderOperation, context: AnswerContext
    ) async throws(GatewayError) -> Response {
        let deployment = context.deployment
        let adapter = deployment.adapter
        guard let path = adapter.passthroughPath(operation) else {
            throw GatewayError(.invalidRequest, "Provider '\(deployment.provider.name)' does not serve this endpoint.")
        }
        let endpoint = adapter.endpoint(deployment.provider, model: deployment.upstreamModel, path: path)
        let body = request.upstreamBody(model: deployment.upstreamModel, allocator: ByteBufferAllocator())
        // Errors only: the body itself is never decoded on this path.
        let decodeError = OpenAIChatCodec().decodeError
        guard request.stream else {
            let answer = try await upstream.answer(
                endpoint: endpoint, body: body, requestID: context.requestID, timeouts: deployment.timeouts,
                decodeError: decodeError)
            return bufferedAnswer(answer.body, contentType: answer.headers.first(name: "content-type"), context: context)
        }
        let (_, stream) = try await upstream.stream(
            endpoint: endpoint, body: body, requestID: context.requestID, timeouts: deployment.timeouts,
            decodeError: decodeError)
        return streamAnswer(stream, request: request, context: context)
    }

    func bufferedAnswer(_ body: ByteBuffer, contentType: String?, context: AnswerContext) -> Response {
        let usage: Usage? = body.withUnsafeReadableBytes { bytes in
            guard let fields = try? JSONScanner.topLevelFields(bytes),
                let field = fields.first(where: { $0.key == "usage" }), !JSONScanner.isNull(bytes, field.value)
            else { return nil }
            return OpenAIUsage.decode(bytes, field.value, flavor: context.deployment.usageFlavor)
        }
        let record = context.record(usage: usage, outputBytes: body.readableBytes, outcome: .completed)
        accounting.record(record)
        let headers = context.headers(contentType: contentType, priced: record)
        let scrubbed = context.scrubber.scrubWhole(body)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: scrubbed))
    }

    func streamAnswer(_ stream: UpstreamStream, request: PassthroughRequest, context: AnswerContext) -> Response {
        var headers = context.headers(contentType: "text/event-stream")
        headers[.cacheControl] = "no-cache"
        let accounting = self.accounting
        let flavor = context.deployment.usageFlavor
        let body = ResponseBody { writer in
            var relay = StreamRelay(stripUsageChunk: !request.clientWantsUsage, flavor: flavor)
            var outcome = UsageRecord.Outcome.completed
            var out = ByteBuffer()
            var scrubber = context.scrubber
            let ending = await StreamPump.run(
                stream, to: &writer, until: context.started + context.maxStreamDuration, scrubber: &scrubber
            ) { chunk in
                out.clear()
                relay.process(chunk, into: &out)
                return (out, false)
            }
            let clientGone = ending.clientGone
            var upstreamFailure = ending.failure
            if clientGone {
                // The client went away. Leaving the loop dropped the upstream body, which cancels the
                // provider request; the tokens used so far are still recorded below.
                outcome = .clientDisconnected
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
                if !(await StreamPump.end(&writer, tail: out, scrubber: &scrubber)) { outcome = .clientDisconnected }
            }
            accounting.record(
                context.record(usage: relay.usage, outputBytes: relay.relayedContentBytes, outcome: outcome))
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
