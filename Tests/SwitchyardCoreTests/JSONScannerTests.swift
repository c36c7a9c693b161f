import Testing
@testable import SwitchyardCore

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
        for provider in Fixtures.openAIFamily {
            for file in Fixtures.files(provider, where: { $0.hasSuffix(".json") && $0 != "manifest.json" }) {
                let bytes = try Fixtures.bytes(provider, file)
                let parsed = bytes.withUnsafeBytes { try? JSONScanner.topLevelFields($0) }
                #expect(parsed != nil, "\(provider)/\(file)")
            }
        }
    }
}
