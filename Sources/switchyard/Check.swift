import ArgumentParser
import Logging
import SwitchyardConfig
import SwitchyardCore
import SwitchyardRouting

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a config file without starting the gateway.")

    @Option(name: .long, help: "Path to the YAML config file.")
    var config: String

    func run() async throws {
        do {
            let loaded = try ConfigSource.load(path: config)
            let router = try ModelRouter(config: loaded, catalog: try Catalog.bundled())
            print(
                "config OK: \(loaded.providers.count) provider(s), \(loaded.models.count) model route(s), "
                    + "\(router.listedModels().count) model name(s) listed")
        } catch {
            print("\(error)")
            throw ExitCode(1)
        }
    }
}
