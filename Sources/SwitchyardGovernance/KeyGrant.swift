import SwitchyardStore

/// What a virtual key may do, resolved with its team: the record, the team's, and their live counters.
/// Built when the directory is (re)built; the counters carry over between builds so a refresh never
/// resets a limit.
public final class KeyGrant: Sendable {
    public let key: KeyRecord
    public let team: TeamRecord?
    public let keyCounters: LimitCounters
    public let teamCounters: LimitCounters?
    let keyModels: ModelPatterns?
    let teamModels: ModelPatterns?

    init(key: KeyRecord, team: TeamRecord?, keyCounters: LimitCounters, teamCounters: LimitCounters?) {
        self.key = key
        self.team = team
        self.keyCounters = keyCounters
        self.teamCounters = teamCounters
        keyModels = key.models.map(ModelPatterns.init)
        teamModels = team?.models.map(ModelPatterns.init)
    }

    /// Both the key's list and its team's must allow the model (a key only narrows its team).
    public func allows(_ names: [String]) -> Bool {
        (keyModels?.allows(names) ?? true) && (teamModels?.allows(names) ?? true)
    }

    /// Zero retention when either the key or its team asks for it.
    public var zeroRetention: Bool { key.zeroRetention || (team?.zeroRetention ?? false) }

    /// Whether any limit applies (then answers carry `x-ratelimit-*`).
    public var hasRateLimits: Bool {
        key.rpm != nil || key.tpm != nil || team?.rpm != nil || team?.tpm != nil
    }
}

/// Every usable credential by the SHA-256 of its secret: built from the store's keys and teams, then only
/// read (swapped whole on a change, see `Governance`).
final class KeyDirectory: Sendable {
    struct Entry: Sendable {
        let grant: KeyGrant
        /// For a rotated key's previous secret: until when it still works.
        let validUntil: UTCTime.Millis?
    }

    let byHash: [String: Entry]
    let grants: [String: KeyGrant]
    let teams: [String: TeamRecord]

    init(keys: [KeyRecord], teams: [TeamRecord], counters: (String) -> LimitCounters) {
        var teamsByID: [String: TeamRecord] = [:]
        for team in teams { teamsByID[team.id] = team }
        var byHash: [String: Entry] = [:]
        var grants: [String: KeyGrant] = [:]
        for key in keys {
            let team = key.team.flatMap { teamsByID[$0] }
            let grant = KeyGrant(
                key: key, team: team, keyCounters: counters("key:\(key.id)"), teamCounters: team.map { counters("team:\($0.id)") })
            grants[key.id] = grant
            guard key.revokedAt == nil else { continue }
            byHash[key.secretHash] = Entry(grant: grant, validUntil: nil)
            if let previous = key.previousSecretHash, let until = key.previousValidUntil {
                byHash[previous] = Entry(grant: grant, validUntil: until)
            }
        }
        self.byHash = byHash
        self.grants = grants
        self.teams = teamsByID
    }

    /// The grant for a presented secret's hash, if it is usable now (not revoked, not expired, and for a
    /// previous secret within its grace).
    func grant(forHash hash: String, now: UTCTime.Millis) -> KeyGrant? {
        guard let entry = byHash[hash] else { return nil }
        if let until = entry.validUntil, now >= until { return nil }
        if let expires = entry.grant.key.expiresAt, now >= expires { return nil }
        return entry.grant
    }
}
