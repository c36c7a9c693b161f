import Synchronization

/// The store that keeps nothing across restarts (`store: { memory: true }`): tests and demos. It follows
/// the same rules as the SQL engines (idempotent appends, leases, alert claims), so tests of the rules
/// run against it too.
public final class MemoryStore: Store {
    private struct LeaseRow {
        var granted: MicroUSD
        var spent: MicroUSD
        var expiresAt: UTCTime.Millis
    }

    private struct State {
        var keys: [String: KeyRecord] = [:]
        var teams: [String: TeamRecord] = [:]
        var rows: [SpendRow] = []
        var rowIDs: Set<String> = []
        var leases: [String: [String: LeaseRow]] = [:]
        var alerts: Set<String> = []
        /// scope → minute → instance → counts.
        var rates: [String: [Int64: [String: RateCount]]] = [:]
    }

    private let state = Mutex(State())
    public let engine = "memory"

    public init() {}

    public func migrate() async throws {}

    public func keys() async throws -> [KeyRecord] { state.withLock { Array($0.keys.values) } }
    public func teams() async throws -> [TeamRecord] { state.withLock { Array($0.teams.values) } }
    public func save(key: KeyRecord) async throws { state.withLock { $0.keys[key.id] = key } }
    public func save(team: TeamRecord) async throws { state.withLock { $0.teams[team.id] = team } }
    public func deleteTeam(id: String) async throws -> Bool {
        state.withLock { $0.teams.removeValue(forKey: id) != nil }
    }

    public func append(_ rows: [SpendRow]) async throws {
        state.withLock { state in
            for row in rows where state.rowIDs.insert(row.rowID).inserted { state.rows.append(row) }
        }
    }

    public func requests(_ query: RequestQuery) async throws -> [SpendRow] {
        let rows = state.withLock { $0.rows }
        return rows.filter { query.matches($0) }
            .sorted { ($0.time, $0.rowID) > ($1.time, $1.rowID) }
            .prefix(query.limit).map { $0 }
    }

    public func request(id: String) async throws -> SpendRow? {
        state.withLock { $0.rows.filter { $0.id == id }.max { ($0.time, $0.rowID) < ($1.time, $1.rowID) } }
    }

    public func spend(_ query: SpendQuery) async throws -> [SpendGroup] {
        let rows = state.withLock { $0.rows }
        var groups: [[SpendGrouping: String]: SpendTotals] = [:]
        for row in rows where query.matches(row) {
            groups[query.groupFields(of: row), default: SpendTotals()].add(row)
        }
        return groups.map { SpendGroup(fields: $0.key, totals: $0.value) }
    }

    public func spent(_ scope: SpendScope, since: UTCTime.Millis) async throws -> MicroUSD {
        let rows = state.withLock { $0.rows }
        return rows.filter { UTCTime.startOfHour($0.time) >= since && scope.matches($0) }.reduce(0) { $0 + $1.cost }
    }

    public func lease(_ request: LeaseRequest) async throws -> MicroUSD {
        let table = "\(request.scope.storageKey)@\(request.periodStart)"
        return state.withLock { state in
            var leases = state.leases[table] ?? [:]
            let others = leases.filter { $0.key != request.instance }.values.reduce(MicroUSD(0)) {
                $0 + ($1.expiresAt > request.now ? $1.granted : $1.spent)
            }
            let granted = request.grant(othersCommitted: others)
            leases[request.instance] = LeaseRow(granted: granted, spent: request.spent, expiresAt: request.expiresAt)
            state.leases[table] = leases
            return granted
        }
    }

    public func exchangeRates(instance: String, minute: Int64, counts: [String: RateCount]) async throws -> [String: RemoteRates] {
        state.withLock { state in
            for (scope, count) in counts { state.rates[scope, default: [:]][minute, default: [:]][instance] = count }
            var result: [String: RemoteRates] = [:]
            for (scope, minutes) in state.rates {
                var remote = RemoteRates()
                for (m, instances) in minutes where m == minute || m == minute - 1 {
                    for (other, count) in instances where other != instance {
                        if m == minute {
                            remote.current.requests += count.requests
                            remote.current.tokens += count.tokens
                        } else {
                            remote.previous.requests += count.requests
                            remote.previous.tokens += count.tokens
                        }
                    }
                }
                if remote != RemoteRates() { result[scope] = remote }
                state.rates[scope] = minutes.filter { $0.key >= minute - 2 }
            }
            return result
        }
    }

    public func claimAlert(scope: SpendScope, periodStart: UTCTime.Millis) async throws -> Bool {
        state.withLock { $0.alerts.insert("\(scope.storageKey)@\(periodStart)").inserted }
    }

    public func close() async {}
}

extension RequestQuery {
    func matches(_ row: SpendRow) -> Bool {
        if let key, row.keyID != key { return false }
        if let team, row.teamID != team { return false }
        if let model, row.model != model { return false }
        if let provider, row.provider != provider { return false }
        if let status, row.status != status { return false }
        if let from, row.time < from { return false }
        if let to, row.time >= to { return false }
        if let before, (row.time, row.rowID) >= (before.time, before.rowID) { return false }
        return true
    }
}

extension SpendQuery {
    /// Roll-ups hold whole hours: a row counts when its hour lies in `from..<to`.
    func matches(_ row: SpendRow) -> Bool {
        let hour = UTCTime.startOfHour(row.time)
        if let from, hour < UTCTime.startOfHour(from) { return false }
        if let to, hour >= to { return false }
        if let key, row.keyID != key { return false }
        if let team, row.teamID != team { return false }
        if let model, row.model != model { return false }
        return true
    }

    func groupFields(of row: SpendRow) -> [SpendGrouping: String] {
        var fields: [SpendGrouping: String] = [:]
        for grouping in groupBy {
            switch grouping {
            case .key: fields[.key] = row.keyID ?? ""
            case .team: fields[.team] = row.teamID ?? ""
            case .model: fields[.model] = row.model
            case .provider: fields[.provider] = row.provider ?? ""
            case .day: fields[.day] = UTCTime.format(UTCTime.startOfDay(row.time))
            case .hour: fields[.hour] = UTCTime.format(UTCTime.startOfHour(row.time))
            }
        }
        return fields
    }
}

extension SpendScope {
    func matches(_ row: SpendRow) -> Bool {
        switch kind {
        case .key: guard row.keyID == id else { return false }
        case .team: guard row.teamID == id else { return false }
        }
        if let model { return row.model == model }
        return true
    }
}
