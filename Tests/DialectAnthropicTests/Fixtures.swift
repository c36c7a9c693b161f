import Foundation
import SwitchyardCore

/// The Anthropic transcripts under Tests/Fixtures/providers/anthropic, found relative to this file.
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/providers/anthropic")

    static func bytes(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(file)))
    }

    static func json(_ file: String) throws -> JSONValue {
        try JSON.parse(try bytes(file))
    }

    static func files(prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// The manifest entry for a fixture.
    static func manifest(_ file: String) throws -> JSONValue? {
        try json("manifest.json")["fixtures"]?[file]
    }

    /// Nulls removed everywhere: null and absent mean the same in Anthropic's schemas.
    static func droppingNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields):
            return .object(fields.filter { !$0.value.isNull }.mapValues(droppingNulls))
        case .array(let items):
            return .array(items.map(droppingNulls))
        default:
            return value
        }
    }

    /// Paths where two JSON values differ, for readable failures.
    static func differences(_ a: JSONValue, _ b: JSONValue, path: String = "$") -> [String] {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            return Set(x.keys).union(y.keys).sorted().flatMap { key -> [String] in
                switch (x[key], y[key]) {
                case (let l?, let r?): return differences(l, r, path: "\(path).\(key)")
                case (_?, nil): return ["\(path).\(key) missing"]
                default: return ["\(path).\(key) unexpected"]
                }
            }
        case (.array(let x), .array(let y)) where x.count == y.count:
            return zip(x, y).enumerated().flatMap { differences($1.0, $1.1, path: "\(path)[\($0)]") }
        default:
            return a == b ? [] : ["\(path): \(JSON.encodeString(a).prefix(120)) != \(JSON.encodeString(b).prefix(120))"]
        }
    }
}
