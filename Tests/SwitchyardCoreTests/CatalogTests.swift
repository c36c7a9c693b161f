import Testing
@testable import SwitchyardCore

@Suite struct CatalogTests {
    @Test func bundledCatalogIsLargeAndSourced() throws {
        let catalog = try Catalog.bundled()
        #expect(catalog.entries.count >= 171)
        #expect(catalog.providers.count >= 14)
        for entry in catalog.entries {
            #expect(ProviderKind.named(entry.provider) != nil, "\(entry.id): unknown provider \(entry.provider)")
            #expect(entry.price != nil, "\(entry.provider)/\(entry.id) has no price")
            #expect(entry.source?.hasPrefix("https://") == true, "\(entry.provider)/\(entry.id) has no source")
            #expect(entry.asOf?.count == 10, "\(entry.provider)/\(entry.id) has no date")
            #expect(entry.contextWindow != nil, "\(entry.provider)/\(entry.id) has no context window")
        }
        for id in ["gpt-4o", "gpt-4o-mini", "text-embedding-3-small", "claude-sonnet-4-20250514", "gemini-2.5-pro",
            "mistral-large-latest", "deepseek-chat", "qwen-plus", "llama-3.3-70b-versatile", "grok-4", "sonar",
            "command-a-03-2025", "gpt-3.5-turbo-instruct"]
        {
            #expect(!catalog.entries(id: id).isEmpty, "\(id) missing")
        }
        #expect(catalog.entries(id: "text-embedding-3-small").first?.mode == .embedding)
    }

    @Test func configEntriesOverrideAndAdd() throws {
        var catalog = Catalog(entries: [CatalogEntry(id: "m", provider: "openai", price: .init(input: 1, output: 2))])
        catalog.upsert(CatalogEntry(id: "m", provider: "openai", price: .init(input: 3, output: 4)))
        catalog.upsert(CatalogEntry(id: "n", provider: "vllm", upstream: "org/n-8b"))
        #expect(catalog.entries.count == 2)
        #expect(catalog.entry(provider: "openai", model: "m")?.price?.input == 3)
        #expect(catalog.entry(provider: "vllm", model: "org/n-8b")?.id == "n")
    }

    @Test func pricesUsageByClass() {
        let price = CatalogEntry.Price(input: 2.5, output: 10, cachedInput: 1.25)
        let cost = price.cost(of: Usage(input: 1_000_000, output: 100_000, cacheRead: 200_000, reasoning: 100_000))
        #expect(abs(cost - (2.5 + 0.25 + 2.0)) < 1e-9)
    }
}
