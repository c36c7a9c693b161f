/// Counts requests per knob prefix for `fail_first=N`: the first N requests to
/// `/{provider}/{knobs}` fail, later ones succeed, so retries and failover can be observed.
actor FailureCounters {
    private var counts: [String: Int] = [:]

    /// Whether this request is among the first `limit` for `prefix` (and counts it).
    func shouldFail(prefix: String, limit: Int) -> Bool {
        let seen = self.counts[prefix, default: 0]
        self.counts[prefix] = seen + 1
        return seen < limit
    }

    func reset() {
        self.counts.removeAll()
    }
}
