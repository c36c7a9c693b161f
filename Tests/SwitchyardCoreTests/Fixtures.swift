import Foundation
import SwitchyardCore

/// The provider transcripts copied from shared/fixtures (Tests/Fixtures/providers).
enum Fixtures {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/providers")

    static func data(_ provider: String, _ file: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(provider).appendingPathComponent(file))
    }

    static func bytes(_ provider: String, _ file: String) throws -> [UInt8] {
        Array(try data(provider, file))
    }

    static func json(_ provider: String, _ file: String) throws -> JSONValue {
        try JSON.parse(try bytes(provider, file))
    }

    /// File names in a provider's folder matching a predicate, sorted.
    static func files(_ provider: String, where predicate: (String) -> Bool) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(provider).path)) ?? []
        return names.filter(predicate).sorted()
    }

    /// The manifest entry for a fixture.
    static func manifest(_ provider: String, _ file: String) throws -> JSONValue? {
        try json(provider, "manifest.json")["fixtures"]?[file]
    }

    static let openAIFamily = [
        "openai", "azure-openai", "mistral", "deepseek", "qwen", "groq", "xai", "together", "perplexity", "openrouter",
        "ollama", "vllm",
    ]
}

/// A seeded generator so routing tests are repeatable.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
