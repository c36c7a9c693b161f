import SwitchyardCore

/// Times in the store are milliseconds since 1970-01-01T00:00:00Z. These are the calendar conversions
/// the store and governance need (RFC 3339 text, and the start of a UTC day, week or month), kept free of
/// Foundation's calendars so they are pure and cheap.
public enum UTCTime {
    public typealias Millis = Int64

    public static func now() -> Millis {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Millis(spec.tv_sec) * 1000 + Millis(spec.tv_nsec) / 1_000_000
    }

    /// `2026-12-04T10:00:00Z` (with `.123` when the milliseconds are not zero).
    public static func format(_ millis: Millis) -> String {
        let seconds = floorDiv(millis, 1000)
        let ms = millis - seconds * 1000
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        var text = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if ms != 0 { text += "." + pad(ms, 3) }
        return text + "Z"
    }

    /// Parses RFC 3339 (`2026-12-04T10:00:00Z`, fractions, `+01:00` offsets) or a bare date (`2026-12-01`,
    /// midnight UTC). nil for anything else.
    public static func parse(_ text: String) -> Millis? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var value: Int64 = 0
            for i in range {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int64(b[i] - 48)
            }
            return value
        }
        guard b.count >= 10, b[4] == 45, b[7] == 45, let y = number(0..<4), let mo = number(5..<7),
            let d = number(8..<10), (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        let days = self.days(fromCivil: y, mo, d)
        if b.count == 10 { return days * 86_400_000 }
        guard b.count >= 20, b[10] == 84 || b[10] == 116 || b[10] == 32, b[13] == 58, b[16] == 58,
            let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { fraction = fraction * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            var scale = digits
            while scale < 3 {
                fraction *= 10
                scale += 1
            }
        }
        var offset: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == 90 || b[i] == 122 {
            guard i + 1 == b.count else { return nil }
        } else if b[i] == 43 || b[i] == 45 {
            guard i + 6 == b.count, b[i + 3] == 58, let oh = number(i + 1..<i + 3), let om = number(i + 4..<i + 6) else {
                return nil
            }
            offset = (oh * 60 + om) * 60_000 * (b[i] == 43 ? 1 : -1)
        } else {
            return nil
        }
        return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + fraction - offset
    }

    /// Midnight UTC of the day holding `millis`.
    public static func startOfDay(_ millis: Millis) -> Millis { floorDiv(millis, 86_400_000) * 86_400_000 }

    /// The start of the hour holding `millis`.
    public static func startOfHour(_ millis: Millis) -> Millis { floorDiv(millis, 3_600_000) * 3_600_000 }

    /// Monday 00:00 UTC of the ISO week holding `millis`.
    public static func startOfWeek(_ millis: Millis) -> Millis {
        let days = floorDiv(millis, 86_400_000)
        // 1970-01-01 was a Thursday: days since the previous Monday = (days + 3) mod 7.
        let sinceMonday = ((days + 3) % 7 + 7) % 7
        return (days - sinceMonday) * 86_400_000
    }

    /// The 1st of the month holding `millis`, 00:00 UTC.
    public static func startOfMonth(_ millis: Millis) -> Millis {
        let (y, m, _) = civil(fromDays: floorDiv(millis, 86_400_000))
        return days(fromCivil: y, m, 1) * 86_400_000
    }

    /// The 1st of the month after the one holding `millis`.
    public static func startOfNextMonth(_ millis: Millis) -> Millis {
        let (y, m, _) = civil(fromDays: floorDiv(millis, 86_400_000))
        return m == 12 ? days(fromCivil: y + 1, 1, 1) * 86_400_000 : days(fromCivil: y, m + 1, 1) * 86_400_000
    }

    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        CivilDate.days(fromCivil: year, month, day)
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let date = CivilDate.civil(fromDays: days)
        return (date.year, date.month, date.day)
    }

    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { CivilDate.floorDiv(a, b) }

    private static func pad(_ value: Int64, _ width: Int) -> String { CivilDate.pad(value, width) }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
