import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// SQLite through sqlite-nio (its own copy of SQLite, run on NIO's blocking-I/O pool): one connection, WAL
/// journal, transactions one at a time.
final class SQLiteDatabase: SQLDatabase {
    let engine = "sqlite"
    private let connection: SQLiteConnection
    private let lock = AsyncLock()
    private let closed = Atomic<Bool>(false)

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Opens (creating it if needed) the database file at `path`.
    static func open(path: String, logger: Logger) async throws -> SQLiteDatabase {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: path), threadPool: .singleton, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any())
        let database = SQLiteDatabase(connection: connection)
        // WAL lets readers (the admin API) run beside the writer; NORMAL syncs at checkpoints, which WAL
        // makes safe against corruption (a power cut may lose the last commits, as after kill -9).
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA busy_timeout = 5000"] {
            _ = try await connection.query(pragma, [])
        }
        return database
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLSession) async throws -> T) async throws -> T {
        let connection = self.connection
        return try await lock.withLock {
            _ = try await connection.query("BEGIN IMMEDIATE", [])
            do {
                let result = try await body(SQLiteSession(connection: connection))
                _ = try await connection.query("COMMIT", [])
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        }
    }

    /// Closes once (later calls do nothing), after the transaction in progress.
    func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let connection = self.connection
        _ = try? await lock.withLock { try await connection.close() }
    }
}

struct SQLiteSession: SQLSession {
    let connection: SQLiteConnection

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        let data = binds.map { value -> SQLiteData in
            switch value {
            case .null: .null
            case .int(let v): .integer(SQLiteInt64(v))
            case .text(let t): .text(t)
            case .bool(let b): .integer(b ? 1 : 0)
            }
        }
        return try await connection.query(sql, data).map { row in
            row.columns.map { column in
                switch column.data {
                case .integer(let v): .int(Int64(v))
                case .float(let d): .int(Int64(d))
                case .text(let t): .text(t)
                case .blob, .null: .null
                }
            }
        }
    }
}

extension SQLStore {
    /// The embedded default: a SQLite file, created on first start.
    public static func sqlite(path: String, logger: Logger) async throws -> SQLStore {
        SQLStore(database: try await SQLiteDatabase.open(path: path, logger: logger))
    }
}
