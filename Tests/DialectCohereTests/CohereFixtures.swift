import Foundation
import SwitchyardCore

/// The provider transcripts under Tests/Fixtures/providers, found from this file's path.
enum CohereFixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/providers")

    static func bytes(_ file: String, provider: String = "cohere") throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(provider).appendingPathComponent(file)))
    }

    static func json(_ file: String, provider: String = "cohere") throws -> JSONValue {
        try JSON.parse(try bytes(file, provider: provider))
    }

    /// Cohere fixture names of one manifest kind (`request`, `response`, `stream`, `error`), sorted.
    static func files(kind: String) -> [String] {
        guard let manifest = try? json("manifest.json"), let fixtures = manifest["fixtures"]?.objectValue else {
            return []
        }
        return fixtures.filter { $0.value["kind"]?.stringValue == kind }.map(\.key).sorted()
    }

    static func status(of file: String) -> Int? {
        (try? json("manifest.json"))?["fixtures"]?[file]?["status"]?.intValue
    }
}

/// Puts equivalent JSON spellings into one form: whole doubles become integers (`1.0` and `1` are the
/// same number on the wire).
func normaliseNumbers(_ value: JSONValue) -> JSONValue {
    switch value {
    case .double(let d) where d.rounded() == d && abs(d) < 1e15: return .int(Int64(d))
    case .array(let items): return .array(items.map(normaliseNumbers))
    case .object(let fields): return .object(fields.mapValues(normaliseNumbers))
    default: return value
    }
}

/// Paths where two JSON values differ, for readable failures.
func differences(_ a: JSONValue, _ b: JSONValue, path: String = "$") -> [String] {
    switch (a, b) {
    case (.object(let x), .object(let y)):
        return Set(x.keys).union(y.keys).sorted().flatMap { key -> [String] in
            switch (x[key], y[key]) {
            case (let l?, let r?): return differences(l, r, path: "\(path).\(key)")
            case (nil, _): return ["\(path).\(key) only in the second"]
            case (_, nil): return ["\(path).\(key) only in the first"]
            }
        }
    case (.array(let x), .array(let y)) where x.count == y.count:
        return zip(x, y).enumerated().flatMap { differences($1.0, $1.1, path: "\(path)[\($0)]") }
    default:
        return a == b ? [] : ["\(path): \(JSON.encodeString(a)) != \(JSON.encodeString(b))"]
    }
}

extension JSONValue {
    /// The element at a position of an array (tests read nested bodies; the core type indexes by key only).
    subscript(item index: Int) -> JSONValue? {
        guard let items = arrayValue, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
