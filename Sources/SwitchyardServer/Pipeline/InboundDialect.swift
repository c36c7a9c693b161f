import DialectOpenAI
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// The client's side of a translated request: how answers, streams and errors are written in the
/// dialect the client spoke (DESIGN.md "Error dialect follows the endpoint").
protocol InboundDialect: Sendable {
    func encodeResponse(_ response: ChatResponse, context: AnswerContext) -> [UInt8]
    func makeStreamEncoder(for request: ChatRequest, context: AnswerContext) -> any ClientStreamEncoder
    func errorResponse(_ error: GatewayError, requestID: String, headers: HTTPFields) -> Response
    /// Content type of a streamed answer.
    var streamContentType: String { get }
}

/// Writes canonical stream events in a client's dialect.
protocol ClientStreamEncoder: Sendable {
    mutating func encode(_ event: StreamEvent) -> [UInt8]
    /// The end of a stream that finished normally.
    mutating func finish() -> [UInt8]
}

extension OpenAIStreamEncoder: ClientStreamEncoder {}

/// OpenAI Chat Completions clients.
struct OpenAIInbound: InboundDialect {
    var streamContentType: String { "text/event-stream" }

    /// Ids are minted per dialect (mapping.md §6); the provider's own id stays in the logs.
    static func completionID(_ requestID: String) -> String {
        "chatcmpl-" + requestID.filter { $0.isLetter || $0.isNumber }
    }

    func encodeResponse(_ response: ChatResponse, context: AnswerContext) -> [UInt8] {
        var response = response
        response.id = Self.completionID(context.requestID)
        if response.model.isEmpty { response.model = context.deployment.upstreamModel }
        return JSON.encode(OpenAIResponse.encode(response))
    }

    func makeStreamEncoder(for request: ChatRequest, context: AnswerContext) -> any ClientStreamEncoder {
        OpenAIStreamEncoder(
            id: Self.completionID(context.requestID), model: context.deployment.upstreamModel,
            created: Int(Date.now.timeIntervalSince1970), includeUsage: request.includeUsage,
            adoptsUpstreamIdentity: false)
    }

    func errorResponse(_ error: GatewayError, requestID: String, headers: HTTPFields) -> Response {
        ErrorResponse.openAI(error, requestID: requestID, extraHeaders: headers)
    }
}
