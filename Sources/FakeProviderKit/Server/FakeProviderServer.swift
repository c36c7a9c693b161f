import Hummingbird
import Logging
import ServiceLifecycle

/// A fake of the LLM providers a gateway talks to, on one HTTP port: the OpenAI family —
/// OpenAI, Azure OpenAI, Mistral, DeepSeek, Qwen, Groq, xAI, Together, Fireworks, Perplexity,
/// OpenRouter, Ollama, vLLM and a generic `openai-compatible` — each with its own quirks, and the
/// native dialects Anthropic Messages, Gemini, AWS Bedrock Converse and Cohere v2 chat. JSON
/// answers and streams follow `Tests/Fixtures/providers/<provider>/` byte for byte in framing
/// and key order; the text is `"Echo: <last user text>"`, token counts are word counts.
///
/// ## URLs
/// OpenAI family: `/{provider}/{knobs?}/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`,
/// `GET /v1/models`; Perplexity also without `/v1`; Azure as
/// `/azure-openai/{knobs?}/openai/deployments/{deployment}/chat/completions?api-version=…`
/// (and `/completions`, `/embeddings`; the v1 form `/azure-openai/openai/v1/…` too).
///
/// Native dialects (`base` is what `FakeProvider.basePath(knobs:)` gives):
/// - Anthropic, base `/anthropic/{knobs?}`: `POST {base}/v1/messages` (SSE with `"stream": true`),
///   `POST {base}/v1/messages/count_tokens`, `GET {base}/v1/models`. Key in `x-api-key` or
///   `Authorization: Bearer`; `anthropic-version` required (400 without); under any version but
///   `2023-06-01`, `temperature`/`top_p`/`top_k` are refused as the `2026-10-21` API does.
///   `thinking` enabled/adaptive adds a signed thinking block; offered `tools` are called
///   (`tool_use`, `input_json_delta`s) unless the last user turn carries a `tool_result`.
/// - Gemini, base `/gemini/{knobs?}/v1beta`: `POST {base}/models/{model}:generateContent`,
///   `:streamGenerateContent?alt=sse` (CRLF-framed SSE; without `alt=sse` a JSON array),
///   `GET {base}/models`. Key in `x-goog-api-key` (a `?key=` query works too and stays visible
///   in the request log); none → 403, wrong → 400 `API_KEY_INVALID`. `functionDeclarations` are
///   called (`functionCall`, `finishReason: "STOP"`); `thinkingConfig` adds `thoughtSignature` (`gemini-3*` models always think and sign, as Gemini 3 does)
///   (and thought summaries with `includeThoughts`); `gemini-3*` models reject replayed function
///   calls without their signature.
/// - Bedrock, base `/bedrock/{knobs?}`: `POST {base}/model/{modelId}/converse` and
///   `/converse-stream` (`application/vnd.amazon.eventstream` frames); the model id arrives
///   percent-encoded. `Authorization: Bearer <API key>` or SigV4 (`AWS4-HMAC-SHA256 …` plus
///   `x-amz-date`, scoped to service `bedrock`, `host` signed). User/assistant alternation
///   starting with user is enforced (400 `ValidationException`), and `toolConfig` whenever the
///   history holds tool blocks. `additionalModelRequestFields.thinking` adds reasoning.
/// - Cohere, base `/cohere/{knobs?}`: `POST {base}/v2/chat` (SSE with `"stream": true`),
///   `Authorization: Bearer`. Tools are called with a `tool_plan` unless a `tool` message came last.
///
/// ## Knobs
/// An optional path segment right after the provider, `key=value` pairs joined by commas:
/// `latency=MS`, `chunk_delay=MS`, `status=CODE`, `error=NAME` (a named fixture such as
/// `insufficient_quota`, `overloaded`, `resource_exhausted`, `throttling`), `retry_after=S|none`,
/// `hang=1`, `hang_after=N`, `cut_after=N`, `midstream_error=N`, `fail_first=N`, `chunks=N`,
/// `usage_style=separate|finish|x_groq|none` (OpenAI family only), `key=KEY` (only this key is
/// accepted; Bedrock SigV4: only this access key id), `sigv4_secret=SECRET` (Bedrock only:
/// verify SigV4 signatures with this secret key, `/` written `%2F`), `tag=ANY` (ignored; makes a
/// prefix unique). Stream knobs count events — SSE events, or Bedrock frames. Errors take each
/// dialect's shape; in-stream errors are Anthropic's `event: error` (overloaded), Gemini's
/// `data: {"error":…}` (503), a Bedrock `throttlingException` frame, Cohere's `message-end`
/// with `finish_reason: "ERROR"`. Retry hints default to 1 s for natives (see `NativeErrors`).
///
/// ## Use in tests
/// ```swift
/// let fake = FakeProviderServer()
/// try await fake.withRunning { running in
///     let url = running.baseURL(.openai, knobs: "status=429") + "/chat/completions"
///     …
///     let seen = await fake.requests()
/// }
/// ```
/// or run it yourself: `try await fake.run { port in … }` in a task, cancel the task to stop.
public struct FakeProviderServer: Sendable {
    public let host: String
    public let port: Int
    private let log: RequestLog
    private let counters: FailureCounters

    /// - Parameters:
    ///   - host: address to bind; loopback by default.
    ///   - port: port to bind; 0 picks a free one (reported to `onStarted`).
    ///   - requestLogLimit: most recent requests kept in the log; 0 records nothing.
    public init(host: String = "127.0.0.1", port: Int = 0, requestLogLimit: Int = 10_000) {
        self.host = host
        self.port = port
        self.log = RequestLog(limit: max(requestLogLimit, 0))
        self.counters = FailureCounters()
    }

    /// Serves until the calling task is cancelled (or binding fails, which throws).
    ///
    /// - Parameter onStarted: called once, with the bound port, when the server accepts connections.
    public func run(onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await self.makeApplication(onStarted: onStarted).run()
    }

    /// Serves until SIGINT or SIGTERM, which stop it at once: in-flight requests (hung ones
    /// included) are cut rather than awaited.
    public func runUntilTerminated(onStarted: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = self.makeApplication(onStarted: onStarted)
        let group = ServiceGroup(
            services: [app],
            gracefulShutdownSignals: [],
            cancellationSignals: [.sigint, .sigterm],
            logger: Self.logger
        )
        try await group.run()
    }

    /// Starts the server on its port, runs `body` with the running server, then stops it.
    /// Throws if the server cannot bind.
    public func withRunning<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (RunningFakeProviders) async throws -> Result
    ) async throws -> Result {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self, returning: Result.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await self.run { port in continuation.yield(port) }
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                // `run` returned before binding: surface its error.
                try await group.next()
                throw FakeProviderServerError.stoppedBeforeListening
            }
            defer { group.cancelAll() }
            return try await body(RunningFakeProviders(server: self, port: port))
        }
    }

    /// The requests received so far, oldest first (`/_fake/…` calls excluded).
    public func requests() async -> [RecordedRequest] {
        await self.log.all()
    }

    /// Empties the request log.
    public func clearRequests() async {
        await self.log.clear()
    }

    /// Empties the request log and forgets `fail_first` counts.
    public func reset() async {
        await self.log.clear()
        await self.counters.reset()
    }

    private func makeApplication(
        onStarted: @escaping @Sendable (Int) async -> Void
    ) -> Application<FakeProviderResponder> {
        let port = self.port
        return Application(
            responder: FakeProviderResponder(log: self.log, counters: self.counters),
            configuration: .init(address: .hostname(self.host, port: self.port)),
            onServerRunning: { channel in
                await onStarted(channel.localAddress?.port ?? port)
            },
            logger: Self.logger
        )
    }

    /// Silent by default: stopping by cancellation makes Hummingbird log "errors" that are
    /// expected here, and failures that matter (binding) are thrown. `LOG_LEVEL=debug` to see them.
    private static let logger: Logger = {
        var logger = Logger(label: "switchyard-fake-providers")
        logger.logLevel = Environment().get("LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()
}

/// A started `FakeProviderServer`, as handed to `FakeProviderServer.withRunning`.
public struct RunningFakeProviders: Sendable {
    public let server: FakeProviderServer
    /// The bound port.
    public let port: Int

    /// `http://127.0.0.1:PORT` (a wildcard bind is reached through loopback).
    public var url: String {
        let host: String
        switch self.server.host {
        case "0.0.0.0", "": host = "127.0.0.1"
        case "::": host = "[::1]"
        case let other where other.contains(":"): host = "[\(other)]"
        case let other: host = other
        }
        return "http://\(host):\(self.port)"
    }

    /// The `base_url` a gateway should use for `provider`, e.g. `http://127.0.0.1:PORT/openai/status=429/v1`.
    public func baseURL(_ provider: FakeProvider, knobs: String? = nil) -> String {
        self.url + provider.basePath(knobs: knobs)
    }

    public func requests() async -> [RecordedRequest] {
        await self.server.requests()
    }

    public func clearRequests() async {
        await self.server.clearRequests()
    }
}

public enum FakeProviderServerError: Error {
    /// The server stopped before it was listening, without an error of its own.
    case stoppedBeforeListening
}
