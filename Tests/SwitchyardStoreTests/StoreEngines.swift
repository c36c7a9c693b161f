import Foundation
import Logging
import PostgresNIO

@testable import SwitchyardStore

/// The engines every store test runs against: memory, a SQLite file, and PostgreSQL when the test
/// command started a server (`SWITCHYARD_TEST_POSTGRES`, a `postgres://` URL; `scripts/test.sh` sets it).
enum StoreEngine: String, CaseIterable, Sendable {
    case memory, sqlite, postgres

    static var available: [StoreEngine] {
        postgresURL == nil ? [.memory, .sqlite] : [.memory, .sqlite, .postgres]
    }

    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    static let logger: Logger = {
        var logger = Logger(label: "store-test")
        logger.logLevel = .critical
        return logger
    }()

    /// A fresh, migrated store of this engine (a new file, or a new database on the PostgreSQL server).
    func open() async throws -> any Store {
        switch self {
        case .memory:
            return MemoryStore()
        case .sqlite:
            let store = try await SQLStore.sqlite(path: Self.temporaryFile(), logger: Self.logger)
            try await store.migrate()
            return store
        case .postgres:
            let store = try SQLStore.postgres(url: try await Self.freshDatabase(), logger: Self.logger)
            try await store.migrate()
            return store
        }
    }

    static func temporaryFile() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-store-tests")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("\(UUID().uuidString).db").path
    }

    /// Creates a database of its own for one test on the test server; returns its URL.
    static func freshDatabase() async throws -> String {
        guard let url = postgresURL, let base = url.range(of: "/", options: .backwards) else {
            throw StoreError("no PostgreSQL server for the tests")
        }
        let name = "sy_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // CREATE DATABASE cannot run inside a transaction: one plain connection.
        guard let configuration = PostgresURL.configuration(url) else { throw StoreError("bad URL") }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            group.cancelAll()
        }
        return String(url[..<base.lowerBound]) + "/" + name
    }
}
