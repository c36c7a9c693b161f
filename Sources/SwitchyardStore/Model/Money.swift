/// Money is kept as whole micro-dollars (1 USD = 1,000,000), never as floating point: sums over millions
/// of spend rows stay exact, and a budget compares exactly against them.
public typealias MicroUSD = Int64

public enum Money {
    /// USD (a JSON number from a client or config) to micro-dollars, rounded to the nearest; nil when not
    /// finite, negative or beyond what a budget could mean (a billion dollars).
    public static func micro(usd: Double) -> MicroUSD? {
        guard usd.isFinite, usd >= 0, usd <= 1e9 else { return nil }
        return MicroUSD((usd * 1_000_000).rounded())
    }

    /// Micro-dollars as USD for JSON answers (`cost_usd`, `spent_usd`).
    public static func usd(_ micro: MicroUSD) -> Double { Double(micro) / 1_000_000 }
}
