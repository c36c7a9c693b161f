import NIOCore

/// An error answer before any byte of a success: status, body and the headers that go with it.
struct ErrorAnswer {
    let status: Int
    let body: ByteBuffer
    var headers: [(name: String, value: String)]
}

/// Error bodies in each provider's own envelope (`openai-compatible.md` §3): the fixtures'
/// bodies where one exists for the status, otherwise one generated in the same shape.
enum ProviderErrors {
    /// The envelope families.
    private enum Shape {
        /// `{"error":{"message","type","param","code"}}`
        case openai
        /// `{"error":{"code":"429","message"}}` — code is the status as a string, no type.
        case azure
        /// `{"object":"error","message","type","param","code"}`
        case mistral
        /// OpenAI's without `param`.
        case groq
        /// `{"error":{"code":429,"message"}}` — code is the numeric status.
        case openrouter
        /// OpenAI's with an exception-like `type` and the numeric status as `code`.
        case vllm
    }

    private static func shape(of provider: FakeProvider) -> Shape {
        switch provider {
        case .azureOpenAI: return .azure
        case .mistral: return .mistral
        case .groq: return .groq
        case .openrouter: return .openrouter
        case .vllm: return .vllm
        default: return .openai
        }
    }

    /// The error the `status=` / `error=` knobs ask for (`fail_first` without `status` → 500).
    static func requested(by knobs: Knobs, provider: FakeProvider) -> ErrorAnswer {
        var answer: ErrorAnswer
        // `fail_first` alone means 500; a bare `error=` takes the fixture's own status.
        let status = knobs.status ?? (knobs.errorName == nil ? 500 : nil)
        if let fixture = ErrorFixture.find(provider: provider, name: knobs.errorName, status: status) {
            answer = ErrorAnswer(
                status: fixture.status,
                body: ByteBuffer(staticString: fixture.body),
                headers: fixture.headers
            )
        } else {
            let status = status ?? 500
            let meta = Self.metadata(status: status)
            answer = Self.generic(provider: provider, status: status, message: meta.message, type: meta.type, code: meta.code)
            // Real providers send a retry hint with rate limits; keep it short for tests.
            if status == 429 { answer.headers.append(("retry-after", "1")) }
        }
        if knobs.removeRetryAfter {
            answer.headers.removeAll { $0.name == "retry-after" || $0.name == "retry-after-ms" }
        } else if let seconds = knobs.retryAfterSeconds {
            answer.headers.removeAll { $0.name == "retry-after" || $0.name == "retry-after-ms" }
            answer.headers.append(("retry-after", String(seconds)))
            answer.headers.append(("retry-after-ms", String(seconds * 1000)))
        }
        return answer
    }

    static func unauthorized(provider: FakeProvider) -> ErrorAnswer {
        if let fixture = ErrorFixture.find(provider: provider, name: nil, status: 401) {
            return ErrorAnswer(status: 401, body: ByteBuffer(staticString: fixture.body), headers: fixture.headers)
        }
        let message =
            provider == .azureOpenAI
            ? "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."
            : "Invalid API key provided."
        return Self.generic(provider: provider, status: 401, message: message, type: "invalid_request_error", code: "invalid_api_key")
    }

    /// A malformed request. Mistral validates with FastAPI and answers 422 `{"detail":[…]}`
    /// for a missing field (`mistral/error-422-validation.json`); everyone else 400.
    static func invalidRequest(
        provider: FakeProvider,
        message: String,
        param: String? = nil,
        code: String? = nil,
        missingField: String? = nil
    ) -> ErrorAnswer {
        if provider == .mistral, let missingField {
            var json = JSONWriter(capacity: 160)
            json.object { json in
                json.array("detail") { json in
                    json.object { json in
                        json.field("type", "missing")
                        json.array("loc") { json in
                            json.string("body")
                            json.string(missingField)
                        }
                        json.field("msg", "Field required")
                        json.nullField("input")
                    }
                }
            }
            return ErrorAnswer(status: 422, body: json.buffer, headers: [])
        }
        return Self.generic(provider: provider, status: 400, message: message, type: "invalid_request_error", code: code, param: param)
    }

    /// OpenAI's answer to an unknown URL; also used for paths outside every provider.
    static func notFound(provider: FakeProvider?, method: String, path: String) -> ErrorAnswer {
        if provider == .azureOpenAI {
            return Self.generic(provider: .azureOpenAI, status: 404, message: "Resource not found", type: nil, code: nil)
        }
        return Self.generic(
            provider: provider ?? .openai,
            status: 404,
            message: "Invalid URL (\(method) \(path))",
            type: "invalid_request_error",
            code: nil
        )
    }

    static func generic(
        provider: FakeProvider,
        status: Int,
        message: String,
        type: String?,
        code: String?,
        param: String? = nil
    ) -> ErrorAnswer {
        var json = JSONWriter(capacity: 256)
        switch Self.shape(of: provider) {
        case .openai:
            json.object { json in
                json.object("error") { json in
                    json.field("message", message)
                    json.field("type", orNull: type)
                    json.field("param", orNull: param)
                    json.field("code", orNull: code)
                }
            }
        case .groq:
            json.object { json in
                json.object("error") { json in
                    json.field("message", message)
                    json.field("type", orNull: type)
                    json.field("code", orNull: code)
                }
            }
        case .azure:
            json.object { json in
                json.object("error") { json in
                    json.field("code", String(status))
                    json.field("message", message)
                }
            }
        case .mistral:
            json.object { json in
                json.field("object", "error")
                json.field("message", message)
                json.field("type", orNull: type)
                json.field("param", orNull: param)
                json.field("code", String(status))
            }
        case .openrouter:
            json.object { json in
                json.object("error") { json in
                    json.field("code", status)
                    json.field("message", message)
                }
            }
        case .vllm:
            json.object { json in
                json.object("error") { json in
                    json.field("message", message)
                    json.field("type", Self.vllmType(status: status))
                    json.field("param", orNull: param)
                    json.field("code", status)
                }
            }
        }
        return ErrorAnswer(status: status, body: json.buffer, headers: [])
    }

    /// Message, type and code OpenAI uses for each status (`openai.md` §5).
    private static func metadata(status: Int) -> (message: String, type: String, code: String?) {
        switch status {
        case 400: return ("Invalid request.", "invalid_request_error", "invalid_value")
        case 401: return ("Invalid API key provided.", "invalid_request_error", "invalid_api_key")
        case 402: return ("Insufficient credits.", "insufficient_quota", "insufficient_quota")
        case 403: return ("Permission denied.", "request_forbidden", "permission_denied")
        case 404: return ("The model does not exist or you do not have access to it.", "invalid_request_error", "model_not_found")
        case 408: return ("Request timed out.", "timeout", "timeout")
        case 409: return ("Conflict.", "invalid_request_error", "conflict")
        case 413: return ("Request too large.", "invalid_request_error", "request_too_large")
        case 422: return ("Unprocessable entity.", "invalid_request_error", "unprocessable_entity")
        case 429: return ("Rate limit reached. Please try again in 1s.", "requests", "rate_limit_exceeded")
        case 500: return ("The server had an error while processing your request. Sorry about that!", "server_error", nil)
        case 502: return ("Bad gateway.", "server_error", "bad_gateway")
        case 503: return ("The engine is currently overloaded, please try again later.", "server_error", "overloaded")
        case 504: return ("Gateway timeout.", "timeout", "timeout")
        case 529: return ("Overloaded.", "server_error", "overloaded")
        case 500...: return ("Upstream error \(status).", "server_error", nil)
        default: return ("Request failed with status \(status).", "invalid_request_error", nil)
        }
    }

    private static func vllmType(status: Int) -> String {
        switch status {
        case 400: return "BadRequestError"
        case 401: return "AuthenticationError"
        case 404: return "NotFoundError"
        case 429: return "RateLimitError"
        case 503: return "ServiceUnavailableError"
        case 500...: return "InternalServerError"
        default: return "BadRequestError"
        }
    }
}
