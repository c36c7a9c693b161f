import Synchronization
import SwitchyardStore

/// Requests or tokens in a sliding minute, approximated from two fixed minutes: the previous minute's
/// count weighted by how much of it the sliding window still covers, plus the current minute's (the
/// scheme Cloudflare and Envoy use; exact at minute boundaries, within one minute's rate otherwise).
/// One small lock per key or team, never a global one. With instances sharing a store, the other
/// instances' counts (as of the last sync) are added in (`setRemote`).
public final class RateCounter: Sendable {
    private struct State {
        var minute: Int64 = 0
        var current: Int64 = 0
        var previous: Int64 = 0
        /// The other instances' counts for `remoteMinute` and the minute before it.
        var remoteMinute: Int64 = 0
        var remoteCurrent: Int64 = 0
        var remotePrevious: Int64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// What admission reports: the limit, what remains, and when the window has room again.
    public struct Reading: Sendable, Equatable {
        public var limit: Int
        public var remaining: Int
        /// Milliseconds until a full minute's worth is available again (for `x-ratelimit-reset-*` and
        /// `retry-after`).
        public var resetMillis: Int64
    }

    /// Adds `amount` if the window stays within `limit`; nil (nothing added) otherwise. Returns the
    /// reading after the change.
    public func take(_ amount: Int, limit: Int, now: UTCTime.Millis) -> (allowed: Bool, reading: Reading) {
        state.withLock { state in
            Self.roll(&state, now)
            let used = Self.used(state, now)
            let allowed = used + Int64(amount) <= Int64(limit) || (amount > limit && used == 0)
            if allowed { state.current += Int64(amount) }
            return (allowed, Self.reading(state, limit: limit, now: now))
        }
    }

    /// Adds (or, with a negative amount, takes back) without a check: tokens counted when the usage is
    /// known.
    public func add(_ amount: Int, now: UTCTime.Millis) {
        state.withLock { state in
            Self.roll(&state, now)
            state.current = max(0, state.current + Int64(amount))
        }
    }

    public func reading(limit: Int, now: UTCTime.Millis) -> Reading {
        state.withLock { state in
            Self.roll(&state, now)
            return Self.reading(state, limit: limit, now: now)
        }
    }

    /// This instance's own count for `minute` (what it publishes to the store).
    public func local(minute: Int64, now: UTCTime.Millis) -> Int64 {
        state.withLock { state in
            Self.roll(&state, now)
            return state.minute == minute ? state.current : state.minute == minute + 1 ? state.previous : 0
        }
    }

    /// The other instances' counts for `minute` and the one before, as the store reported them.
    public func setRemote(minute: Int64, current: Int64, previous: Int64) {
        state.withLock { state in
            state.remoteMinute = minute
            state.remoteCurrent = current
            state.remotePrevious = previous
        }
    }

    private static func roll(_ state: inout State, _ now: UTCTime.Millis) {
        let minute = UTCTime.floorDiv(now, 60_000)
        if minute == state.minute { return }
        state.previous = minute == state.minute + 1 ? state.current : 0
        state.current = 0
        state.minute = minute
    }

    private static func used(_ state: State, _ now: UTCTime.Millis) -> Int64 {
        let elapsed = now - state.minute * 60_000
        var current = state.current
        var previous = state.previous
        // Remote counts of the minute the store last reported; a report one minute old is the previous minute.
        if state.remoteMinute == state.minute {
            current += state.remoteCurrent
            previous += state.remotePrevious
        } else if state.remoteMinute + 1 == state.minute {
            previous += state.remoteCurrent
        }
        return current + previous * (60_000 - elapsed) / 60_000
    }

    private static func reading(_ state: State, limit: Int, now: UTCTime.Millis) -> Reading {
        let used = used(state, now)
        let remaining = max(0, Int64(limit) - used)
        // The previous minute's share drains by the end of this minute; the current minute's by the end of the next.
        let elapsed = now - state.minute * 60_000
        let reset: Int64 = state.current > 0 ? 120_000 - elapsed : state.previous > 0 ? 60_000 - elapsed : 0
        return Reading(limit: limit, remaining: Int(remaining), resetMillis: max(0, reset))
    }
}

/// The live counters of one key or team: requests and tokens per minute, requests in flight.
public final class LimitCounters: Sendable {
    public let requests = RateCounter()
    public let tokens = RateCounter()
    private let inFlight = Atomic<Int>(0)

    public init() {}

    /// One more request in flight if that stays within `limit`.
    public func enter(limit: Int) -> Bool {
        let now = inFlight.add(1, ordering: .relaxed).newValue
        if now > limit {
            inFlight.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    public func enter() { inFlight.add(1, ordering: .relaxed) }
    public func leave() { inFlight.subtract(1, ordering: .relaxed) }
    public var parallel: Int { inFlight.load(ordering: .relaxed) }
}
