import SwitchyardCore
/// One model the gateway knows: where it is served, its limits, capabilities and prices.
public struct CatalogEntry: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable {
        case chat
        case embedding
        case completion
    }

    /// USD per million tokens (so micro-dollars per token), by kind of usage (issue 13 "Pricing").
    public struct Price: Sendable, Hashable, Codable {
        public var input: Double
        public var output: Double
        public var cachedInput: Double?
        /// Cache writes (Anthropic's five-minute writes).
        public var cacheWrite: Double?
        /// One-hour cache writes, where they cost more than five-minute ones.
        public var cacheWrite1h: Double?
        /// Higher rates for long prompts, lowest threshold first: a request whose input (cached and written
        /// tokens included) exceeds a tier's `above_input_tokens` is billed entirely at that tier's rates.
        public var tiers: [Tier]

        /// The rates above an input size; unset kinds fall back as the base rates do.
        public struct Tier: Sendable, Hashable, Codable {
            public var aboveInputTokens: Int
            public var input: Double
            public var output: Double
            public var cachedInput: Double?
            public var cacheWrite: Double?
            public var cacheWrite1h: Double?

            enum CodingKeys: String, CodingKey {
                case input, output
                case aboveInputTokens = "above_input_tokens"
                case cachedInput = "cached_input"
                case cacheWrite = "cache_write"
                case cacheWrite1h = "cache_write_1h"
            }

            public init(
                aboveInputTokens: Int, input: Double, output: Double, cachedInput: Double? = nil, cacheWrite: Double? = nil,
                cacheWrite1h: Double? = nil
            ) {
                self.aboveInputTokens = aboveInputTokens
                self.input = input
                self.output = output
                self.cachedInput = cachedInput
                self.cacheWrite = cacheWrite
                self.cacheWrite1h = cacheWrite1h
            }
        }

        enum CodingKeys: String, CodingKey {
            case input, output, tiers
            case cachedInput = "cached_input"
            case cacheWrite = "cache_write"
            case cacheWrite1h = "cache_write_1h"
        }

        public init(
            input: Double, output: Double, cachedInput: Double? = nil, cacheWrite: Double? = nil, cacheWrite1h: Double? = nil,
            tiers: [Tier] = []
        ) {
            self.input = input
            self.output = output
            self.cachedInput = cachedInput
            self.cacheWrite = cacheWrite
            self.cacheWrite1h = cacheWrite1h
            self.tiers = tiers.sorted { $0.aboveInputTokens < $1.aboveInputTokens }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                input: try c.decode(Double.self, forKey: .input), output: try c.decode(Double.self, forKey: .output),
                cachedInput: try c.decodeIfPresent(Double.self, forKey: .cachedInput),
                cacheWrite: try c.decodeIfPresent(Double.self, forKey: .cacheWrite),
                cacheWrite1h: try c.decodeIfPresent(Double.self, forKey: .cacheWrite1h),
                tiers: try c.decodeIfPresent([Tier].self, forKey: .tiers) ?? [])
        }

        /// The tier for a request of `inputTokens` (all input, cache included), or the base rates.
        func rates(inputTokens: Int) -> Tier {
            tiers.last { inputTokens > $0.aboveInputTokens }
                ?? Tier(
                    aboveInputTokens: 0, input: input, output: output, cachedInput: cachedInput, cacheWrite: cacheWrite,
                    cacheWrite1h: cacheWrite1h)
        }

        /// The cost of `usage` in micro-dollars, unrounded: uncached input, cache reads, five-minute and
        /// one-hour cache writes and output (reasoning included) each at its rate. A kind without a rate of
        /// its own is billed at the input rate (one-hour writes at the five-minute rate first).
        public func micro(of usage: Usage) -> Double {
            let rates = rates(inputTokens: usage.totalInput)
            let write5m = usage.cacheWrite - usage.cacheWrite1h
            return Double(usage.input) * rates.input + Double(usage.cacheRead) * (rates.cachedInput ?? rates.input)
                + Double(write5m) * (rates.cacheWrite ?? rates.input)
                + Double(usage.cacheWrite1h) * (rates.cacheWrite1h ?? rates.cacheWrite ?? rates.input)
                + Double(usage.totalOutput) * rates.output
        }

        /// The cost of `usage` in whole micro-dollars, rounded up: what budgets and the spend log count,
        /// never floating-point sums.
        public func costMicroUSD(of usage: Usage) -> Int64 {
            let micro = micro(of: usage)
            guard micro.isFinite, micro > 0 else { return 0 }
            return micro >= 9e18 ? Int64(9e18) : Int64(micro.rounded(.up))
        }

        /// The cost of `usage` in USD (the `x-switchyard-cost-usd` header).
        public func cost(of usage: Usage) -> Double { micro(of: usage) / 1_000_000 }
    }

    public var id: String
    public var provider: String
    public var upstream: String?
    public var mode: Mode
    public var contextWindow: Int?
    public var maxOutput: Int?
    public var capabilities: [String]
    public var price: Price?
    public var source: String?
    public var asOf: String?

    enum CodingKeys: String, CodingKey {
        case id, provider, upstream, mode, capabilities, price, source
        case contextWindow = "context_window"
        case maxOutput = "max_output"
        case asOf = "as_of"
    }

    public init(
        id: String, provider: String, upstream: String? = nil, mode: Mode = .chat, contextWindow: Int? = nil,
        maxOutput: Int? = nil, capabilities: [String] = [], price: Price? = nil, source: String? = nil,
        asOf: String? = nil
    ) {
        self.id = id
        self.provider = provider
        self.upstream = upstream
        self.mode = mode
        self.contextWindow = contextWindow
        self.maxOutput = maxOutput
        self.capabilities = capabilities
        self.price = price
        self.source = source
        self.asOf = asOf
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        provider = try c.decode(String.self, forKey: .provider)
        upstream = try c.decodeIfPresent(String.self, forKey: .upstream)
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .chat
        contextWindow = try c.decodeIfPresent(Int.self, forKey: .contextWindow)
        maxOutput = try c.decodeIfPresent(Int.self, forKey: .maxOutput)
        capabilities = try c.decodeIfPresent([String].self, forKey: .capabilities) ?? []
        price = try c.decodeIfPresent(Price.self, forKey: .price)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        asOf = try c.decodeIfPresent(String.self, forKey: .asOf)
    }

    /// The model id sent to the provider.
    public var upstreamModel: String { upstream ?? id }
}
