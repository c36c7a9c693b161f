import AsyncHTTPClient
import NIOCore
import SwitchyardCore

/// A provider's streamed body once its first bytes arrived. Reading them before the answer is committed
/// means a provider that fails before sending anything (connection reset, idle timeout, empty body) is
/// failed over like any other error instead of becoming a broken stream, and the client gets the
/// response head together with the first event.
///
/// `@unchecked` because AsyncHTTPClient's body iterator is not `Sendable`: the value is handed from the
/// attempt to the response body writer, which run one after the other in the same request task and
/// never touch it concurrently.
struct UpstreamStream: @unchecked Sendable {
    let first: ByteBuffer?
    let rest: HTTPClientResponse.Body.AsyncIterator
    /// The provider's `content-type`.
    var contentType: String?
    /// Server-sent events (every provider but Bedrock, whose binary frames carry their own lengths, which
    /// its decoder bounds): the pump bounds how long one event may grow (`StreamPump.maxEventBytes`).
    var isServerSentEvents = true
    /// The provider connection slot this stream holds; released with the stream.
    var lease: ConnectionSlots.Lease?

    /// - Parameter lease: the provider connection slot the stream holds from here on.
    init(first: ByteBuffer?, rest: HTTPClientResponse.Body.AsyncIterator, contentType: String?, lease: ConnectionSlots.Lease?) {
        self.first = first
        self.rest = rest
        self.contentType = contentType
        isServerSentEvents = !(contentType ?? "").contains("amazon.eventstream")
        self.lease = lease
    }

    static func open(_ response: HTTPClientResponse, lease: ConnectionSlots.Lease?) async throws(GatewayError) -> UpstreamStream {
        var iterator = response.body.makeAsyncIterator()
        let first: ByteBuffer?
        do {
            first = try await iterator.next()
        } catch {
            throw UpstreamClient.classify(error)
        }
        guard let first else {
            throw GatewayError(.upstreamError, "The provider ended the stream before sending anything.")
        }
        return UpstreamStream(first: first, rest: iterator, contentType: response.headers.first(name: "content-type"), lease: lease)
    }
}
