import DialectOpenAI
import Foundation
import SwitchyardConfig
import SwitchyardCore
import Testing

/// Issue 11 §4: conversions and arithmetic on numbers from outside (providers, clients, config) are total.
@Suite struct ExternalNumbersTests {
    @Test(arguments: [
        ("7", "7"), ("0", "0"), ("1.2", "2"), (" 30 ", "30"), ("86400", "86400"), ("86401", "86400"),
        ("1e308", "86400"), ("inf", nil), ("-inf", nil), ("nan", nil), ("-5", nil), ("soon, maybe", nil), ("", nil),
        (String(repeating: "9", count: 400), nil),
    ] as [(String, String?)])
    func retryHintsAreWholeSecondsInRangeOrNothing(raw: String, expected: String?) {
        #expect(RetryHint.normalize(raw) == expected)
        #expect(GatewayError(.rateLimited, "x", retryAfter: raw).retryAfter == expected)
        var error = GatewayError(.rateLimited, "x")
        error.retryAfter = raw
        #expect(error.retryAfter == expected)
    }

    @Test func httpDateRetryHintsBecomeSeconds() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "1994-11-06T08:49:00Z"))
        #expect(RetryHint.normalize("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == "37")
        #expect(RetryHint.normalize("Sun, 06 Nov 1994 08:48:37 GMT", now: now) == "0")
    }

    @Test func tokenCountsAreClampedAndNeverNegative() {
        let usage = Usage(input: Int.max, output: -5, cacheRead: Int.max, cacheWrite: Int.min, reasoning: Int.max)
        #expect(usage.input == Usage.maxTokens)
        #expect(usage.output == 0)
        #expect(usage.cacheWrite == 0)
        #expect(usage.totalInput == 2 * Usage.maxTokens)
        #expect(usage.total == 3 * Usage.maxTokens)
        #expect(JSONValue.int(Int64.max).tokenCount == Usage.maxTokens)
        #expect(JSONValue.int(-3).tokenCount == 0)
        #expect(JSONValue.double(1e300).tokenCount == nil)
        #expect(JSONValue.string("12").tokenCount == nil)
    }

    @Test func openAIUsageWithHostileCountsDecodesWithoutOverflow() throws {
        let body = #"{"prompt_tokens": 9223372036854775807, "completion_tokens": -9223372036854775807, "prompt_tokens_details": {"cached_tokens": -9223372036854775807}, "completion_tokens_details": {"reasoning_tokens": 9223372036854775807}}"#
        let usage = try #require(OpenAIUsage.decode(try JSON.parse(body)))
        #expect(usage.input == Usage.maxTokens && usage.cacheRead == 0 && usage.output == 0)
        #expect(usage.reasoning == Usage.maxTokens)
    }

    @Test(arguments: ["1e300s", "1e300", "1e17h", "inf", "-5s", "721h", "2592001", "nan"])
    func outOfRangeDurationsAreRejected(text: String) {
        #expect(Duration.parse(text) == nil)
    }

    @Test func durationsUpToThirtyDaysParse() {
        #expect(Duration.parse("720h") == .seconds(2_592_000))
        #expect(Duration.parse("250ms") == .milliseconds(250))
        #expect(Duration.parse("1.5") == .milliseconds(1500))
    }

    @Test func configNamesKeyLineAndRangeForAnOutOfRangeDuration() {
        let yaml = "providers:\n  openai: { api_key: sk-x }\nlimits:\n  max_stream_duration: \"1e300\"\n"
        #expect {
            try ConfigLoader(environment: [:]).load(yaml: yaml)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("limits.max_stream_duration") && text.contains("line 4")
                && text.contains("between 1ms and 30 days")
        }
    }
}

/// CONTRACT §0: `SWITCHYARD_MASTER_KEY` sets the master key whenever `server.master_key` is absent.
@Suite struct MasterKeyFromEnvironmentTests {
    @Test func environmentKeyAppliesWhenTheFileHasNone() throws {
        let loader = ConfigLoader(environment: ["SWITCHYARD_MASTER_KEY": "sk-env"])
        #expect(try loader.load(yaml: "providers:\n  openai: { api_key: sk-x }\n").server.masterKey == "sk-env")
        #expect(try loader.load(yaml: "").server.masterKey == "sk-env")
        let named = "server: { master_key: sk-file }\nproviders:\n  openai: { api_key: sk-x }\n"
        #expect(try loader.load(yaml: named).server.masterKey == "sk-file", "the file wins")
        #expect(try ConfigLoader(environment: [:]).load(yaml: "providers:\n  openai: { api_key: sk-x }\n").server.masterKey == nil)
    }
}
