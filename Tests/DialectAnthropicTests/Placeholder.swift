import Testing
@testable import DialectAnthropic

@Test func AnthropicModuleBuilds() { #expect(Bool(true)) }
