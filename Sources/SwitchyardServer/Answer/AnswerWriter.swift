import Hummingbird
import NIOCore
import SwitchyardCore

/// Turns an attempt's upstream answer into the client's HTTP response, in the client's dialect: whole
/// answers here, streams by the writer for their route (the dialect's own passthrough stream, or
/// `TranslatedStream`). Every path ends by handing its ending to `context.onEnd`.
enum AnswerWriter {
    static func response(
        for attempted: Attempted, request: PassthroughRequest, dialect: any InboundDialect, context: AnswerContext
    ) -> Response {
        switch (attempted.answer, attempted.route) {
        case (.whole(let answer), _):
            return whole(answer, dialect: dialect, context: context)
        case (.stream(let stream), .passthrough):
            return dialect.passthroughStream(stream, request: request, codec: attempted.codec, context: context)
        case (.stream(let stream), .translated(let canonical, _)):
            return TranslatedStream.response(
                stream, request: canonical, dialect: dialect, codec: attempted.codec, context: context)
        }
    }

    /// The provider's bytes (passthrough), or the decoded answer in the client's dialect (translated).
    static func whole(_ answer: WholeAnswer, dialect: any InboundDialect, context: AnswerContext) -> Response {
        let body: ByteBuffer
        let contentType: String?
        if let decoded = answer.decoded {
            body = ByteBuffer(bytes: dialect.encodeResponse(decoded, context: context))
            contentType = "application/json"
        } else {
            body = answer.body
            contentType = answer.contentType
        }
        let ending = context.ending(
            usage: answer.usage, outputBytes: answer.body.readableBytes, .completed, firstByte: .now)
        context.onEnd(ending)
        return Response(
            status: .ok, headers: context.headers(contentType: contentType, cost: ending.costUSD),
            body: ResponseBody(byteBuffer: context.scrubber.scrubWhole(body)))
    }
}
