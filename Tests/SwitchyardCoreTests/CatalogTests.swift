import Foundation
import SwitchyardConfig
@testable import SwitchyardCore
import Testing

@Suite struct CatalogTests {
    @Test func bundledCatalogIsLargeAndSourced() throws {
        let catalog = try Catalog.bundled()
        // What ships in Resources/catalog.json: update these with the file.
        #expect(catalog.entries.count == 248)
        let perProvider = Dictionary(grouping: catalog.entries, by: \.provider).mapValues(\.count)
        #expect(
            perProvider == [
                "anthropic": 16, "bedrock": 41, "cohere": 10, "deepseek": 5, "fireworks": 14, "gemini": 17,
                "groq": 9, "mistral": 20, "openai": 47, "openrouter": 24, "perplexity": 7, "qwen": 15,
                "together": 13, "xai": 10,
            ])
        #expect(catalog.providers.count == 14)
        #expect(catalog.entries.filter { $0.mode == .chat }.count == 228)
        #expect(catalog.entries.filter { $0.mode == .embedding }.count == 17)
        #expect(catalog.entries.filter { $0.mode == .completion }.count == 3)
        #expect(Set(catalog.entries.map { "\($0.provider)/\($0.id)" }).count == 248, "no provider/id twice")
        for entry in catalog.entries {
            let name = "\(entry.provider)/\(entry.id)"
            #expect(ProviderKind.named(entry.provider) != nil, "\(entry.id): unknown provider \(entry.provider)")
            #expect(entry.source.flatMap { URL(string: $0) }?.scheme == "https", "\(name) has no https source URL")
            #expect(entry.source.flatMap { URL(string: $0) }?.host?.isEmpty == false, "\(name) has no source host")
            #expect(entry.asOf.map(Self.isDate) == true, "\(name) has no YYYY-MM-DD date: \(entry.asOf ?? "nil")")
            #expect(entry.contextWindow.map { $0 > 0 } == true, "\(name) has no context window")
            guard let price = entry.price else {
                Issue.record("\(name) has no price")
                continue
            }
            for (kind, value) in [("input", price.input), ("output", price.output)] + [
                ("cached_input", price.cachedInput), ("cache_write", price.cacheWrite),
            ].compactMap({ kind, value in value.map { (kind, $0) } }) {
                #expect(value >= 0 && value.isFinite, "\(name) \(kind) price \(value)")
            }
        }
        for id in ["gpt-4o", "gpt-4o-mini", "text-embedding-3-small", "claude-sonnet-4-20250514", "gemini-2.5-pro",
            "mistral-large-latest", "deepseek-chat", "qwen-plus", "llama-3.3-70b-versatile", "grok-4", "sonar",
            "command-a-03-2025", "gpt-3.5-turbo-instruct"]
        {
            #expect(!catalog.entries(id: id).isEmpty, "\(id) missing")
        }
        #expect(catalog.entries(id: "text-embedding-3-small").first?.mode == .embedding)
    }

    /// `2025-06-01`: four-digit year, month 01–12, day 01–31.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        return year >= 2020 && (1...12).contains(month) && (1...31).contains(day)
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
