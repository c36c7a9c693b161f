import Testing
@testable import DialectGemini

@Test func GeminiModuleBuilds() { #expect(Bool(true)) }
