import NIOCore

/// Lets `hang` and `hang_after` wait until the client goes away without reading from the
/// connection: a pass-through handler at the end of the connection's pipeline that sees the
/// inbound side close (client FIN, or the server closing input on shutdown) or the channel die.
///
/// Hummingbird's `consumeWithCancellationOnInboundClose` does this job only while the request
/// body is still unread; the fakes read the body first (to record it), so they watch the
/// pipeline instead.
final class ClientDepartureWatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = Any

    private let departed: EventLoopPromise<Void>

    private init(departed: EventLoopPromise<Void>) {
        self.departed = departed
    }

    /// Installs a watcher on `channel`; returns a wait that ends when the client has gone.
    static func install(on channel: any Channel) async throws -> Wait {
        let promise = channel.eventLoop.makePromise(of: Void.self)
        try await channel.pipeline.addHandler(ClientDepartureWatcher(departed: promise), position: .last).get()
        return Wait(promise: promise)
    }

    struct Wait: Sendable {
        let promise: EventLoopPromise<Void>

        /// Returns once the client has left, or throws `CancellationError` if the task is cancelled first.
        func untilClientLeaves() async throws {
            try await withTaskCancellationHandler {
                try await self.promise.futureResult.get()
            } onCancel: {
                self.promise.fail(CancellationError())
            }
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if !context.channel.isActive {
            self.departed.succeed()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.departed.succeed()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            self.departed.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.departed.succeed()
        context.fireChannelInactive()
    }
}
