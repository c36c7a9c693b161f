import NIOCore

/// One error of a native dialect, taken from `Tests/Fixtures/providers/<dialect>/error-*.json`
/// and its manifest entry: enough to rebuild the fixture's body in the dialect's envelope with
/// this response's request id.
struct NativeErrorFixture: Sendable {
    /// The `error=` knob value that selects it.
    let name: String
    let status: Int
    /// Anthropic `error.type`, Gemini `error.status`, Bedrock exception name; unused for Cohere.
    let code: String
    let message: String
    /// Pre-encoded JSON spliced into the body: Anthropic's `details` object, the elements of
    /// Gemini's `details` array, extra members of Bedrock's body.
    let extra: StaticString?
    let headers: [(name: String, value: String)]

    init(
        name: String,
        status: Int,
        code: String = "",
        message: String,
        extra: StaticString? = nil,
        headers: [(name: String, value: String)] = []
    ) {
        self.name = name
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers = headers
    }
}

/// Error answers of the native dialects, in each one's envelope (see the dialect folders for
/// bodies). The counterpart of `ProviderErrors` for the OpenAI family.
///
/// Retry hints: the fixtures' waits (Anthropic `retry-after: 17`, Gemini `retryDelay: "37s"`)
/// would stall every retry test, so they default to 1 second; `retry_after=S` sets them and
/// `retry_after=none` drops them. Bedrock and Cohere send no hint unless `retry_after=S` asks
/// for a `retry-after` header.
enum NativeErrors {
    static func fixtures(for dialect: FakeProvider.Dialect) -> [NativeErrorFixture] {
        switch dialect {
        case .anthropic: return AnthropicErrors.fixtures
        case .gemini: return GeminiErrors.fixtures
        case .bedrock: return BedrockErrors.fixtures
        case .cohere: return CohereErrors.fixtures
        case .openAI: return []
        }
    }

    static func find(dialect: FakeProvider.Dialect, name: String?, status: Int?) -> NativeErrorFixture? {
        Self.fixtures(for: dialect).first { fixture in
            (name.map { $0 == fixture.name } ?? true) && (status.map { $0 == fixture.status } ?? true)
        }
    }

    /// The error the `status=` / `error=` knobs ask for (`fail_first` without `status` → 500).
    static func requested(by knobs: Knobs, dialect: FakeProvider.Dialect, requestID: String) -> ErrorAnswer {
        let status = knobs.status ?? (knobs.errorName == nil ? 500 : nil)
        let fixture =
            Self.find(dialect: dialect, name: knobs.errorName, status: status)
            ?? Self.generic(dialect: dialect, status: status ?? 500)
        // Seconds of the retry hint: nil drops it.
        let retrySeconds: Int?
        if knobs.removeRetryAfter {
            retrySeconds = nil
        } else if let seconds = knobs.retryAfterSeconds {
            retrySeconds = seconds
        } else {
            retrySeconds = fixture.status == 429 && (dialect == .anthropic || dialect == .gemini) ? 1 : nil
        }
        var answer = Self.answer(fixture, dialect: dialect, requestID: requestID, retrySeconds: retrySeconds)
        answer.headers.removeAll { $0.name == "retry-after" }
        // Gemini carries its hint in the body (`RetryInfo`), everyone else in the header.
        if dialect != .gemini, let retrySeconds {
            answer.headers.append(("retry-after", String(retrySeconds)))
        }
        return answer
    }

    /// The fixture's body in the dialect's envelope, with its headers.
    static func answer(
        _ fixture: NativeErrorFixture,
        dialect: FakeProvider.Dialect,
        requestID: String,
        retrySeconds: Int? = nil
    ) -> ErrorAnswer {
        let body: ByteBuffer
        var headers = fixture.headers
        switch dialect {
        case .anthropic:
            body = AnthropicErrors.body(fixture, requestID: requestID)
            // The fixture's reset time is long past; a fresh one says when to come back.
            let reset = RFC3339.now(plusSeconds: retrySeconds ?? 1)
            headers = headers.map { $0.name.hasSuffix("-reset") ? ($0.name, reset) : $0 }
        case .gemini:
            body = GeminiErrors.body(fixture, retrySeconds: retrySeconds)
        case .bedrock:
            body = BedrockErrors.body(fixture)
            headers.append(("x-amzn-ErrorType", fixture.code + ":http://internal.amazon.com/coral/com.amazon.bedrock/"))
        case .cohere, .openAI:
            body = CohereErrors.body(fixture, id: requestID)
        }
        return ErrorAnswer(status: fixture.status, body: body, headers: headers)
    }

    /// A made-up error for a status without a fixture, in the dialect's vocabulary.
    static func generic(dialect: FakeProvider.Dialect, status: Int, message: String? = nil) -> NativeErrorFixture {
        switch dialect {
        case .anthropic: return AnthropicErrors.generic(status: status, message: message)
        case .gemini: return GeminiErrors.generic(status: status, message: message)
        case .bedrock: return BedrockErrors.generic(status: status, message: message)
        case .cohere, .openAI: return NativeErrorFixture(name: "generic", status: status, message: message ?? CohereErrors.message(status: status))
        }
    }

    /// A malformed request: 400 in the dialect's shape (Bedrock: `ValidationException`).
    static func invalidRequest(dialect: FakeProvider.Dialect, message: String, requestID: String) -> ErrorAnswer {
        Self.answer(Self.generic(dialect: dialect, status: 400, message: message), dialect: dialect, requestID: requestID)
    }

    /// A path the dialect does not serve.
    static func notFound(dialect: FakeProvider.Dialect, method: String, path: String, requestID: String) -> ErrorAnswer {
        let message: String
        switch dialect {
        case .anthropic: message = "Not Found"
        case .gemini: message = "Method not found: \(method) \(path)"
        case .bedrock: message = "The requested resource \(path) was not found."
        case .cohere, .openAI: message = "invalid path: \(method) \(path)"
        }
        return Self.answer(Self.generic(dialect: dialect, status: 404, message: message), dialect: dialect, requestID: requestID)
    }
}
