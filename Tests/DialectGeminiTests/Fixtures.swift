import Foundation
import SwitchyardCore
import DialectGemini

/// The Gemini transcripts in Tests/Fixtures/providers/gemini (copied from shared/fixtures).
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/providers/gemini")

    static func bytes(_ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(file)))
    }

    static func json(_ file: String) throws -> JSONValue {
        try JSON.parse(try bytes(file))
    }

    /// Fixture names of one manifest `kind` (`request`, `response`, `stream`, `error`), sorted.
    static func names(kind: String) throws -> [String] {
        let fixtures = try json("manifest.json")["fixtures"]?.objectValue ?? [:]
        return fixtures.filter { $0.value["kind"]?.stringValue == kind }.map(\.key).sorted()
    }

    static func entry(_ file: String) throws -> JSONValue {
        try json("manifest.json")["fixtures"]?[file] ?? .null
    }

    /// The model named in a fixture's endpoint (`POST /v1beta/models/gemini-2.5-flash:generateContent`).
    static func model(_ file: String) throws -> String {
        let endpoint = try entry(file)["endpoint"]?.stringValue ?? ""
        guard let start = endpoint.range(of: "/models/"), let colon = endpoint[start.upperBound...].firstIndex(of: ":")
        else { return "" }
        return String(endpoint[start.upperBound..<colon])
    }
}

/// Structural JSON comparison that names every difference; integers and doubles of equal value are equal
/// (Gemini's `temperature: 1` and the encoder's `1.0` mean the same).
enum JSONDiff {
    static func differences(_ expected: JSONValue, _ actual: JSONValue, path: String = "$") -> [String] {
        switch (expected, actual) {
        case (.object(let a), .object(let b)):
            var out: [String] = []
            for key in Set(a.keys).union(b.keys).sorted() {
                switch (a[key], b[key]) {
                case (let x?, let y?): out += differences(x, y, path: "\(path).\(key)")
                case (_?, nil): out.append("\(path).\(key) missing")
                case (nil, _?): out.append("\(path).\(key) unexpected")
                case (nil, nil): break
                }
            }
            return out
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return ["\(path): \(b.count) items, expected \(a.count)"] }
            return zip(a, b).enumerated().flatMap { differences($1.0, $1.1, path: "\(path)[\($0)]") }
        default:
            if let x = expected.doubleValue, let y = actual.doubleValue, x == y { return [] }
            return expected == actual ? [] : ["\(path): expected \(JSON.encodeString(expected)), got \(JSON.encodeString(actual))"]
        }
    }

    /// Sets the value at a path of object keys and array indices (test-side normalisations).
    static func setting(_ value: JSONValue?, at path: [PathStep], in root: JSONValue) -> JSONValue {
        guard let step = path.first else { return value ?? .null }
        let rest = Array(path.dropFirst())
        switch (step, root) {
        case (.key(let key), .object(var fields)):
            if rest.isEmpty, value == nil {
                fields[key] = nil
            } else {
                fields[key] = setting(value, at: rest, in: fields[key] ?? .object([:]))
            }
            return .object(fields)
        case (.index(let index), .array(var items)) where items.indices.contains(index):
            items[index] = setting(value, at: rest, in: items[index])
            return .array(items)
        default:
            return root
        }
    }

    enum PathStep: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(String)
        case index(Int)
        init(stringLiteral value: String) { self = .key(value) }
        init(integerLiteral value: Int) { self = .index(value) }
    }
}

/// Feeds a stream decoder, whole or in pieces.
enum StreamFeeding {
    static func whole(_ bytes: [UInt8]) -> [StreamEvent] {
        var decoder = GeminiCodec().makeStreamDecoder()
        return decoder.feed(bytes) + decoder.finish()
    }

    static func byteByByte(_ bytes: [UInt8]) -> [StreamEvent] {
        var decoder = GeminiCodec().makeStreamDecoder()
        var events: [StreamEvent] = []
        for byte in bytes { events += decoder.feed([byte]) }
        return events + decoder.finish()
    }
}

extension JSONValue {
    /// Array element access for test assertions (`body["contents"]?[1]?["parts"]`).
    subscript(_ index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
