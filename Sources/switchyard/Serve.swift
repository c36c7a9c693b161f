import ArgumentParser
import Foundation
import Logging
import SwitchyardConfig
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the gateway.")

    @Option(name: .long, help: "Path to the YAML config file. Without one, every provider whose key is in the environment is enabled.")
    var config: String?

    @Option(name: .long, help: "Address to listen on (overrides server.listen).")
    var host: String?

    @Option(name: .long, help: "Port to listen on (overrides server.listen; 0 picks a free port).")
    var port: Int?

    func run() async throws {
        EventLoopSizing.applyAffinity()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "switchyard")
        var gatewayConfig: GatewayConfig
        do {
            gatewayConfig = try ConfigSource.load(path: config)
        } catch {
            throw ValidationError("\(error)")
        }
        let generatedKey = gatewayConfig.server.masterKey == nil
        if generatedKey { gatewayConfig.server.masterKey = Self.generateKey() }
        let catalog = try Catalog.bundled()
        let store: any Store
        do {
            store = try await StoreFactory.open(gatewayConfig.store, baseDirectory: ConfigSource.directory(of: config), logger: logger)
        } catch {
            throw ValidationError("cannot open the store: \(error)")
        }
        let gateway: Gateway
        do {
            gateway = try Gateway(config: gatewayConfig, catalog: catalog, logger: logger, store: store)
        } catch {
            await store.close()
            throw ValidationError("\(error)")
        }
        let server = GatewayServer(gateway: gateway, host: host, port: port, logger: logger)
        let providers = gatewayConfig.providers.map(\.name)
        let masterKey = gatewayConfig.server.masterKey ?? ""
        let host = self.host ?? gatewayConfig.server.host
        let reclaim = Task { await MemoryReclaim.run(logger: logger) }
        defer { reclaim.cancel() }
        try await server.run(handleSignals: true) { boundPort in
            var lines = ["switchyard listening on http://\(host):\(boundPort)/v1"]
            lines.append(
                providers.isEmpty
                    ? "no providers configured: set OPENAI_API_KEY (or another provider key) or pass --config"
                    : "providers: \(providers.joined(separator: ", "))")
            // Never `export OPENAI_API_KEY=<master key>`: without a config file that variable is read as the
            // OpenAI provider key, so the gateway would send its own master key to OpenAI.
            if generatedKey {
                lines.append("gateway master key, generated for this run (not a provider key): \(masterKey)")
                lines.append("clients authenticate with Authorization: Bearer <gateway master key>")
            } else {
                lines.append("clients authenticate with Authorization: Bearer <server.master_key>")
            }
            // Unbuffered, so scripts waiting for this line see it at once.
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
    }

    static func generateKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return "sk-switchyard-" + String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
