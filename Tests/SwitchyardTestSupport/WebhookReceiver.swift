import Hummingbird
import NIOCore
import Synchronization

/// An HTTP receiver on a loopback port that keeps every body POSTed to it (budget alert webhooks).
public final class WebhookReceiver: Sendable {
    private let bodies = Mutex<[String]>([])

    public init() {}

    public var received: [String] { bodies.withLock { $0 } }

    /// Runs the receiver for the duration of `body`, passing its URL.
    public func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            self.bodies.withLock { $0.append(String(buffer: bytes)) }
            return .ok
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            do {
                try await body("http://127.0.0.1:\(port)/hook")
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}
