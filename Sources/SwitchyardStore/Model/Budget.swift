/// A spending limit (CONTRACT §2): a hard cap, an optional soft alert threshold, and the calendar period
/// they apply to (UTC; weeks start on Monday; `total` never resets).
public struct Budget: Sendable, Hashable {
    public enum Period: String, Sendable, Hashable, CaseIterable {
        case day, week, month, total

        /// When the period holding `millis` began (0 for `total`).
        public func start(of millis: UTCTime.Millis) -> UTCTime.Millis {
            switch self {
            case .day: UTCTime.startOfDay(millis)
            case .week: UTCTime.startOfWeek(millis)
            case .month: UTCTime.startOfMonth(millis)
            case .total: 0
            }
        }

        /// When the period holding `millis` ends; nil for `total`.
        public func end(of millis: UTCTime.Millis) -> UTCTime.Millis? {
            switch self {
            case .day: UTCTime.startOfDay(millis) + 86_400_000
            case .week: UTCTime.startOfWeek(millis) + 7 * 86_400_000
            case .month: UTCTime.startOfNextMonth(millis)
            case .total: nil
            }
        }
    }

    public var max: MicroUSD
    public var soft: MicroUSD?
    public var period: Period

    public init(max: MicroUSD, soft: MicroUSD? = nil, period: Period = .month) {
        self.max = max
        self.soft = soft
        self.period = period
    }
}
