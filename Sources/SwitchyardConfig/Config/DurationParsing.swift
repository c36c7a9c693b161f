import SwitchyardCore
extension Duration {
    /// The longest duration `parse` accepts: 30 days. Longer values are mistakes (`"1e300s"`), and
    /// converting them to a `Duration` would trap.
    public static let parseLimitSeconds: Double = 30 * 86_400

    /// Parses `"250ms"`, `"5s"`, `"10m"`, `"2h"` or a plain number of seconds (`"1.5"`); nil for anything
    /// else, negative, or longer than `parseLimitSeconds`.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.filter { $0 != " " && $0 != "\t" }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "ms" also ends with "s": only accept a purely numeric remainder.
            guard let value = Double(number) else { continue }
            return seconds(value * scale)
        }
        return Double(trimmed).flatMap(seconds)
    }

    private static func seconds(_ value: Double) -> Duration? {
        guard value.isFinite, value >= 0, value <= parseLimitSeconds else { return nil }
        return .milliseconds(Int64((value * 1000).rounded()))
    }

    /// Whole seconds and fractions as a `Double`.
    /// Whole milliseconds (truncated).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

