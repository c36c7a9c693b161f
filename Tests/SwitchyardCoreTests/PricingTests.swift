import DialectAnthropic
import DialectBedrock
import DialectGemini
import DialectOpenAI
import SwitchyardConfig
import SwitchyardCore
import Testing

/// Every usage shape priced from the shipped catalog against hand-computed costs (issue 13 "Pricing"):
/// the provider's usage object goes through its dialect's decoder, then the catalog price.
@Suite struct PricingTests {
    static let catalog = try? Catalog.bundled()

    static func price(_ provider: String, _ model: String) throws -> CatalogEntry.Price {
        try #require(catalog?.entry(provider: provider, model: model)?.price, "\(provider)/\(model) is priced")
    }

    static func micro(_ price: CatalogEntry.Price, _ usage: Usage?) throws -> Int64 {
        price.costMicroUSD(of: try #require(usage))
    }

    @Test func openAICachedTokens() throws {
        // gpt-4o: $2.50 input, $1.25 cached, $10 output per million. 2,000 prompt tokens of which 1,500
        // cached, 300 completion: 500 × 2.5 + 1,500 × 1.25 + 300 × 10 = 6,125 micro-dollars.
        let usage = OpenAIUsage.decode(
            ["prompt_tokens": 2000, "completion_tokens": 300, "prompt_tokens_details": ["cached_tokens": 1500]])
        #expect(try Self.micro(try Self.price("openai", "gpt-4o"), usage) == 6_125)
    }

    @Test func reasoningTokensAreBilledAsOutput() throws {
        // o3: $2 input, $8 output. 1,000 prompt, 5,000 completion of which 4,000 reasoning:
        // 1,000 × 2 + 5,000 × 8 = 42,000.
        let usage = OpenAIUsage.decode(
            ["prompt_tokens": 1000, "completion_tokens": 5000, "completion_tokens_details": ["reasoning_tokens": 4000]])
        #expect(usage?.reasoning == 4000 && usage?.output == 1000)
        #expect(try Self.micro(try Self.price("openai", "o3"), usage) == 42_000)
    }

    @Test func anthropicCacheReadsAndBothWriteTiers() throws {
        // claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 five-minute write, $6 one-hour write, $15
        // output. 1,000 input + 20,000 read + 1,000 five-minute + 2,000 one-hour writes + 500 output:
        // 3,000 + 6,000 + 3,750 + 12,000 + 7,500 = 32,250.
        let usage = AnthropicUsage.decode([
            "input_tokens": 1000, "cache_read_input_tokens": 20000, "cache_creation_input_tokens": 3000,
            "cache_creation": ["ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000], "output_tokens": 500,
        ])
        #expect(usage?.cacheWrite == 3000 && usage?.cacheWrite1h == 2000)
        #expect(try Self.micro(try Self.price("anthropic", "claude-sonnet-4-5"), usage) == 32_250)
        // Without the TTL split every write is a five-minute one: 3,000 + 6,000 + 11,250 + 7,500 = 27,750.
        let unsplit = AnthropicUsage.decode([
            "input_tokens": 1000, "cache_read_input_tokens": 20000, "cache_creation_input_tokens": 3000, "output_tokens": 500,
        ])
        #expect(try Self.micro(try Self.price("anthropic", "claude-sonnet-4-5"), unsplit) == 27_750)
    }

    @Test func aLongContextTierBillsTheWholeRequestAtItsRates() throws {
        let sonnet = try Self.price("anthropic", "claude-sonnet-4-5")
        // 150,000 input + 60,000 cache reads = 210,000 > 200,000: $6 / $0.60 / $22.50.
        // 150,000 × 6 + 60,000 × 0.6 + 1,000 × 22.5 = 958,500.
        let long = AnthropicUsage.decode(["input_tokens": 150_000, "cache_read_input_tokens": 60_000, "output_tokens": 1000])
        #expect(try Self.micro(sonnet, long) == 958_500)
        // Exactly 200,000 is still the base rate: 200,000 × 3 + 1,000 × 15 = 615,000.
        let edge = AnthropicUsage.decode(["input_tokens": 200_000, "output_tokens": 1000])
        #expect(try Self.micro(sonnet, edge) == 615_000)
        // Gemini 2.5 Pro above 200,000 prompt tokens: $2.50 / $15. 250,000 × 2.5 + 1,000 × 15 = 640,000.
        let gemini = GeminiUsage.decode(["promptTokenCount": 250_000, "candidatesTokenCount": 1000, "totalTokenCount": 251_000])
        #expect(try Self.micro(try Self.price("gemini", "gemini-2.5-pro"), gemini) == 640_000)
    }

    @Test func geminiThoughtsAndCachedContent() throws {
        // gemini-2.5-flash: $0.30 input, $0.03 cached, $2.50 output. 10,000 prompt tokens of which 4,000
        // cached, 800 candidates + 1,200 thoughts: 6,000 × 0.3 + 4,000 × 0.03 + 2,000 × 2.5 = 6,920.
        let usage = GeminiUsage.decode([
            "promptTokenCount": 10000, "cachedContentTokenCount": 4000, "candidatesTokenCount": 800,
            "thoughtsTokenCount": 1200, "totalTokenCount": 12000,
        ])
        #expect(usage?.reasoning == 1200 && usage?.cacheRead == 4000)
        #expect(try Self.micro(try Self.price("gemini", "gemini-2.5-flash"), usage) == 6_920)
    }

    @Test func bedrockCacheTokens() throws {
        // Claude Sonnet 4.5 on Bedrock: $3 input, $0.30 cache read, $3.75 cache write, $15 output.
        // 100 + 5,000 read + 1,000 written + 200 output: 300 + 1,500 + 3,750 + 3,000 = 8,550.
        let usage = BedrockResponse.decodeUsage([
            "inputTokens": 100, "cacheReadInputTokens": 5000, "cacheWriteInputTokens": 1000, "outputTokens": 200,
            "totalTokens": 6300,
        ])
        #expect(try Self.micro(try Self.price("bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0"), usage) == 8_550)
    }

    @Test func fractionsOfAMicroDollarRoundUpAndNothingIsFree() throws {
        let price = try Self.price("openai", "gpt-4o-mini")  // $0.15 input, $0.60 output
        #expect(price.costMicroUSD(of: Usage(input: 1)) == 1, "0.15 micro-dollars is charged as 1")
        #expect(price.costMicroUSD(of: Usage()) == 0)
        #expect(abs(price.cost(of: Usage(input: 1000, output: 1000)) - 0.00075) < 1e-12)
    }
}
