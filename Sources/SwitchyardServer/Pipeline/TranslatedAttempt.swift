import AsyncHTTPClient
import DialectOpenAI
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// A request whose client and provider speak different dialects: decoded to canonical types once,
/// encoded by the provider's codec, and the answer (or stream, event by event) encoded back in the
/// client's dialect.
struct TranslatedAttempt: Sendable {
    let upstream: UpstreamClient
    let accounting: Accounting

    func attempt(
        _ request: ChatRequest, inbound: any InboundDialect, context: AnswerContext
    ) async throws(GatewayError) -> Response {
        let deployment = context.deployment
        let adapter = deployment.adapter
        let codec = adapter.codec(maxOutputTokens: deployment.maxOutputTokens)
        // Dialect-specific fields the client sent mean nothing to a provider of another dialect (and some
        // providers reject unknown fields), so only canonical content crosses over.
        let encoded = try codec.encodeRequest(request.withoutDialectExtras(), upstreamModel: deployment.upstreamModel)
        var endpoint = adapter.endpoint(deployment.provider, model: deployment.upstreamModel, path: encoded.path)
        endpoint.headers.append(contentsOf: encoded.headers)
        let body = ByteBuffer(bytes: encoded.body)
        endpoint = try adapter.sign(endpoint, body: encoded.body, provider: deployment.provider)
        guard request.stream else {
            let answer = try await upstream.answer(
                endpoint: endpoint, body: body, requestID: context.requestID, timeouts: deployment.timeouts,
                decodeError: codec.decodeError)
            return try bufferedAnswer(
                answer.body, inbound: inbound, codec: codec, adjustments: encoded.adjustments, context: context)
        }
        let (_, stream) = try await upstream.stream(
            endpoint: endpoint, body: body, requestID: context.requestID, timeouts: deployment.timeouts,
            decodeError: codec.decodeError)
        return streamAnswer(
            stream, request: request, inbound: inbound, codec: codec, adjustments: encoded.adjustments, context: context)
    }

    func bufferedAnswer(
        _ answer: ByteBuffer, inbound: any InboundDialect, codec: any ProviderCodec, adjustments: [String],
        context: AnswerContext
    ) throws(GatewayError) -> Response {
        var decoded = try codec.decodeResponse(Array(buffer: answer))
        if adjustments.contains(Adjustment.parallelToolCalls) { SingleToolCall.enforce(&decoded) }
        // An answer the model botched is a failed attempt, not a normal end (mapping.md §1.1).
        for choice in decoded.choices {
            if case .error(let native) = choice.finishReason {
                throw GatewayError(.upstreamError, "The model produced unusable output (\(native)).")
            }
        }
        let record = context.record(usage: decoded.usage, outputBytes: answer.readableBytes, outcome: .completed)
        accounting.record(record)
        let headers = context.headers(contentType: "application/json", priced: record, adjusted: adjustments)
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(
                byteBuffer: context.scrubber.scrubWhole(ByteBuffer(bytes: inbound.encodeResponse(decoded, context: context)))))
    }

    func streamAnswer(
        _ stream: UpstreamStream, request: ChatRequest, inbound: any InboundDialect, codec: any ProviderCodec,
        adjustments: [String], context: AnswerContext
    ) -> Response {
        var headers = context.headers(contentType: inbound.streamContentType, adjusted: adjustments)
        let singleToolCall = adjustments.contains(Adjustment.parallelToolCalls)
        headers[.cacheControl] = "no-cache"
        let accounting = self.accounting
        let body = ResponseBody { writer in
            var decoder = codec.makeStreamDecoder()
            var encoder = inbound.makeStreamEncoder(for: request, context: context)
            var progress = StreamProgress()
            var scrubber = context.scrubber
            let ending = await StreamPump.run(
                stream, to: &writer, until: context.started + context.maxStreamDuration, scrubber: &scrubber
            ) { chunk in
                var events = decoder.feed(Array(buffer: chunk))
                if singleToolCall { events = SingleToolCall.filter(events) }
                let out = progress.translate(events, with: &encoder)
                return (ByteBuffer(bytes: out), progress.failed)
            }
            let clientGone = ending.clientGone
            var upstreamFailure = ending.failure
            var outcome = UsageRecord.Outcome.completed
            if clientGone {
                outcome = .clientDisconnected
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
                if !(await StreamPump.end(&writer, tail: ByteBuffer(bytes: out), scrubber: &scrubber)) { outcome = .clientDisconnected }
            }
            accounting.record(context.record(usage: progress.usage, outputBytes: progress.outputBytes, outcome: outcome))
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension ChatRequest {
    /// The request without the inbound dialect's uninterpreted fields (`extra` on the request and messages).
    func withoutDialectExtras() -> ChatRequest {
        var copy = self
        copy.extra = [:]
        for index in copy.messages.indices { copy.messages[index].extra = [:] }
        return copy
    }
}
