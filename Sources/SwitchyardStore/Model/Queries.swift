/// Filters of `GET /admin/requests`.
public struct RequestQuery: Sendable, Equatable {
    public var key: String?
    public var team: String?
    public var model: String?
    public var provider: String?
    public var status: Int?
    public var from: UTCTime.Millis?
    public var to: UTCTime.Millis?
    public var limit = 100
    /// Rows strictly older than this position (`time`, `rowID`), from the previous page's `next_cursor`.
    public var before: (time: UTCTime.Millis, rowID: String)?

    public init() {}

    public static func == (a: RequestQuery, b: RequestQuery) -> Bool {
        a.key == b.key && a.team == b.team && a.model == b.model && a.provider == b.provider && a.status == b.status
            && a.from == b.from && a.to == b.to && a.limit == b.limit && a.before?.time == b.before?.time
            && a.before?.rowID == b.before?.rowID
    }
}

/// What `GET /admin/spend` groups by. Summaries are read from hourly roll-ups, so `from`/`to` apply at
/// whole hours.
public enum SpendGrouping: String, Sendable, CaseIterable {
    case key, team, model, provider, day, hour
}

public struct SpendQuery: Sendable, Equatable {
    public var groupBy: [SpendGrouping] = []
    public var from: UTCTime.Millis?
    public var to: UTCTime.Millis?
    public var key: String?
    public var team: String?
    public var model: String?
    public init() {}
}

/// Sums of spend rows.
public struct SpendTotals: Sendable, Hashable {
    public var requests = 0
    public var errors = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cachedInputTokens = 0
    public var cacheWriteTokens = 0
    public var reasoningTokens = 0
    public var cost: MicroUSD = 0
    public init() {}

    public mutating func add(_ row: SpendRow) {
        requests += 1
        errors += row.isError ? 1 : 0
        inputTokens += row.inputTokens
        outputTokens += row.outputTokens
        cachedInputTokens += row.cachedInputTokens
        cacheWriteTokens += row.cacheWriteTokens
        reasoningTokens += row.reasoningTokens
        cost += row.cost
    }

    public mutating func add(_ other: SpendTotals) {
        requests += other.requests
        errors += other.errors
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cachedInputTokens += other.cachedInputTokens
        cacheWriteTokens += other.cacheWriteTokens
        reasoningTokens += other.reasoningTokens
        cost += other.cost
    }
}

/// One group of a spend summary: the grouping fields' values (`day`/`hour` as RFC 3339) and the sums.
public struct SpendGroup: Sendable, Hashable {
    public var fields: [SpendGrouping: String]
    public var totals: SpendTotals
    public init(fields: [SpendGrouping: String], totals: SpendTotals) {
        self.fields = fields
        self.totals = totals
    }
}

/// Whose spend a budget counts: a key or a team, optionally one model within it.
public struct SpendScope: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case key, team }
    public var kind: Kind
    public var id: String
    /// nil: every model.
    public var model: String?
    public init(kind: Kind, id: String, model: String? = nil) {
        self.kind = kind
        self.id = id
        self.model = model
    }
}
