import Synchronization
import SwitchyardStore

/// What an admitted request holds until it ends: budget reservations, a place among the key's parallel
/// requests, the tokens counted for it so far. Settled once at the completion point; if a path never
/// gets there (a crash of its task), `deinit` gives everything back, so a hold never leaks and no key is
/// locked out by a request that is gone.
public final class AdmissionTicket: Sendable {
    struct Hold: Sendable {
        let account: BudgetAccount
        let amount: MicroUSD
        let periodStart: UTCTime.Millis
    }

    let holds: [Hold]
    let parallel: [LimitCounters]
    /// Token counters charged with the estimate at admission, corrected at settlement.
    let tokenCounters: [RateCounter]
    let estimatedTokens: Int
    /// The `x-ratelimit-*` headers for the answer (empty when the key has no rate limits).
    public let rateLimitHeaders: [(String, String)]
    /// Set when `fit_max_tokens` lowered the request's output limit to what its budget affords: the limit
    /// to send instead of the client's.
    public let maxOutputTokens: Int?
    private let settled = Atomic<Bool>(false)

    init(
        holds: [Hold], parallel: [LimitCounters], tokenCounters: [RateCounter], estimatedTokens: Int,
        rateLimitHeaders: [(String, String)], maxOutputTokens: Int? = nil
    ) {
        self.maxOutputTokens = maxOutputTokens
        self.holds = holds
        self.parallel = parallel
        self.tokenCounters = tokenCounters
        self.estimatedTokens = estimatedTokens
        self.rateLimitHeaders = rateLimitHeaders
    }

    /// Settles to the request's real cost (0 when no provider was reached) and tokens; only the first
    /// call counts.
    public func settle(cost: MicroUSD, tokens: Int, now: UTCTime.Millis = UTCTime.now()) {
        guard settled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return
        }
        for hold in holds { hold.account.settle(reserved: hold.amount, cost: cost, periodStart: hold.periodStart) }
        for counters in parallel { counters.leave() }
        for counter in tokenCounters { counter.add(tokens - estimatedTokens, now: now) }
    }

    deinit {
        settle(cost: 0, tokens: estimatedTokens)
    }
}

/// Why admission refused a request (CONTRACT §2 error table); the server writes it in the client's dialect.
public enum Refusal: Error, Sendable, Equatable {
    case modelNotAllowed(model: String)
    /// `limit` names it (`key rpm`, `team tpm`).
    case rateLimited(limit: String, retryAfterSeconds: Int)
    case tooManyParallel(limit: Int)
    /// `scope` is `key` or `team` (with the model for a per-model budget).
    case budgetExceeded(scope: String, period: Budget.Period)
    /// The model has no price, so a hard cap cannot be enforced for it.
    case unpriced(model: String, scope: String)
    /// The store could not be asked for more budget; hard caps fail closed.
    case storeUnavailable
}
