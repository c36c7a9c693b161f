import NIOCore

/// Runs a request's async code on the event loop of the connection it arrived on.
///
/// Without it every request hops between the connection's loop, Swift's cooperative pool and the
/// upstream client's loop several times, and each hop to a sleeping thread costs a wake-up: at low
/// load that dominated the gateway's added latency. With it, the handler and — because AsyncHTTPClient
/// picks the current loop when called from one of its group — the upstream connection share a thread.
final class EventLoopExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension EventLoopExecutor: @unchecked Sendable {}  // immutable; EventLoop is Sendable
