import Logging
import SwitchyardConfig
import SwitchyardStore

/// Opens the store the config names (CONTRACT §2 `store:`): SQLite by default, in `switchyard.db` beside
/// the config file (or in the working directory without one).
public enum StoreFactory {
    public static let defaultSQLiteFile = "switchyard.db"

    public static func open(_ setting: GatewayConfig.Store?, baseDirectory: String, logger: Logger) async throws -> any Store {
        switch setting ?? .sqlite(path: defaultSQLiteFile) {
        case .memory:
            return MemoryStore()
        case .sqlite(let path):
            let resolved = path.hasPrefix("/") ? path : (baseDirectory.isEmpty ? path : baseDirectory + "/" + path)
            return try await SQLStore.sqlite(path: resolved, logger: logger)
        case .postgres(let url):
            return try SQLStore.postgres(url: url, logger: logger)
        }
    }
}
