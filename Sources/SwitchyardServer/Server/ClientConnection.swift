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

    /// What to do when the client leaves, while a request waits for its answer.
    private let onDeparture = Mutex<(@Sendable () -> Void)?>(nil)
    private let departed = Atomic<Bool>(false)

    /// The connection the current request arrived on (set for every request of a connection).
    @TaskLocal static var current: ClientConnection?

    var isGone: Bool { departed.load(ordering: .acquiring) }

    /// Runs `action` when the client leaves; false (and nothing registered) when it already left.
    func watch(_ action: @escaping @Sendable () -> Void) -> Bool {
        onDeparture.withLock { onDeparture in
            // Checked under the lock: a departure that has not taken it yet will find and run `action`.
            guard !isGone else { return false }
            onDeparture = action
            return true
        }
    }

    func unwatch() {
        onDeparture.withLock { $0 = nil }
    }

    /// The action runs under the lock: once `unwatch` returned it can no longer run, so the task it cancels
    /// is still alive whenever it does. Only the first departure event counts, so an event fired from within
    /// the cancellation (closing the connection's input) cannot take the lock again.
    private func depart() {
        guard !departed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        onDeparture.withLock { onDeparture in
            onDeparture?()
            onDeparture = nil
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event { depart() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        depart()
        context.fireChannelInactive()
    }

    /// Runs `operation` in the current task, which is cancelled if the current request's client leaves
    /// meanwhile (`current?.isGone` says whether it did).
    ///
    /// The task cancelled is the connection's own (Hummingbird runs a connection's requests in one task), not
    /// one made for the request: a task per request costs two thread hand-offs, a quarter of the latency the
    /// gateway adds at low load (bench/translation.sh). Cancelling the connection's task is right only because
    /// its client has gone; `unwatch` runs before `operation`'s answer is returned, so a departure during the
    /// answer (noticed by the failing write instead) or after it cancels nothing.
    static func cancellingOnDeparture<Value>(_ operation: () async -> Value) async -> Value {
        guard let connection = current, let task = withUnsafeCurrentTask(body: { $0.map(RunningTask.init) }) else {
            return await operation()
        }
        if !connection.watch({ task.cancel() }) { task.cancel() }
        let value = await operation()
        connection.unwatch()
        return value
    }
}

/// The request's task, to cancel from the connection's event loop. `UnsafeCurrentTask` may not outlive the
/// task; `ClientConnection` guarantees that (the watch is removed before the request's work ends, and a
/// departure's cancel runs under the same lock).
struct RunningTask: @unchecked Sendable {
    let task: UnsafeCurrentTask

    func cancel() { task.cancel() }
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
