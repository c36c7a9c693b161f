/// A model allow-list (CONTRACT §2): entries match a requested name with `*` standing for any run of
/// characters (`gpt-4o*`, `anthropic/*`, `*`).
public struct ModelPatterns: Sendable, Hashable {
    public let entries: [String]

    public init(_ entries: [String]) {
        self.entries = entries
    }

    /// Whether any entry matches any of `names` (the requested name, and the `provider/model` it resolved to).
    public func allows(_ names: [String]) -> Bool {
        entries.contains { entry in names.contains { Self.matches(Array(entry.utf8)[...], Array($0.utf8)[...]) } }
    }

    /// Glob match with `*` only; iterative with one backtrack point, so no input is exponential.
    static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        let star = UInt8(ascii: "*")
        var p = pattern.startIndex
        var t = text.startIndex
        var starAt: Int?
        var resumeAt = text.startIndex
        while t < text.endIndex {
            if p < pattern.endIndex, pattern[p] == star {
                starAt = p
                p += 1
                resumeAt = t
            } else if p < pattern.endIndex, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if let star = starAt {
                p = star + 1
                resumeAt += 1
                t = resumeAt
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == star { p += 1 }
        return p == pattern.endIndex
    }
}
