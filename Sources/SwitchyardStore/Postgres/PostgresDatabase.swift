import Foundation
import Logging
import PostgresNIO

/// PostgreSQL through postgres-nio's pooled client: many gateway instances share one database.
final class PostgresDatabase: SQLDatabase {
    let engine = "postgres"
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
        runner = Task { await client.run() }
    }

    func transaction<T: Sendable>(_ body: @Sendable (any SQLSession) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            try await body(PostgresSession(connection: connection, logger: logger))
        }
    }

    func close() async {
        runner.cancel()
        await runner.value
    }
}

struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger

    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let v): bindings.append(v)
            case .text(let t): bindings.append(t)
            case .bool(let b): bindings.append(b)
            }
        }
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: sql.numberingPlaceholders(), binds: bindings), logger: logger)
        var result: [SQLRow] = []
        for try await row in rows {
            var values: SQLRow = []
            for cell in row {
                guard cell.bytes != nil else {
                    values.append(.null)
                    continue
                }
                switch cell.dataType {
                case .int8, .int4, .int2: values.append(.int(try cell.decode(Int64.self)))
                case .bool: values.append(.bool(try cell.decode(Bool.self)))
                default: values.append(.text(try cell.decode(String.self)))
                }
            }
            result.append(values)
        }
        return result
    }
}

extension SQLStore {
    /// PostgreSQL at `url` (`postgres://user:password@host:port/database`; `?sslmode=require` for TLS).
    public static func postgres(url: String, logger: Logger) throws -> SQLStore {
        guard let configuration = PostgresURL.configuration(url) else {
            throw StoreError("store.postgres: expected postgres://user:password@host:port/database")
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return SQLStore(
            database: PostgresDatabase(client: client, logger: logger), rowLock: " FOR UPDATE",
            migrationLock: "SELECT pg_advisory_xact_lock(7271992)")
    }
}

/// Parses `postgres://` URLs into a client configuration (user, password, host, port, database; the
/// `sslmode` query parameter: `disable` (default on loopback), `require`).
enum PostgresURL {
    static func configuration(_ url: String) -> PostgresClient.Configuration? {
        var rest = Substring(url)
        guard let scheme = rest.range(of: "://"), ["postgres", "postgresql"].contains(rest[..<scheme.lowerBound]) else {
            return nil
        }
        rest = rest[scheme.upperBound...]
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var database: String?
        if let slash = rest.firstIndex(of: "/") {
            database = String(rest[rest.index(after: slash)...]).removingPercentEncoding
            rest = rest[..<slash]
        }
        var user = "postgres"
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = String(credentials[..<colon]).removingPercentEncoding ?? ""
                password = String(credentials[credentials.index(after: colon)...]).removingPercentEncoding
            } else {
                user = String(credentials).removingPercentEncoding ?? ""
            }
        }
        var host = String(rest)
        var port = 5432
        if let colon = rest.lastIndex(of: ":"), let parsed = Int(rest[rest.index(after: colon)...]) {
            host = String(rest[..<colon])
            port = parsed
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        let tls: PostgresClient.Configuration.TLS
        if query.split(separator: "&").contains("sslmode=require") {
            tls = .require(.makeClientConfiguration())
        } else {
            tls = .disable
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}
