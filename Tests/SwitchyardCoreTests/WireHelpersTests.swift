import SwitchyardCore
import Testing

/// The one data-URI parser and the one percent-encoder every dialect and the upstream client share.
@Suite struct WireHelpersTests {
    @Test func dataURIsOfEveryShape() throws {
        let image = try #require(DataURI("data:image/PNG;base64,iVBORw0KGgo="))
        #expect(image.mediaType == "image/png" && image.isBase64 && image.payload == "iVBORw0KGgo=")
        #expect(image.uri == "data:image/png;base64,iVBORw0KGgo=")
        let parameters = try #require(DataURI("DATA:text/plain;charset=utf-8;base64,aGk="))
        #expect(parameters.mediaType == "text/plain" && parameters.decodedText == "hi")
        let plain = try #require(DataURI("data:text/plain,a%20b"))
        #expect(!plain.isBase64 && plain.base64 == nil && plain.decodedText == "a b")
        let untyped = try #require(DataURI("data:;base64,AAAA"))
        #expect(untyped.mediaType.isEmpty && untyped.isBase64)
        let onlyParameter = try #require(DataURI("data:charset=utf-8,x"))
        #expect(onlyParameter.mediaType.isEmpty)
        for bad in ["", "data:", "data:image/png;base64", "https://example.com/cat.png", "dat:x,y"] {
            #expect(DataURI(bad) == nil, "\(bad)")
        }
    }

    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(PercentEncoding.encodeUnreserved("anthropic.claude-3:0") == "anthropic.claude-3%3A0")
        #expect(PercentEncoding.encodeUnreserved("a/b c~_.-") == "a%2Fb%20c~_.-")
        #expect(PercentEncoding.encodeUnreserved("é") == "%C3%A9")
        #expect(PercentEncoding.encodeUnreserved("../../admin?x=1#f") == "..%2F..%2Fadmin%3Fx%3D1%23f")
    }
}
