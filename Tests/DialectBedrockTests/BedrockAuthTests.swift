import Testing
@testable import DialectBedrock

@Suite struct BedrockAuthTests {
    @Test func bedrockAuthSignsTheSameWay() throws {
        let example = try SigV4WorkedExample(try BedrockFixtures.text("sigv4-worked-example.txt"))
        let headers = BedrockAuth.headers(
            for: .aws(SigV4Tests.credentials), host: SigV4Tests.host,
            path: "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse", body: Array(example.body.utf8),
            region: "us-east-1", date: SigV4Tests.date)
        #expect(headers.first { $0.0 == "authorization" }?.1 == example.authorization)
        #expect(headers.first { $0.0 == "x-amz-date" }?.1 == "20260115T120000Z")
    }

    @Test func bedrockAPIKeyIsABearerToken() {
        let headers = BedrockAuth.headers(
            for: .apiKey("ABSKexample"), host: SigV4Tests.host, path: "/model/x/converse", body: [], region: "us-east-1",
            date: SigV4Tests.date)
        #expect(headers.count == 1)
        #expect(headers.first?.0 == "authorization")
        #expect(headers.first?.1 == "Bearer ABSKexample")
    }
}
