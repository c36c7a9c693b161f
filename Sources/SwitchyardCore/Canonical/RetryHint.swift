import Foundation

/// The one way a provider's retry hint becomes the gateway's `retry-after`: whole seconds, rounded up so a
/// client never retries early, within `0...maxSeconds`. Upstream hints are external input — `inf`, `1e308`,
/// `-5` or `soon, maybe` are dropped rather than relayed (or converted with a trapping `Int(_:)`); a finite
/// hint beyond the range is clamped to it.
public enum RetryHint {
    /// A day: longer hints (a daily quota) are still "not today", and no client should sleep for longer.
    public static let maxSeconds = 86_400

    /// A `retry-after` value as sent by a provider: delta-seconds (fractions allowed, as some proxies send)
    /// or an HTTP-date (RFC 9110 §10.2.3), counted from `now`.
    public static func normalize(_ raw: String?, now: Date = Date()) -> String? {
        guard let raw else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        if let seconds = Double(text) { return wholeSeconds(seconds) }
        if let date = httpDate(text) { return wholeSeconds(max(0, date.timeIntervalSince(now))) }
        return nil
    }

    /// Seconds as a `retry-after` value, or nil when they are not a finite non-negative number.
    public static func wholeSeconds(_ seconds: Double) -> String? {
        guard seconds.isFinite, seconds >= 0 else { return nil }
        let clamped = min(seconds.rounded(.up), Double(maxSeconds))
        return String(Int(clamped))
    }

    /// IMF-fixdate, the only HTTP-date form senders may generate ("Sun, 06 Nov 1994 08:49:37 GMT").
    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}
