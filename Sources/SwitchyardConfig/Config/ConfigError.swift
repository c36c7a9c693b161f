import SwitchyardCore
/// A configuration problem, naming the key path and the line it is on.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        let location = line.map { " (line \($0))" } ?? ""
        return path.isEmpty ? "config\(location): \(message)" : "config: \(path)\(location): \(message)"
    }
}
