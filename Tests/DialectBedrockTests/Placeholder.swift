import Testing
@testable import DialectBedrock

@Test func BedrockModuleBuilds() { #expect(Bool(true)) }
