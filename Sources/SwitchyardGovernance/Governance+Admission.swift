import SwitchyardConfig
import SwitchyardStore

/// What admission needs to know of a request.
public struct AdmissionQuery: Sendable {
    /// The names the allow-lists are matched against: the requested name and the `provider/model` it resolved to.
    public var names: [String]
    /// The model name per-model budgets are keyed by (the requested name).
    public var model: String
    /// The request's worst-case cost (estimated input plus its output limit at the most expensive planned
    /// deployment); nil when a planned deployment has no price.
    public var worstCase: MicroUSD?
    /// Estimated input tokens plus the output limit: counted against TPM until the usage is known.
    public var estimatedTokens: Int
    /// For `fit_max_tokens`: the worst case's input part, and the output limit and the dearest output
    /// price per token (micro-dollars) it assumed. nil: the request's output limit cannot be lowered.
    public var fitting: Fitting?

    public struct Fitting: Sendable {
        public var inputCost: MicroUSD
        public var outputLimit: Int
        public var outputPricePerToken: Double
        public init(inputCost: MicroUSD, outputLimit: Int, outputPricePerToken: Double) {
            self.inputCost = inputCost
            self.outputLimit = outputLimit
            self.outputPricePerToken = outputPricePerToken
        }
    }

    public init(names: [String], model: String, worstCase: MicroUSD?, estimatedTokens: Int, fitting: Fitting? = nil) {
        self.names = names
        self.model = model
        self.worstCase = worstCase
        self.estimatedTokens = estimatedTokens
        self.fitting = fitting
    }
}

extension Governance {
    /// Admits a request of `grant` (CONTRACT §2): the allow-lists, then RPM/TPM and parallel requests of
    /// the key and its team, then every budget that applies (key, team, and per model within them),
    /// reserving the worst case. Whatever was taken is given back when a later check refuses.
    public func admit(_ grant: KeyGrant, _ query: AdmissionQuery, now: UTCTime.Millis = UTCTime.now()) async
        -> Result<AdmissionTicket, Refusal>
    {
        guard grant.allows(query.names) else { return .failure(.modelNotAllowed(model: query.model)) }
        let key = grant.key
        let team = grant.team

        // Parallel requests: the key's own limit.
        var parallel: [LimitCounters] = []
        if let limit = key.maxParallel {
            guard grant.keyCounters.enter(limit: limit) else { return .failure(.tooManyParallel(limit: limit)) }
            parallel.append(grant.keyCounters)
        }
        func undoParallel() { for counters in parallel { counters.leave() } }

        // Requests and tokens per minute, key then team (the tighter applies because both must pass).
        var tokenCounters: [RateCounter] = []
        let checks: [(String, Int?, RateCounter?, Int)] = [
            ("key rpm", key.rpm, grant.keyCounters.requests, 1),
            ("key tpm", key.tpm, grant.keyCounters.tokens, query.estimatedTokens),
            ("team rpm", team?.rpm, grant.teamCounters?.requests, 1),
            ("team tpm", team?.tpm, grant.teamCounters?.tokens, query.estimatedTokens),
        ]
        var taken: [(RateCounter, Int)] = []
        for (name, limit, counter, amount) in checks {
            guard let limit, let counter else { continue }
            let (allowed, reading) = counter.take(amount, limit: limit, now: now)
            guard allowed else {
                for (counter, amount) in taken { counter.add(-amount, now: now) }
                undoParallel()
                let seconds = Int(max(1, (reading.resetMillis + 999) / 1000))
                return .failure(.rateLimited(limit: name, retryAfterSeconds: min(seconds, 60)))
            }
            taken.append((counter, amount))
            if name.hasSuffix("tpm") { tokenCounters.append(counter) }
        }
        func undoRates() {
            for (counter, amount) in taken { counter.add(-amount, now: now) }
            undoParallel()
        }

        // Budgets: reserve the worst case in every scope that has one.
        var scopes: [(SpendScope, Budget, String)] = []
        if let budget = key.budget { scopes.append((SpendScope(kind: .key, id: key.id), budget, "key")) }
        if let budget = key.modelBudgets[query.model] {
            scopes.append((SpendScope(kind: .key, id: key.id, model: query.model), budget, "key model \(query.model)"))
        }
        if let team {
            if let budget = team.budget { scopes.append((SpendScope(kind: .team, id: team.id), budget, "team")) }
            if let budget = team.modelBudgets[query.model] {
                scopes.append((SpendScope(kind: .team, id: team.id, model: query.model), budget, "team model \(query.model)"))
            }
        }
        var holds: [AdmissionTicket.Hold] = []
        func undoHolds() {
            for hold in holds { hold.account.settle(reserved: hold.amount, cost: 0, periodStart: hold.periodStart) }
            holds = []
        }
        guard !scopes.isEmpty else {
            return .success(
                AdmissionTicket(
                    holds: [], parallel: parallel, tokenCounters: tokenCounters, estimatedTokens: query.estimatedTokens,
                    rateLimitHeaders: rateLimitHeaders(grant, now: now)))
        }
        guard var amount = query.worstCase else {
            undoRates()
            return .failure(.unpriced(model: query.model, scope: scopes[0].2))
        }
        // With `fit_max_tokens`, a budget that cannot cover the worst case but could cover a shorter answer
        // lowers the output limit to what the tightest budget affords, and every budget reserves that.
        var fittedOutput: Int?
        var index = 0
        while index < scopes.count {
            let (scope, budget, label) = scopes[index]
            let account = ledger.account(scope, budget: budget, now: now)
            switch await reserve(amount, in: account, now: now) {
            case .success(let periodStart):
                holds.append(AdmissionTicket.Hold(account: account, amount: amount, periodStart: periodStart))
                index += 1
            case .failure(.budgetExceeded):
                if fitMaxTokens, let fitting = query.fitting, fitting.outputPricePerToken > 0 {
                    let available = account.available(now: now)
                    let affordable = Int(Double(available - fitting.inputCost) / fitting.outputPricePerToken)
                    let output = min(affordable, fittedOutput ?? fitting.outputLimit) - 1
                    if output >= Self.minimumFittedOutput {
                        // Start over with the smaller worst case, so every budget holds the same amount.
                        undoHolds()
                        fittedOutput = output
                        amount = fitting.inputCost + MicroUSD((Double(output) * fitting.outputPricePerToken).rounded(.up))
                        index = 0
                        continue
                    }
                }
                undoHolds()
                undoRates()
                return .failure(.budgetExceeded(scope: label, period: budget.period))
            case .failure(let refusal):
                undoHolds()
                undoRates()
                return .failure(refusal)
            }
        }
        return .success(
            AdmissionTicket(
                holds: holds, parallel: parallel, tokenCounters: tokenCounters, estimatedTokens: query.estimatedTokens,
                rateLimitHeaders: rateLimitHeaders(grant, now: now), maxOutputTokens: fittedOutput))
    }

    /// The shortest answer `fit_max_tokens` lowers a request to; below it the request is refused.
    public static let minimumFittedOutput = 16

    /// Reserves from the local grant; when it is too small, leases more from the store (the only time a
    /// request waits on the store) and tries once more.
    func reserve(_ amount: MicroUSD, in account: BudgetAccount, now: UTCTime.Millis) async -> Result<UTCTime.Millis, Refusal> {
        if account.reserve(amount, now: now) == .reserved { return .success(account.snapshot.periodStart) }
        let leased = await renew(account, now: now, releasing: false, extra: amount)
        guard leased else { return .failure(.storeUnavailable) }
        if account.reserve(amount, now: now) == .reserved { return .success(account.snapshot.periodStart) }
        return .failure(.budgetExceeded(scope: "", period: account.budget.period))
    }

    /// Asks the store for this instance's grant: what it spent and holds, plus `extra` and a slice of
    /// headroom (the whole budget when no other instance shares the store); or, when `releasing`, only
    /// what it spent and holds. Returns false when the store could not be reached.
    @discardableResult
    func renew(_ account: BudgetAccount, now: UTCTime.Millis, releasing: Bool, extra: MicroUSD = 0) async -> Bool {
        do {
            return try await account.leasing.withLock {
                account.roll(now: now)
                var state = account.snapshot
                if !state.leased {
                    // The first lease of a period on this instance: with a store of its own, what earlier runs
                    // spent this period is in the roll-ups.
                    let earlier = shared ? 0 : try await store.spent(account.scope, since: state.periodStart)
                    account.state.withLock { s in
                        if s.periodStart == state.periodStart && !s.leased { s.spent += earlier }
                    }
                    state = account.snapshot
                }
                let budget = account.budget
                let slice = shared ? max(budget.max / 10, extra) : budget.max
                let wanted = releasing ? state.spent + state.reserved : state.spent + state.reserved + extra + slice
                let ttl = releasing ? Int64(0) : max(Int64(syncInterval.milliseconds) * 5, 10_000)
                let granted = try await store.lease(
                    LeaseRequest(
                        scope: account.scope, periodStart: state.periodStart, instance: instance, wanted: wanted,
                        spent: state.spent, max: budget.max, expiresAt: now + ttl, now: now))
                account.state.withLock { s in
                    guard s.periodStart == state.periodStart else { return }
                    s.granted = granted
                    s.leased = true
                }
                return true
            }
        } catch {
            logger.warning(
                "could not lease budget from the store", metadata: ["scope": "\(account.scope.storageKey)", "error": "\(error)"])
            return false
        }
    }

    /// Posts the soft-limit alert once per period (across instances: the store's claim decides who sends).
    func checkSoftLimit(_ account: BudgetAccount, now: UTCTime.Millis) async {
        guard let soft = account.budget.soft, let alert else { return }
        let periodStart = account.snapshot.periodStart
        guard let spent = try? await store.spent(account.scope, since: periodStart), spent >= soft else { return }
        guard (try? await store.claimAlert(scope: account.scope, periodStart: periodStart)) == true else { return }
        let directory = current
        let name: String
        switch account.scope.kind {
        case .key: name = directory.grants[account.scope.id]?.key.name ?? ""
        case .team: name = directory.teams[account.scope.id]?.name ?? ""
        }
        await alert(
            BudgetAlert(
                scope: account.scope.kind, id: account.scope.id, name: name, period: account.budget.period, spent: spent,
                soft: soft, max: account.budget.max, at: now))
    }

    /// OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for a key with limits: the tighter
    /// of the key's and its team's, read without taking anything.
    public func rateLimitHeaders(_ grant: KeyGrant, now: UTCTime.Millis = UTCTime.now()) -> [(String, String)] {
        var headers: [(String, String)] = []
        for (kind, keyLimit, teamLimit, keyCounter, teamCounter) in [
            ("requests", grant.key.rpm, grant.team?.rpm, grant.keyCounters.requests, grant.teamCounters?.requests),
            ("tokens", grant.key.tpm, grant.team?.tpm, grant.keyCounters.tokens, grant.teamCounters?.tokens),
        ] {
            var readings: [RateCounter.Reading] = []
            if let keyLimit { readings.append(keyCounter.reading(limit: keyLimit, now: now)) }
            if let teamLimit, let teamCounter { readings.append(teamCounter.reading(limit: teamLimit, now: now)) }
            guard let tightest = readings.min(by: { $0.remaining < $1.remaining }) else { continue }
            headers.append(("x-ratelimit-limit-\(kind)", String(tightest.limit)))
            headers.append(("x-ratelimit-remaining-\(kind)", String(tightest.remaining)))
            headers.append(("x-ratelimit-reset-\(kind)", Self.resetText(tightest.resetMillis)))
        }
        return headers
    }

    /// OpenAI's reset format: `1s`, `6m0s`, `250ms`.
    static func resetText(_ millis: Int64) -> String {
        if millis < 1000 { return "\(millis)ms" }
        let seconds = (millis + 999) / 1000
        return seconds < 60 ? "\(seconds)s" : "\(seconds / 60)m\(seconds % 60)s"
    }
}
