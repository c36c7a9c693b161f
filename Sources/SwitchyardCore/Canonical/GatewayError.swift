/// Every failure the gateway reports, classified once (mapping.md §3). The class decides retry,
/// failover, status code and metric label; dialect codecs decide only the shape.
public struct GatewayError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case invalidRequest = "invalid_request"
        case authentication
        case permission
        case notFound = "not_found"
        case contextWindow = "context_window"
        case contentPolicy = "content_policy"
        case rateLimited = "rate_limited"
        case quotaExhausted = "quota_exhausted"
        case overloaded
        case timeout
        case upstreamError = "upstream_error"
        case upstreamAuthentication = "upstream_authentication"
        case upstreamPermission = "upstream_permission"
        case requestTooLarge = "request_too_large"
        case internalError = "internal_error"
    }

    public var kind: Kind
    public var message: String
    public var param: String?
    /// A machine-readable code for the client (`model_not_found`, `rate_limit_exceeded`, …).
    public var code: String?
    /// Seconds the client should wait, relayed as `retry-after`: always whole seconds within
    /// `0...RetryHint.maxSeconds` or nil, whatever a provider sent (see `RetryHint`).
    public var retryAfter: String? {
        get { normalizedRetryAfter }
        set { normalizedRetryAfter = RetryHint.normalize(newValue) }
    }
    private var normalizedRetryAfter: String?
    /// The upstream's HTTP status, when the error came from a provider.
    public var upstreamStatus: Int?
    /// The error `type` OpenAI-dialect clients see, where the contract fixes one other than the class's
    /// default (the gateway's own rate limits: `rate_limit_error`).
    public var openAIType: String?

    public init(
        _ kind: Kind, _ message: String, param: String? = nil, code: String? = nil, retryAfter: String? = nil,
        upstreamStatus: Int? = nil
    ) {
        self.kind = kind
        self.message = message
        self.param = param
        self.code = code
        self.normalizedRetryAfter = RetryHint.normalize(retryAfter)
        self.upstreamStatus = upstreamStatus
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    /// Whether the next planned deployment should be tried (the client's own mistakes are final).
    public var allowsFailover: Bool {
        switch kind {
        case .invalidRequest, .requestTooLarge, .contentPolicy, .internalError: return false
        default: return true
        }
    }

    /// Whether a client retrying the same request could succeed.
    public var isTransient: Bool {
        switch kind {
        case .rateLimited, .overloaded, .timeout, .upstreamError: return true
        default: return false
        }
    }
}
