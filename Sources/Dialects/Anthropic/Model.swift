/// What the request encoder must know about a Claude model that its name alone tells: which thinking form it
/// takes and which sampling parameters it rejects (anthropic.md §1 and §2.3). Read from the version number in
/// the name, so new releases need no table edit.
public struct AnthropicModel: Sendable {
    /// The two incompatible thinking request forms.
    public enum ThinkingForm: Sendable, Hashable {
        /// `{"type":"enabled","budget_tokens":N}` — Claude 4.5 and older (and Anthropic-compatible third parties).
        case budget
        /// `{"type":"adaptive"}` + `output_config.effort` — Claude 4.6 and later.
        case adaptive
    }

    /// `(major, minor)` read from the name (`claude-opus-4-7` → 4.7, `claude-3-5-sonnet-…` → 3.5), nil when absent.
    public let version: (major: Int, minor: Int)?
    /// Whether the name is a Claude model at all; other names are Anthropic-compatible third-party endpoints.
    public let isClaude: Bool

    public init(_ name: String) {
        let lowered = name.lowercased()
        isClaude = lowered.contains("claude")
        version = Self.parseVersion(lowered)
    }

    /// A Claude name without a readable version (`claude-mythos-preview`) is taken to be a new model: new names
    /// are far likelier than unversioned old ones. Third-party names keep the classic API.
    private func atLeast(_ major: Int, _ minor: Int) -> Bool {
        guard let version else { return isClaude }
        return version.major > major || (version.major == major && version.minor >= minor)
    }

    public var thinkingForm: ThinkingForm { atLeast(4, 6) ? .adaptive : .budget }

    /// Opus 4.7 and every later model answer 400 to `temperature`, `top_p` and `top_k` on any API version.
    public var acceptsSamplingParameters: Bool { !atLeast(4, 7) }

    /// Claude 4.5 and 4.6 reject `temperature` and `top_p` sent together.
    public var rejectsTemperatureWithTopP: Bool { atLeast(4, 5) }

    /// The first run of short numbers after "claude" in the name: `claude-3-5-sonnet-20241022` → 3.5,
    /// `claude-sonnet-4-20250514` → 4.0 (an 8-digit date ends the run), `anthropic.claude-opus-4-1-…-v1:0` → 4.1.
    static func parseVersion(_ name: String) -> (major: Int, minor: Int)? {
        guard let start = name.range(of: "claude")?.upperBound else { return nil }
        let tokens = name[start...].split(whereSeparator: { "-.@:_/".contains($0) })
        var numbers: [Int] = []
        for token in tokens {
            if token.count <= 2, let value = Int(token) {
                numbers.append(value)
                if numbers.count == 2 { break }
            } else if !numbers.isEmpty {
                break
            }
        }
        guard let major = numbers.first else { return nil }
        return (major, numbers.count > 1 ? numbers[1] : 0)
    }
}
