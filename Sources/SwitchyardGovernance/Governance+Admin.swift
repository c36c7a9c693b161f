import SwitchyardStore

/// The operations behind the admin API and the CLI. Each writes the store, then reloads the directory,
/// so a change is in force on this instance at once and on the others within `sync_interval`.
extension Governance {
    public enum AdminError: Error, Sendable, Equatable {
        case notFound(String)
        case conflict(String)
        case invalid(String)
    }

    public func keys() -> [KeyRecord] { current.grants.values.map(\.key).sorted { $0.createdAt < $1.createdAt } }
    public func teams() -> [TeamRecord] { current.teams.values.sorted { $0.createdAt < $1.createdAt } }
    public func key(id: String) -> KeyRecord? { current.grants[id]?.key }
    public func team(id: String) -> TeamRecord? { current.teams[id] }

    /// Creates a key; returns the record and its secret (shown only now).
    public func createKey(_ draft: KeyRecord) async throws -> (KeyRecord, String) {
        if let team = draft.team, current.teams[team] == nil { throw AdminError.invalid("team '\(team)' does not exist") }
        let secret = VirtualKeySecret.generate()
        var record = draft
        record.id = VirtualKeySecret.identifier("key")
        record.secretHash = VirtualKeySecret.hash(Array(secret.utf8))
        record.keyPrefix = VirtualKeySecret.displayPrefix(secret)
        record.createdAt = UTCTime.now()
        try await store.save(key: record)
        try await refresh()
        return (record, secret)
    }

    public func updateKey(_ record: KeyRecord) async throws {
        guard current.grants[record.id] != nil else { throw AdminError.notFound("key '\(record.id)'") }
        if let team = record.team, current.teams[team] == nil { throw AdminError.invalid("team '\(team)' does not exist") }
        try await store.save(key: record)
        try await refresh()
    }

    public func revokeKey(id: String) async throws {
        guard var record = current.grants[id]?.key else { throw AdminError.notFound("key '\(id)'") }
        guard record.revokedAt == nil else { return }
        record.revokedAt = UTCTime.now()
        try await store.save(key: record)
        try await refresh()
    }

    /// A new secret; the old one keeps working for `graceMillis` (0: not at all).
    public func rotateKey(id: String, graceMillis: Int64) async throws -> (KeyRecord, String) {
        guard var record = current.grants[id]?.key else { throw AdminError.notFound("key '\(id)'") }
        guard record.revokedAt == nil else { throw AdminError.conflict("key '\(id)' is revoked") }
        let secret = VirtualKeySecret.generate()
        let now = UTCTime.now()
        if graceMillis > 0 {
            record.previousSecretHash = record.secretHash
            record.previousValidUntil = now + graceMillis
        } else {
            record.previousSecretHash = nil
            record.previousValidUntil = nil
        }
        record.secretHash = VirtualKeySecret.hash(Array(secret.utf8))
        record.keyPrefix = VirtualKeySecret.displayPrefix(secret)
        try await store.save(key: record)
        try await refresh()
        return (record, secret)
    }

    public func createTeam(_ draft: TeamRecord) async throws -> TeamRecord {
        var record = draft
        record.id = VirtualKeySecret.identifier("team")
        record.createdAt = UTCTime.now()
        try await store.save(team: record)
        try await refresh()
        return record
    }

    public func updateTeam(_ record: TeamRecord) async throws {
        guard current.teams[record.id] != nil else { throw AdminError.notFound("team '\(record.id)'") }
        try await store.save(team: record)
        try await refresh()
    }

    public func deleteTeam(id: String) async throws {
        guard current.teams[id] != nil else { throw AdminError.notFound("team '\(id)'") }
        let members = current.grants.values.filter { $0.key.team == id && $0.key.revokedAt == nil }
        guard members.isEmpty else {
            throw AdminError.conflict("team '\(id)' still has \(members.count) unrevoked key(s); revoke them first")
        }
        _ = try await store.deleteTeam(id: id)
        try await refresh()
    }

    /// Spend of `scope` in the current period of `period` (for `spend` in key and team answers).
    public func spent(_ scope: SpendScope, period: Budget.Period, now: UTCTime.Millis = UTCTime.now()) async throws -> MicroUSD {
        try await store.spent(scope, since: period.start(of: now))
    }

    /// One budget's state, for `GET /admin/budgets`.
    public struct BudgetView: Sendable {
        public var scope: SpendScope
        public var name: String
        public var budget: Budget
        public var spent: MicroUSD
        public var reserved: MicroUSD
        public var resetsAt: UTCTime.Millis?
    }

    public func budgets(scope kind: SpendScope.Kind?, now: UTCTime.Millis = UTCTime.now()) async throws -> [BudgetView] {
        var scopes: [(SpendScope, String, Budget)] = []
        let directory = current
        if kind != .team {
            for grant in directory.grants.values.sorted(by: { $0.key.createdAt < $1.key.createdAt }) where grant.key.revokedAt == nil {
                if let budget = grant.key.budget { scopes.append((SpendScope(kind: .key, id: grant.key.id), grant.key.name, budget)) }
                for (model, budget) in grant.key.modelBudgets.sorted(by: { $0.key < $1.key }) {
                    scopes.append((SpendScope(kind: .key, id: grant.key.id, model: model), grant.key.name, budget))
                }
            }
        }
        if kind != .key {
            for team in directory.teams.values.sorted(by: { $0.createdAt < $1.createdAt }) {
                if let budget = team.budget { scopes.append((SpendScope(kind: .team, id: team.id), team.name, budget)) }
                for (model, budget) in team.modelBudgets.sorted(by: { $0.key < $1.key }) {
                    scopes.append((SpendScope(kind: .team, id: team.id, model: model), team.name, budget))
                }
            }
        }
        var views: [BudgetView] = []
        for (scope, name, budget) in scopes {
            let start = budget.period.start(of: now)
            let spent = try await store.spent(scope, since: start)
            let account = ledger.account(scope, budget: budget, now: now).snapshot
            views.append(
                BudgetView(
                    scope: scope, name: name, budget: budget, spent: spent,
                    reserved: account.periodStart == start ? account.reserved : 0, resetsAt: budget.period.end(of: now)))
        }
        return views
    }
}
