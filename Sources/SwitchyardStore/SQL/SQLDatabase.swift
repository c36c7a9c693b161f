/// A value bound to or read from a SQL statement: the few types the schema uses.
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case text(String)
    case bool(Bool)

    init(_ value: String?) { self = value.map(SQLValue.text) ?? .null }
    init(_ value: Int?) { self = value.map { .int(Int64($0)) } ?? .null }
    init(_ value: Int64?) { self = value.map(SQLValue.int) ?? .null }

    var int: Int64? {
        switch self {
        case .int(let v): v
        case .bool(let b): b ? 1 : 0
        case .text(let t): Int64(t)
        case .null: nil
        }
    }

    var text: String? {
        if case .text(let t) = self { return t }
        return nil
    }

    /// SQLite keeps booleans as 0/1, PostgreSQL as booleans.
    var bool: Bool {
        switch self {
        case .bool(let b): b
        case .int(let v): v != 0
        default: false
        }
    }
}

/// A result row, columns in the order the statement selected them.
public typealias SQLRow = [SQLValue]

/// One connection inside a transaction. Statements are written with `?` placeholders; engines that
/// number them (PostgreSQL) rewrite.
public protocol SQLSession: Sendable {
    func execute(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

/// What `SQLStore` needs of an engine: transactions on one connection, and closing.
public protocol SQLDatabase: Sendable {
    var engine: String { get }
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws. Writers are
    /// serialised by the engine (SQLite: one connection; PostgreSQL: row locks in the statements).
    func transaction<T: Sendable>(_ body: @Sendable (any SQLSession) async throws -> T) async throws -> T
    func close() async
}

extension String {
    /// `?` placeholders as `$1`, `$2`, … (PostgreSQL). The schema's statements have no `?` inside literals.
    func numberingPlaceholders() -> String {
        var result = ""
        result.reserveCapacity(utf8.count + 16)
        var index = 0
        for character in self {
            if character == "?" {
                index += 1
                result += "$\(index)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}
