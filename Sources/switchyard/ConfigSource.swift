import Foundation
import SwitchyardConfig
import SwitchyardCore

/// Loads the configuration the way every subcommand does: the file when given, else the environment.
enum ConfigSource {
    static func load(path: String?) throws -> GatewayConfig {
        let environment = ProcessInfo.processInfo.environment
        guard let path else { return GatewayConfig.fromEnvironment(environment) }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(path: "", line: nil, message: "cannot read \(path): \(error.localizedDescription)")
        }
        return try ConfigLoader(environment: environment).load(yaml: text)
    }

    /// The folder relative store paths are resolved in: the config file's, else the working directory.
    static func directory(of path: String?) -> String {
        guard let path else { return FileManager.default.currentDirectoryPath }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        return url.deletingLastPathComponent().path
    }
}
