/// The store over a SQL engine (SQLite or PostgreSQL): the statements are written once, here.
public final class SQLStore: Store {
    let database: any SQLDatabase
    /// Appended to the statement that locks a budget period's row while a lease is granted
    /// (`FOR UPDATE` on PostgreSQL; SQLite's transactions already exclude each other).
    let rowLock: String
    /// Run first in the migration transaction, so that instances starting together migrate one at a time.
    let migrationLock: String?

    public var engine: String { database.engine }

    init(database: any SQLDatabase, rowLock: String = "", migrationLock: String? = nil) {
        self.database = database
        self.rowLock = rowLock
        self.migrationLock = migrationLock
    }

    public func migrate() async throws {
        let migrationLock = self.migrationLock
        try await database.transaction { session in
            if let migrationLock { _ = try await session.execute(migrationLock, []) }
            _ = try await session.execute(Schema.versionTable, [])
            let applied = Set(try await session.execute("SELECT version FROM schema_version", []).compactMap { $0.first?.int })
            for migration in Schema.migrations where !applied.contains(Int64(migration.version)) {
                for statement in migration.statements { _ = try await session.execute(statement, []) }
                _ = try await session.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    [.int(Int64(migration.version)), .int(UTCTime.now())])
            }
        }
    }

    // MARK: - Keys and teams

    public func keys() async throws -> [KeyRecord] {
        try await database.transaction { session in
            try await session.execute("SELECT body FROM virtual_keys", []).map { row in
                try RecordCoding.decodeKey(row.first?.text ?? "")
            }
        }
    }

    public func teams() async throws -> [TeamRecord] {
        try await database.transaction { session in
            try await session.execute("SELECT body FROM teams", []).map { row in
                try RecordCoding.decodeTeam(row.first?.text ?? "")
            }
        }
    }

    public func save(key: KeyRecord) async throws {
        try await database.transaction { session in
            _ = try await session.execute(
                """
                INSERT INTO virtual_keys (id, name, secret_hash, key_prefix, team_id, body, created_at, revoked_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash,
                    key_prefix = excluded.key_prefix, team_id = excluded.team_id, body = excluded.body,
                    revoked_at = excluded.revoked_at, expires_at = excluded.expires_at
                """,
                [
                    .text(key.id), .text(key.name), .text(key.secretHash), .text(key.keyPrefix), SQLValue(key.team),
                    .text(RecordCoding.encode(key)), .int(key.createdAt), SQLValue(key.revokedAt), SQLValue(key.expiresAt),
                ])
        }
    }

    public func save(team: TeamRecord) async throws {
        try await database.transaction { session in
            _ = try await session.execute(
                """
                INSERT INTO teams (id, name, body, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body
                """, [.text(team.id), .text(team.name), .text(RecordCoding.encode(team)), .int(team.createdAt)])
        }
    }

    public func deleteTeam(id: String) async throws -> Bool {
        try await database.transaction { session in
            !(try await session.execute("DELETE FROM teams WHERE id = ? RETURNING id", [.text(id)])).isEmpty
        }
    }

    // MARK: - Spend log

    static let spendColumns = """
        row_id, id, time, key_id, team_id, endpoint, model, provider, upstream_model, status, error_class, stream,
        input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro_usd, priced,
        latency_ms, ttft_ms, attempts, cache_hit, client_disconnected, estimated
        """

    /// Rows per INSERT statement: 25 binds each stays far below SQLite's 32,766 and PostgreSQL's 65,535.
    static let rowsPerStatement = 200

    public func append(_ rows: [SpendRow]) async throws {
        guard !rows.isEmpty else { return }
        try await database.transaction { session in
            var inserted: Set<String> = []
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
                let placeholders = Array(repeating: "(" + Array(repeating: "?", count: 25).joined(separator: ", ") + ")", count: chunk.count)
                    .joined(separator: ", ")
                let returned = try await session.execute(
                    "INSERT INTO spend_log (\(Self.spendColumns)) VALUES \(placeholders) ON CONFLICT (row_id) DO NOTHING RETURNING row_id",
                    chunk.flatMap(Self.binds))
                for row in returned { if let id = row.first?.text { inserted.insert(id) } }
                start += chunk.count
            }
            // Only rows inserted now are added to the roll-ups (a retried batch is not counted twice), summed
            // per hour, key, team, model and provider first: one upsert per group, not per row.
            var groups: [RollupKey: SpendTotals] = [:]
            for row in rows where inserted.contains(row.rowID) {
                groups[RollupKey(row), default: SpendTotals()].add(row)
            }
            for (key, totals) in groups {
                _ = try await session.execute(
                    """
                    INSERT INTO spend_hourly (hour, key_id, team_id, model, provider, requests, errors, input_tokens,
                        output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro_usd)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (hour, key_id, team_id, model, provider) DO UPDATE SET
                        requests = spend_hourly.requests + excluded.requests, errors = spend_hourly.errors + excluded.errors,
                        input_tokens = spend_hourly.input_tokens + excluded.input_tokens,
                        output_tokens = spend_hourly.output_tokens + excluded.output_tokens,
                        cached_input_tokens = spend_hourly.cached_input_tokens + excluded.cached_input_tokens,
                        cache_write_tokens = spend_hourly.cache_write_tokens + excluded.cache_write_tokens,
                        reasoning_tokens = spend_hourly.reasoning_tokens + excluded.reasoning_tokens,
                        cost_micro_usd = spend_hourly.cost_micro_usd + excluded.cost_micro_usd
                    """,
                    [
                        .int(key.hour), .text(key.keyID), .text(key.teamID), .text(key.model), .text(key.provider),
                        .int(Int64(totals.requests)), .int(Int64(totals.errors)), .int(Int64(totals.inputTokens)),
                        .int(Int64(totals.outputTokens)), .int(Int64(totals.cachedInputTokens)),
                        .int(Int64(totals.cacheWriteTokens)), .int(Int64(totals.reasoningTokens)), .int(totals.cost),
                    ])
            }
        }
    }

    /// One roll-up row's key ('' for none: a primary key cannot hold NULL).
    struct RollupKey: Hashable {
        let hour: UTCTime.Millis
        let keyID: String
        let teamID: String
        let model: String
        let provider: String

        init(_ row: SpendRow) {
            hour = UTCTime.startOfHour(row.time)
            keyID = row.keyID ?? ""
            teamID = row.teamID ?? ""
            model = row.model
            provider = row.provider ?? ""
        }
    }

    static func binds(_ row: SpendRow) -> [SQLValue] {
        [
            .text(row.rowID), .text(row.id), .int(row.time), SQLValue(row.keyID), SQLValue(row.teamID), .text(row.endpoint),
            .text(row.model), SQLValue(row.provider), SQLValue(row.upstreamModel), .int(Int64(row.status)),
            SQLValue(row.errorClass), .bool(row.stream), .int(Int64(row.inputTokens)), .int(Int64(row.outputTokens)),
            .int(Int64(row.cachedInputTokens)), .int(Int64(row.cacheWriteTokens)), .int(Int64(row.reasoningTokens)),
            .int(row.cost), .bool(row.priced), .int(Int64(row.latencyMs)), SQLValue(row.ttftMs), .int(Int64(row.attempts)),
            .bool(row.cacheHit), .bool(row.clientDisconnected), .bool(row.estimated),
        ]
    }

    static func spendRow(_ c: SQLRow) throws -> SpendRow {
        guard c.count == 25, let rowID = c[0].text, let id = c[1].text, let time = c[2].int, let endpoint = c[5].text,
            let model = c[6].text
        else { throw StoreError("a spend row has an unexpected shape") }
        func int(_ i: Int) -> Int { Int(c[i].int ?? 0) }
        return SpendRow(
            rowID: rowID, id: id, time: time, keyID: c[3].text, teamID: c[4].text, endpoint: endpoint, model: model,
            provider: c[7].text, upstreamModel: c[8].text, status: int(9), errorClass: c[10].text, stream: c[11].bool,
            inputTokens: int(12), outputTokens: int(13), cachedInputTokens: int(14), cacheWriteTokens: int(15),
            reasoningTokens: int(16), cost: c[17].int ?? 0, priced: c[18].bool, latencyMs: int(19),
            ttftMs: c[20].int.map { Int($0) }, attempts: int(21), cacheHit: c[22].bool, clientDisconnected: c[23].bool,
            estimated: c[24].bool)
    }

    public func requests(_ query: RequestQuery) async throws -> [SpendRow] {
        var filters: [(String, [SQLValue]?)] = [
            ("key_id = ?", query.key.map { [.text($0)] }), ("team_id = ?", query.team.map { [.text($0)] }),
            ("model = ?", query.model.map { [.text($0)] }), ("provider = ?", query.provider.map { [.text($0)] }),
            ("status = ?", query.status.map { [.int(Int64($0))] }), ("time >= ?", query.from.map { [.int($0)] }),
            ("time < ?", query.to.map { [.int($0)] }),
        ]
        if let before = query.before {
            filters.append(("(time < ? OR (time = ? AND row_id < ?))", [.int(before.time), .int(before.time), .text(before.rowID)]))
        }
        let (filter, binds) = Self.whereClause(filters)
        let sql = "SELECT \(Self.spendColumns) FROM spend_log \(filter) ORDER BY time DESC, row_id DESC LIMIT \(max(1, min(query.limit, 1000)))"
        return try await database.transaction { session in
            try await session.execute(sql, binds).map(Self.spendRow)
        }
    }

    public func request(id: String) async throws -> SpendRow? {
        try await database.transaction { session in
            try await session.execute(
                "SELECT \(Self.spendColumns) FROM spend_log WHERE id = ? ORDER BY time DESC, row_id DESC LIMIT 1", [.text(id)]
            ).first.map(Self.spendRow)
        }
    }

    public func spend(_ query: SpendQuery) async throws -> [SpendGroup] {
        let (filter, binds) = Self.whereClause([
            ("hour >= ?", query.from.map { [.int(UTCTime.startOfHour($0))] }), ("hour < ?", query.to.map { [.int($0)] }),
            ("key_id = ?", query.key.map { [.text($0)] }), ("team_id = ?", query.team.map { [.text($0)] }),
            ("model = ?", query.model.map { [.text($0)] }),
        ])
        // Group expressions come from a fixed table, never from the request.
        let expressions = query.groupBy.map { grouping -> String in
            switch grouping {
            case .key: "key_id"
            case .team: "team_id"
            case .model: "model"
            case .provider: "provider"
            case .day: "CAST(hour / 86400000 AS BIGINT) * 86400000"
            case .hour: "hour"
            }
        }
        let sums = ["requests", "errors", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens", "cost_micro_usd"]
            .map { "CAST(COALESCE(SUM(\($0)), 0) AS BIGINT)" }
        let selected = (expressions + sums).joined(separator: ", ")
        let grouping = expressions.isEmpty ? "" : "GROUP BY " + expressions.joined(separator: ", ")
        let sql = "SELECT \(selected) FROM spend_hourly \(filter) \(grouping)"
        let groupBy = query.groupBy
        let rows = try await database.transaction { session in try await session.execute(sql, binds) }
        return rows.compactMap { row -> SpendGroup? in
            guard row.count == groupBy.count + sums.count else { return nil }
            var fields: [SpendGrouping: String] = [:]
            for (index, grouping) in groupBy.enumerated() {
                switch grouping {
                case .day, .hour: fields[grouping] = UTCTime.format(row[index].int ?? 0)
                default: fields[grouping] = row[index].text ?? ""
                }
            }
            let n = groupBy.count
            var totals = SpendTotals()
            totals.requests = Int(row[n].int ?? 0)
            totals.errors = Int(row[n + 1].int ?? 0)
            totals.inputTokens = Int(row[n + 2].int ?? 0)
            totals.outputTokens = Int(row[n + 3].int ?? 0)
            totals.cachedInputTokens = Int(row[n + 4].int ?? 0)
            totals.cacheWriteTokens = Int(row[n + 5].int ?? 0)
            totals.reasoningTokens = Int(row[n + 6].int ?? 0)
            totals.cost = row[n + 7].int ?? 0
            // An empty table still sums to one all-zero row when nothing is grouped.
            if n == 0 && totals.requests == 0 { return nil }
            return SpendGroup(fields: fields, totals: totals)
        }
    }

    /// `WHERE` with the conditions whose values are present, and their binds in order.
    static func whereClause(_ filters: [(String, [SQLValue]?)]) -> (String, [SQLValue]) {
        let present = filters.compactMap { condition, values in values.map { (condition, $0) } }
        guard !present.isEmpty else { return ("", []) }
        return ("WHERE " + present.map(\.0).joined(separator: " AND "), present.flatMap(\.1))
    }

    public func spent(_ scope: SpendScope, since: UTCTime.Millis) async throws -> MicroUSD {
        var sql = "SELECT CAST(COALESCE(SUM(cost_micro_usd), 0) AS BIGINT) FROM spend_hourly WHERE \(scope.kind == .key ? "key_id" : "team_id") = ? AND hour >= ?"
        var binds: [SQLValue] = [.text(scope.id), .int(since)]
        if let model = scope.model {
            sql += " AND model = ?"
            binds.append(.text(model))
        }
        let statementBinds = binds
        let statement = sql
        return try await database.transaction { session in
            try await session.execute(statement, statementBinds).first?.first?.int ?? 0
        }
    }

    // MARK: - Budget leases and alerts

    public func lease(_ request: LeaseRequest) async throws -> MicroUSD {
        let scope = request.scope.storageKey
        let rowLock = self.rowLock
        return try await database.transaction { session in
            _ = try await session.execute(
                "INSERT INTO budget_periods (scope, period_start) VALUES (?, ?) ON CONFLICT (scope, period_start) DO NOTHING",
                [.text(scope), .int(request.periodStart)])
            _ = try await session.execute(
                "SELECT scope FROM budget_periods WHERE scope = ? AND period_start = ?\(rowLock)",
                [.text(scope), .int(request.periodStart)])
            let others = try await session.execute(
                """
                SELECT CAST(COALESCE(SUM(CASE WHEN expires_at > ? THEN granted ELSE spent END), 0) AS BIGINT)
                FROM budget_leases WHERE scope = ? AND period_start = ? AND instance <> ?
                """, [.int(request.now), .text(scope), .int(request.periodStart), .text(request.instance)]
            ).first?.first?.int ?? 0
            let granted = request.grant(othersCommitted: others)
            _ = try await session.execute(
                """
                INSERT INTO budget_leases (scope, period_start, instance, granted, spent, expires_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (scope, period_start, instance) DO UPDATE SET granted = excluded.granted,
                    spent = excluded.spent, expires_at = excluded.expires_at
                """,
                [.text(scope), .int(request.periodStart), .text(request.instance), .int(granted), .int(request.spent), .int(request.expiresAt)])
            return granted
        }
    }

    public func exchangeRates(instance: String, minute: Int64, counts: [String: RateCount]) async throws -> [String: RemoteRates] {
        try await database.transaction { session in
            for (scope, count) in counts {
                _ = try await session.execute(
                    """
                    INSERT INTO rate_usage (scope, minute, instance, requests, tokens) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (scope, minute, instance) DO UPDATE SET requests = excluded.requests, tokens = excluded.tokens
                    """, [.text(scope), .int(minute), .text(instance), .int(count.requests), .int(count.tokens)])
            }
            _ = try await session.execute("DELETE FROM rate_usage WHERE instance = ? AND minute < ?", [.text(instance), .int(minute - 2)])
            let rows = try await session.execute(
                """
                SELECT scope, minute, CAST(SUM(requests) AS BIGINT), CAST(SUM(tokens) AS BIGINT) FROM rate_usage
                WHERE minute >= ? AND minute <= ? AND instance <> ? GROUP BY scope, minute
                """, [.int(minute - 1), .int(minute), .text(instance)])
            var result: [String: RemoteRates] = [:]
            for row in rows where row.count == 4 {
                guard let scope = row[0].text, let m = row[1].int else { continue }
                let count = RateCount(requests: row[2].int ?? 0, tokens: row[3].int ?? 0)
                if m == minute { result[scope, default: RemoteRates()].current = count } else { result[scope, default: RemoteRates()].previous = count }
            }
            return result
        }
    }

    public func claimAlert(scope: SpendScope, periodStart: UTCTime.Millis) async throws -> Bool {
        try await database.transaction { session in
            !(try await session.execute(
                "INSERT INTO budget_alerts (scope, period_start, at) VALUES (?, ?, ?) ON CONFLICT (scope, period_start) DO NOTHING RETURNING scope",
                [.text(scope.storageKey), .int(periodStart), .int(UTCTime.now())])).isEmpty
        }
    }

    public func close() async { await database.close() }
}
