import ArgumentParser
import SwitchyardConfig
import SwitchyardCore
import SwitchyardRouting

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the model names the gateway would serve.")

    @Option(name: .long, help: "Path to the YAML config file.")
    var config: String?

    func run() async throws {
        do {
            let loaded = try ConfigSource.load(path: config)
            let router = try ModelRouter(config: loaded, catalog: try Catalog.bundled())
            for model in router.listedModels() { print(model.id) }
        } catch {
            print("\(error)")
            throw ExitCode(1)
        }
    }
}
