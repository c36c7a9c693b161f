import ArgumentParser
import Foundation
import Logging
import SwitchyardConfig
import SwitchyardServer
import SwitchyardStore

/// `switchyard bench-store`: writes synthetic spend rows through the real background writer into the
/// store the config names and reports the rate (bench/spend.sh uses it to fill a store with a million
/// rows and to measure the writer). Not for production stores: the rows are fake.
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-store", abstract: "Write synthetic spend rows into a store and report the rate (benchmarks).",
        shouldDisplay: false)

    @Option(name: .long, help: "Path to the YAML config file.") var config: String?
    @Option(name: .long, help: "How many rows.") var rows: Int = 100_000
    @Option(name: .long, help: "Spread evenly, in time order, over this many days before now (0: all now).") var days: Int = 30
    @Option(name: .long, help: "Distinct keys (each with its team and three models).") var keys: Int = 50

    func run() async throws {
        guard rows >= 0, days >= 0, keys >= 1 else { throw ValidationError("--rows ≥ 0, --days ≥ 0, --keys ≥ 1") }
        var logger = Logger(label: "bench-store")
        logger.logLevel = .error
        let loaded = try ConfigSource.load(path: config)
        let store = try await StoreFactory.open(loaded.store, baseDirectory: ConfigSource.directory(of: config), logger: logger)
        try await store.migrate()
        let writer = SpendWriter(store: store, logger: logger, interval: .milliseconds(5), backlogLimit: Int.max)
        let running = Task { await writer.run() }
        let models = ["gpt-4o", "gpt-4o-mini", "o3", "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-pro", "gemini-2.5-flash",
            "mistral-large-latest", "deepseek-chat", "command-r-plus"]
        let providers = ["openai", "openai", "openai", "anthropic", "anthropic", "gemini", "gemini", "mistral", "deepseek", "cohere"]
        let now = UTCTime.now()
        let span = Int64(days) * 86_400_000
        let prefix = UUID().uuidString.prefix(8)
        let started = ContinuousClock.now
        for n in 0..<rows {
            let key = n % keys
            let model = (key * 3 + n % 3) % models.count
            let row = SpendRow(
                rowID: "\(prefix)-\(n)", id: "bench-\(prefix)-\(n)", time: now - span + span * Int64(n) / Int64(max(rows, 1)),
                keyID: "key_bench\(key)", teamID: "team_bench\(key % 10)", endpoint: "/v1/chat/completions", model: models[model],
                provider: providers[model], upstreamModel: models[model], status: n % 50 == 0 ? 429 : 200, stream: n % 2 == 0,
                inputTokens: 200 + n % 800, outputTokens: 50 + n % 400, cachedInputTokens: n % 4 == 0 ? 100 : 0,
                reasoningTokens: model == 2 ? 30 : 0, cost: Int64(100 + n % 900), latencyMs: 300 + n % 700, ttftMs: 120,
                attempts: 1)
            writer.enqueue(row)
            // Keep the queue bounded like a gateway under load would (rows arrive as fast as the writer takes them).
            if writer.backlog > 20_000 { while writer.backlog > 5_000 { try await Task.sleep(for: .milliseconds(1)) } }
        }
        let left = await writer.flush(timeout: .seconds(600))
        let elapsed = ContinuousClock.now - started
        running.cancel()
        await running.value
        await store.close()
        let seconds = elapsed.seconds
        print("engine: \(store.engine)")
        print("rows: \(rows - left) written, \(left) left")
        print("elapsed: \(String(format: "%.2f", seconds)) s")
        print("rate: \(Int(Double(rows - left) / max(seconds, 1e-9))) rows/s")
    }
}
