import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Notices when a client's connection goes away, so a request still waiting for its answer (a whole
/// answer, a stream's first byte, a retry's backoff) stops instead of running to the end for nobody.
///
/// One per connection, first in its channel pipeline: it sees the client's FIN (`inputClosed`, since the
/// server allows half-closure) and the connection's end, and forwards everything. The request running on
/// the connection registers what to do on departure with `watch` and removes it with `unwatch`, so
/// nothing accumulates over a keep-alive connection's many requests.
final class ClientConnection: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    private struct State {
        var gone = false
        var onDeparture: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// The connection the current request arrived on (set for every request of a connection).
    @TaskLocal static var current: ClientConnection?

    var isGone: Bool { state.withLock { $0.gone } }

    /// Runs `action` when the client leaves; false (and nothing registered) when it already left.
    func watch(_ action: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            guard !state.gone else { return false }
            state.onDeparture = action
            return true
        }
    }

    func unwatch() {
        state.withLock { $0.onDeparture = nil }
    }

    private func depart() {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            state.gone = true
            defer { state.onDeparture = nil }
            return state.onDeparture
        }
        action?()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event { depart() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        depart()
        context.fireChannelInactive()
    }

    /// Runs `operation` in a task of its own (which inherits `current`) that is cancelled when the current
    /// request's client leaves, or when the request's task is cancelled; `departed` says whether the client
    /// left before it ended.
    static func cancellingOnDeparture<Value: Sendable>(
        _ operation: @escaping @Sendable () async -> Value
    ) async -> (value: Value, departed: Bool) {
        guard let connection = current else { return (await operation(), false) }
        let task = Task(operation: operation)
        if !connection.watch({ task.cancel() }) { task.cancel() }
        let value = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        connection.unwatch()
        return (value, connection.isGone)
    }
}

/// Hummingbird's HTTP/1.1 channel with a `ClientConnection` first in each connection's pipeline, made
/// `ClientConnection.current` for the requests the connection carries.
struct DepartureAwareHTTP1Channel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let inner: HTTP1Channel.Value
        let connection: ClientConnection
        var channel: any Channel { inner.channel }
    }

    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { inner in
            let connection = ClientConnection()
            try channel.pipeline.syncOperations.addHandler(connection, position: .first)
            return Value(inner: inner, connection: connection)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await ClientConnection.$current.withValue(value.connection) {
            await http1.handle(value: value.inner, logger: logger)
        }
    }
}
