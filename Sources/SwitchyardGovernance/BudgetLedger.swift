import Synchronization
import SwitchyardStore

/// One budget (a key's, a team's, or a model's within them) for its current period, on this instance:
/// what the store granted this instance, what it settled, what requests in flight hold. A request
/// reserves its worst case from the grant before dispatch and settles to its real cost after, so the
/// sum of settled and reserved never exceeds the grant, and the store keeps the grants of all instances
/// within the cap (`Store.lease`).
final class BudgetAccount: Sendable {
    struct State: Sendable {
        var periodStart: UTCTime.Millis
        var granted: MicroUSD = 0
        var spent: MicroUSD = 0
        var reserved: MicroUSD = 0
        /// Whether the store has been asked this period (the first lease also learns earlier spending).
        var leased = false
    }

    let scope: SpendScope
    let budget: Budget
    let state: Mutex<State>
    /// Lease calls of one account one at a time, so an older grant never overwrites a newer one.
    let leasing = AsyncLock()

    init(scope: SpendScope, budget: Budget, now: UTCTime.Millis) {
        self.scope = scope
        self.budget = budget
        state = Mutex(State(periodStart: budget.period.start(of: now)))
    }

    enum Reservation: Equatable {
        case reserved
        /// The local grant is too small: lease more, then try again.
        case needsLease
    }

    func reserve(_ amount: MicroUSD, now: UTCTime.Millis) -> Reservation {
        state.withLock { state in
            Self.roll(&state, budget: budget, now: now)
            guard state.leased, state.spent + state.reserved + amount <= state.granted else { return .needsLease }
            state.reserved += amount
            return .reserved
        }
    }

    /// Gives back a reservation and counts what the request really cost (0 when it reached no provider).
    func settle(reserved amount: MicroUSD, cost: MicroUSD, periodStart: UTCTime.Millis) {
        state.withLock { state in
            // A reservation made in a period that has since ended was already dropped with it.
            if state.periodStart == periodStart { state.reserved = max(0, state.reserved - amount) }
            state.spent += cost
        }
    }

    var snapshot: State { state.withLock { $0 } }

    /// Starts the current period's account if the one it holds has ended.
    func roll(now: UTCTime.Millis) {
        state.withLock { Self.roll(&$0, budget: budget, now: now) }
    }

    /// What a new reservation could take now: the grant less what is spent and held.
    func available(now: UTCTime.Millis) -> MicroUSD {
        state.withLock { state in
            Self.roll(&state, budget: budget, now: now)
            return state.leased ? max(0, state.granted - state.spent - state.reserved) : 0
        }
    }

    static func roll(_ state: inout State, budget: Budget, now: UTCTime.Millis) {
        let start = budget.period.start(of: now)
        guard start != state.periodStart else { return }
        state = State(periodStart: start)
    }
}

/// Every budget account this instance has touched, by scope.
final class BudgetLedger: Sendable {
    private let accounts = Mutex<[SpendScope: BudgetAccount]>([:])

    /// The account for `scope`; a changed budget (an admin edit) starts a fresh account.
    func account(_ scope: SpendScope, budget: Budget, now: UTCTime.Millis) -> BudgetAccount {
        accounts.withLock { accounts in
            if let existing = accounts[scope], existing.budget == budget { return existing }
            let account = BudgetAccount(scope: scope, budget: budget, now: now)
            if let previous = accounts[scope] {
                // Keep what the previous account knew of this period.
                let old = previous.snapshot
                account.state.withLock { $0 = old }
            }
            accounts[scope] = account
            return account
        }
    }

    var all: [BudgetAccount] { accounts.withLock { Array($0.values) } }
}
