import Foundation
@testable import SwitchyardCore
import Testing

@Suite struct JSONScannerTests {
    func fields(_ text: String) throws -> [String: String] {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { raw in
            var result: [String: String] = [:]
            for field in try JSONScanner.topLevelFields(raw) {
                result[field.key] = String(decoding: raw[field.value], as: UTF8.self)
            }
            return result
        }
    }

    @Test func locatesTopLevelValues() throws {
        let found = try fields(#" { "model" : "gpt-4o", "messages":[{"model":"inner"}], "stream":true, "n":-1.5e3, "x":null } "#)
        #expect(found["model"] == #""gpt-4o""#)
        #expect(found["messages"] == #"[{"model":"inner"}]"#)
        #expect(found["stream"] == "true")
        #expect(found["n"] == "-1.5e3")
        #expect(found["x"] == "null")
        #expect(found.count == 5)
    }

    @Test func decodesEscapedStrings() throws {
        let text = #"{"model":"gpt\u002d4o\n\"x\""}"#
        let bytes = Array(text.utf8)
        let value = try bytes.withUnsafeBytes { raw in
            let field = try JSONScanner.topLevelFields(raw)[0]
            return JSONScanner.decodeString(raw, field.value)
        }
        #expect(value == "gpt-4o\n\"x\"")
    }

    @Test(arguments: [
        "", "[]", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":tru}", "{\"a\":\"x}", "{\"a\":\"\\q\"}", "{\"a\":01}",
        "{\"a\":1} x", "{\"a\":\"\\u12\"}", "{\"a\":\"\u{01}\"}", "{\"a\":[1,2}", "{a:1}", "{\"a\":-}", "{\"a\":1.}",
    ])
    func rejectsMalformedJSON(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(throws: JSONScanner.SyntaxError.self) {
            try bytes.withUnsafeBytes { _ = try JSONScanner.topLevelFields($0) }
        }
    }

    @Test func rejectsExcessiveNesting() {
        let text = "{\"a\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        let bytes = Array(text.utf8)
        #expect(throws: JSONScanner.SyntaxError.self) {
            try bytes.withUnsafeBytes { _ = try JSONScanner.topLevelFields($0) }
        }
    }

    @Test func recognisesLiteralsAndEmptyArrays() throws {
        let bytes = Array(#"{"a":[ ],"b":[1],"c":true,"d":null}"#.utf8)
        try bytes.withUnsafeBytes { raw in
            let f = try JSONScanner.topLevelFields(raw)
            #expect(JSONScanner.isEmptyArray(raw, f[0].value))
            #expect(!JSONScanner.isEmptyArray(raw, f[1].value))
            #expect(JSONScanner.isTrue(raw, f[2].value))
            #expect(JSONScanner.isNull(raw, f[3].value))
        }
    }

    @Test func acceptsEveryOpenAIFamilyFixture() throws {
        var checked = 0
        for provider in Fixtures.openAIFamily {
            for file in Fixtures.files(provider, where: { $0.hasSuffix(".json") && $0 != "manifest.json" }) {
                let bytes = try Fixtures.bytes(provider, file)
                let parsed = bytes.withUnsafeBytes { try? JSONScanner.topLevelFields($0) }
                #expect(parsed != nil, "\(provider)/\(file)")
                checked += 1
            }
        }
        #expect(checked == 50)
    }
}

@Suite struct JSONParserTests {
    @Test func parsesEveryFixtureLikeFoundation() throws {
        var checked = 0
        for provider in Fixtures.openAIFamily + ["anthropic", "gemini", "cohere", "bedrock"] {
            for file in Fixtures.files(provider, where: { $0.hasSuffix(".json") }) {
                let bytes = try Fixtures.bytes(provider, file)
                let ours = try JSON.parse(bytes)
                // Foundation as the reference: same structure and values.
                let reference = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                #expect(Self.same(ours, reference), "\(provider)/\(file)")
                #expect(try JSON.parse(JSON.encode(ours)) == ours, "\(provider)/\(file) prints and reads back")
                checked += 1
            }
        }
        #expect(checked == 127)
    }

    static func same(_ value: JSONValue, _ reference: Any) -> Bool {
        switch value {
        case .null: return reference is NSNull
        case .bool(let b): return (reference as? Bool) == b
        case .int(let i): return (reference as? NSNumber)?.int64Value == i
        case .double(let d): return (reference as? NSNumber)?.doubleValue == d
        case .string(let s): return (reference as? String) == s
        case .array(let items):
            guard let other = reference as? [Any], other.count == items.count else { return false }
            return zip(items, other).allSatisfy { same($0, $1) }
        case .object(let fields):
            guard let other = reference as? [String: Any], other.count == fields.count else { return false }
            return fields.allSatisfy { key, value in other[key].map { same(value, $0) } ?? false }
        }
    }

    @Test func escapesAndUnicode() throws {
        let text = #"{"a":"line\nbreak \"quoted\" \\ \/ \u00e9 \ud83d\ude00 tab\t","b":-12,"c":1.5e3,"d":[true,false,null]}"#
        let value = try JSON.parse(text)
        #expect(value["a"] == .string("line\nbreak \"quoted\" \\ / é 😀 tab\t"))
        #expect(value["b"] == .int(-12))
        #expect(value["c"] == .double(1500))
        #expect(try JSON.parse(JSON.encode(value)) == value)
        #expect(JSON.encodeString(["k": .string("\u{01}")]) == #"{"k":"\u0001"}"#)
        #expect(throws: (any Error).self) { try JSON.parse(#"{"a":"\q"}"#) }
        #expect(throws: (any Error).self) { try JSON.parse("[1,]") }
    }
}
