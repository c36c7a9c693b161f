import Testing
@testable import DialectCohere

@Test func CohereModuleBuilds() { #expect(Bool(true)) }
