import ArgumentParser
import FakeProviderKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `switchyard-fake-providers`: the fake upstreams (OpenAI family and the native dialects) as a process, for the README
/// demo, benchmarks and anything outside Swift tests. See `FakeProviderServer` for URLs and knobs.
@main
struct FakeProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard-fake-providers",
        abstract: "Fake LLM providers (OpenAI family, Anthropic, Gemini, Bedrock, Cohere) on one port.",
        discussion: """
            URLs: /{provider}/{knobs?}/v1/chat/completions (also /v1/completions, /v1/embeddings, GET /v1/models);
            Azure: /azure-openai/{knobs?}/openai/deployments/{deployment}/chat/completions?api-version=…
            Anthropic: /anthropic/{knobs?}/v1/messages (also /v1/messages/count_tokens, GET /v1/models);
            Gemini: /gemini/{knobs?}/v1beta/models/{model}:generateContent (:streamGenerateContent?alt=sse);
            Bedrock: /bedrock/{knobs?}/model/{modelId}/converse (/converse-stream); Cohere: /cohere/{knobs?}/v2/chat.
            Knobs: latency=MS, chunk_delay=MS, status=CODE, error=NAME, retry_after=S|none, hang=1, hang_after=N,
            cut_after=N, midstream_error=N, fail_first=N, chunks=N, usage_style=separate|finish|x_groq|none, key=KEY,
            sigv4_secret=SECRET (Bedrock), tag=X.
            Control: GET /_fake/health, GET|DELETE /_fake/requests, POST /_fake/reset.
            """
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free one.")
    var port = 0

    @Option(help: "Most recent requests kept for GET /_fake/requests; 0 records nothing.")
    var logLimit = 10_000

    func run() async throws {
        let server = FakeProviderServer(host: self.host, port: self.port, requestLogLimit: self.logLimit)
        let shownHost = self.host.contains(":") ? "[\(self.host)]" : self.host
        try await server.runUntilTerminated { port in
            // Scripts wait for this exact line; flush because stdout is a pipe there
            // (`fflush(nil)` flushes every stream without touching the global `stdout`).
            print("fake providers listening on http://\(shownHost):\(port)")
            fflush(nil)
        }
    }
}
