/// Where a stream reports token usage.
enum UsageStyle: String, Sendable {
    /// A final `choices: []` chunk, only when the request set `stream_options.include_usage`.
    case separate
    /// `usage` on the finish chunk, always.
    case finish
    /// Groq: `x_groq.usage` on the finish chunk, always (plus top-level usage if asked).
    case xGroq = "x_groq"
    /// Never.
    case none
}

/// Behaviour switches taken from the optional path segment after the provider,
/// e.g. `/openai/latency=50,status=429/v1/chat/completions`.
///
/// Putting them in the path (not headers or query) lets a gateway select a behaviour through
/// nothing but its configured `base_url`.
struct Knobs: Sendable, Equatable {
    /// Delay before the status line.
    var latencyMilliseconds = 0
    /// Delay between stream events.
    var chunkDelayMilliseconds = 0
    /// Answer with this error status.
    var status: Int?
    /// Pick a named error fixture (e.g. `insufficient_quota`); implies its status.
    var errorName: String?
    /// Overrides `retry-after` on errors: seconds, or nil with `removeRetryAfter` to drop it.
    var retryAfterSeconds: Int?
    var removeRetryAfter = false
    /// Accept the request and never answer.
    var hang = false
    /// Stream this many events, then stall until the client leaves.
    var hangAfter: Int?
    /// Stream this many events, then drop the connection (no `[DONE]`, no terminating chunk).
    var cutAfter: Int?
    /// Stream this many events, then an in-band error event.
    var midstreamError: Int?
    /// The first N requests to this exact knob prefix fail with `status` (default 500).
    var failFirst: Int?
    /// Number of content chunks in streams (and how the text is split).
    var chunks: Int?
    var usageStyle: UsageStyle?
    /// Only this API key is accepted (otherwise any non-empty key is). Bedrock with SigV4: the
    /// access key id in the credential.
    var requiredKey: String?
    /// Bedrock: verify SigV4 signatures with this secret access key (otherwise any well-formed
    /// SigV4 header is accepted unchecked).
    var sigV4Secret: String?
    /// How JSON is spelled in OpenAI-family answers and stream events (`json=compact|spaced|multiline`).
    var jsonSpacing = JSONSpacing.compact

    struct ParseError: Error, Equatable {
        let message: String
    }

    static let none = Knobs()

    /// Parses `key=value,key=value`. Unknown keys are rejected, so a typo in a test's base URL
    /// fails loudly instead of silently testing the happy path. `tag=…` is accepted and
    /// ignored: it makes a prefix unique, e.g. to give a test its own `fail_first` counter.
    init(segment: Substring) throws(ParseError) {
        for pair in segment.split(separator: ",", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw ParseError(message: "knob '\(pair)' is not key=value")
            }
            let key = pair[..<equals]
            let value = pair[pair.index(after: equals)...]
            switch key {
            case "latency": self.latencyMilliseconds = try Self.count(key, value, max: 600_000)
            case "chunk_delay": self.chunkDelayMilliseconds = try Self.count(key, value, max: 600_000)
            case "status":
                let status = try Self.count(key, value, max: 599)
                guard status >= 400 else { throw ParseError(message: "knob status=\(value) must be 400...599") }
                self.status = status
            case "error": self.errorName = String(value)
            case "retry_after":
                if value == "none" {
                    self.removeRetryAfter = true
                } else {
                    self.retryAfterSeconds = try Self.count(key, value, max: 86_400)
                }
            case "hang": self.hang = try Self.flag(key, value)
            case "hang_after": self.hangAfter = try Self.count(key, value, max: 1_000_000)
            case "cut_after": self.cutAfter = try Self.count(key, value, max: 1_000_000)
            case "midstream_error": self.midstreamError = try Self.count(key, value, max: 1_000_000)
            case "fail_first": self.failFirst = try Self.count(key, value, max: 1_000_000)
            case "chunks":
                let chunks = try Self.count(key, value, max: 100_000)
                guard chunks >= 1 else { throw ParseError(message: "knob chunks must be at least 1") }
                self.chunks = chunks
            case "usage_style":
                guard let style = UsageStyle(rawValue: String(value)) else {
                    throw ParseError(message: "knob usage_style=\(value) must be separate, finish, x_groq or none")
                }
                self.usageStyle = style
            case "key": self.requiredKey = String(value)
            case "sigv4_secret":
                // Secret keys may contain `/`, which has to arrive percent-encoded in a path segment.
                guard let secret = PercentEncoding.decode(value), !secret.isEmpty else {
                    throw ParseError(message: "knob sigv4_secret must be a non-empty, validly percent-encoded key")
                }
                self.sigV4Secret = secret
            case "json":
                guard let spacing = JSONSpacing(rawValue: String(value)) else {
                    throw ParseError(message: "knob json=\(value) must be compact, spaced or multiline")
                }
                self.jsonSpacing = spacing
            case "tag": break
            default:
                throw ParseError(
                    message: "unknown knob '\(key)' (known: latency, chunk_delay, status, error, retry_after, hang, "
                        + "hang_after, cut_after, midstream_error, fail_first, chunks, usage_style, key, sigv4_secret, json, tag)"
                )
            }
        }
    }

    init() {}

    private static func count(_ key: Substring, _ value: Substring, max: Int) throws(ParseError) -> Int {
        guard let number = Int(value), number >= 0, number <= max else {
            throw ParseError(message: "knob \(key)=\(value) must be an integer in 0...\(max)")
        }
        return number
    }

    private static func flag(_ key: Substring, _ value: Substring) throws(ParseError) -> Bool {
        switch value {
        case "1", "true": return true
        case "0", "false": return false
        default: throw ParseError(message: "knob \(key)=\(value) must be 1 or 0")
        }
    }
}
