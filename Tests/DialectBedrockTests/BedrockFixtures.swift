import Foundation
import SwitchyardCore

/// The Bedrock transcripts in Tests/Fixtures/providers/bedrock, found relative to this file.
enum BedrockFixtures {
    static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/providers/bedrock")

    static func bytes(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(file)))
    }

    static func text(_ file: String) throws -> String {
        String(decoding: try bytes(file), as: UTF8.self)
    }

    static func json(_ file: String) throws -> JSONValue {
        try JSON.parse(try bytes(file))
    }

    /// The manifest entries of one kind (`request`, `response`, `stream`, `error`), sorted by file name.
    static func entries(kind: String) throws -> [(file: String, entry: JSONValue)] {
        let fixtures = try json("manifest.json")["fixtures"]?.objectValue ?? [:]
        return fixtures.filter { $0.value["kind"]?.stringValue == kind }.map { ($0.key, $0.value) }
            .sorted { $0.file < $1.file }
    }

    /// The model id in a manifest endpoint (`POST /model/{id}/converse`).
    static func modelId(_ entry: JSONValue) -> String? {
        guard let endpoint = entry["endpoint"]?.stringValue, let range = endpoint.range(of: "/model/") else { return nil }
        return endpoint[range.upperBound...].split(separator: "/").first.map(String.init)
    }
}

/// JSON compared with numbers by value (`1` and `1.0` are equal), as a re-encoded body may change the form.
func numericallyNormalised(_ value: JSONValue) -> JSONValue {
    switch value {
    case .int(let i): return .double(Double(i))
    case .array(let items): return .array(items.map(numericallyNormalised))
    case .object(let fields): return .object(fields.mapValues(numericallyNormalised))
    default: return value
    }
}
