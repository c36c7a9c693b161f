import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the connection's event loop (see `EventLoopExecutor`).
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        eventLoop = source.channel.eventLoop
    }

    /// Runs `operation` on this connection's event loop.
    func onEventLoop(_ operation: () async -> Response) async -> Response {
        await withTaskExecutorPreference(EventLoopExecutor(eventLoop), operation: operation)
    }
}
