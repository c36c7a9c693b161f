import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore

/// Runs the gateway's HTTP server until cancelled or, with `handleSignals`, until SIGINT/SIGTERM;
/// in-flight requests and streams drain before it returns.
public struct GatewayServer: Sendable {
    public let gateway: Gateway
    let host: String
    let port: Int
    let logger: Logger

    public init(gateway: Gateway, host: String? = nil, port: Int? = nil, logger: Logger) {
        self.gateway = gateway
        self.host = host ?? gateway.config.server.host
        self.port = port ?? gateway.config.server.port
        self.logger = logger
    }

    /// Serves; `onStarted` receives the bound port (useful with port 0).
    public func run(handleSignals: Bool, onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        do {
            try await gateway.start()
        } catch {
            let gateway = self.gateway
            await Task { await gateway.shutdown() }.value
            throw error
        }
        let background = Task { await gateway.runBackground() }
        defer { background.cancel() }
        let app = Application(
            router: gateway.buildRouter(),
            server: HTTPServerBuilder { responder in
                DepartureAwareHTTP1Channel(
                    http1: HTTP1Channel(
                        responder: responder,
                        configuration: .init(idleTimeout: .nanoseconds(gateway.config.server.idleTimeout.nanoseconds))))
            },
            // A burst of thousands of new streams overflows Hummingbird's default accept queue of 256: the
            // kernel drops SYNs, connects take seconds and some are reset (bench/streams.sh). The kernel caps
            // this at net.core.somaxconn.
            configuration: .init(address: .hostname(host, port: port), serverName: nil, backlog: 4096),
            onServerRunning: { channel in await onStarted(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        do {
            if handleSignals {
                let group = ServiceGroup(
                    configuration: .init(
                        services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                try await group.run()
            } else {
                try await app.runService()
            }
        } catch {
            await stopBackground(background)
            throw error
        }
        await stopBackground(background)
    }

    /// Stops the background work and shuts the gateway down, in a task of its own: the server's task may
    /// be cancelled already, and the spend rows must still be written and the store closed.
    private func stopBackground(_ background: Task<Void, Never>) async {
        background.cancel()
        await background.value
        let gateway = self.gateway
        await Task { await gateway.shutdown() }.value
    }
}
