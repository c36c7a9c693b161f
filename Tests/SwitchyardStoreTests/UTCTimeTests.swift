import Testing

@testable import SwitchyardStore

@Suite struct UTCTimeTests {
    @Test func formatsAndParsesRFC3339() throws {
        let t = try #require(UTCTime.parse("2026-12-04T10:00:00Z"))
        #expect(UTCTime.format(t) == "2026-12-04T10:00:00Z")
        #expect(UTCTime.parse("2026-12-04T11:00:00+01:00") == t)
        #expect(UTCTime.parse("2026-12-04T10:00:00.250Z") == t + 250)
        #expect(UTCTime.parse("2026-12-04T10:00:00.123456789Z") == t + 123)
        #expect(UTCTime.format(t + 7) == "2026-12-04T10:00:00.007Z")
        #expect(UTCTime.parse("2026-12-04") == t - 10 * 3_600_000)
        #expect(UTCTime.parse("1970-01-01T00:00:00Z") == 0)
        #expect(UTCTime.format(0) == "1970-01-01T00:00:00Z")
        for bad in ["", "2026-13-01", "2026-12-04T10:00:00", "2026-12-04T10:00:00.Z", "2026-12-04T25:00:00Z", "x"] {
            #expect(UTCTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func calendarPeriodsAreUTCAndWeeksStartOnMonday() throws {
        // 2026-12-04 is a Friday.
        let friday = try #require(UTCTime.parse("2026-12-04T15:30:00Z"))
        #expect(UTCTime.format(Budget.Period.day.start(of: friday)) == "2026-12-04T00:00:00Z")
        #expect(UTCTime.format(Budget.Period.week.start(of: friday)) == "2026-11-30T00:00:00Z")
        #expect(UTCTime.format(Budget.Period.month.start(of: friday)) == "2026-12-01T00:00:00Z")
        #expect(Budget.Period.total.start(of: friday) == 0)
        #expect(UTCTime.format(Budget.Period.month.end(of: friday) ?? 0) == "2027-01-01T00:00:00Z")
        #expect(UTCTime.format(Budget.Period.week.end(of: friday) ?? 0) == "2026-12-07T00:00:00Z")
        let monday = try #require(UTCTime.parse("2026-11-30T00:00:00Z"))
        #expect(Budget.Period.week.start(of: monday) == monday)
        let sunday = try #require(UTCTime.parse("2026-12-06T23:59:59Z"))
        #expect(Budget.Period.week.start(of: sunday) == monday)
        let leap = try #require(UTCTime.parse("2028-02-29T12:00:00Z"))
        #expect(UTCTime.format(Budget.Period.month.end(of: leap) ?? 0) == "2028-03-01T00:00:00Z")
    }
}
