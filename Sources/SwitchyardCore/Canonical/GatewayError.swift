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

    // The fields live in one shared, copy-on-write box, so a `GatewayError` is one pointer. Every `throws(GatewayError)`
    // call site and `catch` keeps a slot for one in its async frame, and a stream's task keeps the memory of the
    // deepest chain of those frames for as long as the stream lasts (docs/BENCHMARKS.md "Concurrent streams").
    private final class Storage: @unchecked Sendable {
        // `@unchecked`: only mutated while uniquely referenced (`mutable`), i.e. by the one value that owns it.
        var kind: Kind
        var message: String
        var param: String?
        var code: String?
        var retryAfter: String?
        var upstreamStatus: Int?
        var openAIType: String?

        init(
            kind: Kind, message: String, param: String?, code: String?, retryAfter: String?, upstreamStatus: Int?,
            openAIType: String? = nil
        ) {
            self.kind = kind
            self.message = message
            self.param = param
            self.code = code
            self.retryAfter = retryAfter
            self.upstreamStatus = upstreamStatus
            self.openAIType = openAIType
        }

        func copy() -> Storage {
            Storage(
                kind: kind, message: message, param: param, code: code, retryAfter: retryAfter, upstreamStatus: upstreamStatus,
                openAIType: openAIType)
        }
    }

    private var storage: Storage

    private var mutable: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public var kind: Kind {
        get { storage.kind }
        set { mutable.kind = newValue }
    }
    public var message: String {
        get { storage.message }
        set { mutable.message = newValue }
    }
    public var param: String? {
        get { storage.param }
        set { mutable.param = newValue }
    }
    /// A machine-readable code for the client (`model_not_found`, `rate_limit_exceeded`, …).
    public var code: String? {
        get { storage.code }
        set { mutable.code = newValue }
    }
    /// Seconds the client should wait, relayed as `retry-after`: always whole seconds within
    /// `0...RetryHint.maxSeconds` or nil, whatever a provider sent (see `RetryHint`).
    public var retryAfter: String? {
        get { storage.retryAfter }
        set { mutable.retryAfter = RetryHint.normalize(newValue) }
    }
    /// The upstream's HTTP status, when the error came from a provider.
    public var upstreamStatus: Int? {
        get { storage.upstreamStatus }
        set { mutable.upstreamStatus = newValue }
    }
    /// The error `type` OpenAI-dialect clients see, where the contract fixes one other than the class's
    /// default (the gateway's own rate limits: `rate_limit_error`).
    public var openAIType: String? {
        get { storage.openAIType }
        set { mutable.openAIType = newValue }
    }

    public init(
        _ kind: Kind, _ message: String, param: String? = nil, code: String? = nil, retryAfter: String? = nil,
        upstreamStatus: Int? = nil
    ) {
        storage = Storage(
            kind: kind, message: message, param: param, code: code, retryAfter: RetryHint.normalize(retryAfter),
            upstreamStatus: upstreamStatus)
    }

    public static func == (lhs: GatewayError, rhs: GatewayError) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.kind == rhs.kind && lhs.message == rhs.message && lhs.param == rhs.param && lhs.code == rhs.code
                && lhs.retryAfter == rhs.retryAfter && lhs.upstreamStatus == rhs.upstreamStatus && lhs.openAIType == rhs.openAIType)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(message)
        hasher.combine(param)
        hasher.combine(code)
        hasher.combine(retryAfter)
        hasher.combine(upstreamStatus)
        hasher.combine(openAIType)
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
