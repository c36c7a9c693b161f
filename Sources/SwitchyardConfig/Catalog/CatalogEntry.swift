import SwitchyardCore
/// One model the gateway knows: where it is served, its limits, capabilities and prices.
public struct CatalogEntry: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable {
        case chat
        case embedding
        case completion
    }

    /// USD per million tokens.
    public struct Price: Sendable, Hashable, Codable {
        public var input: Double
        public var output: Double
        public var cachedInput: Double?
        public var cacheWrite: Double?

        enum CodingKeys: String, CodingKey {
            case input, output
            case cachedInput = "cached_input"
            case cacheWrite = "cache_write"
        }

        public init(input: Double, output: Double, cachedInput: Double? = nil, cacheWrite: Double? = nil) {
            self.input = input
            self.output = output
            self.cachedInput = cachedInput
            self.cacheWrite = cacheWrite
        }

        /// The cost of `usage` in USD. Cached and cache-write tokens fall back to the input price when the
        /// provider publishes none; reasoning is billed as output.
        /// The cost of `usage` in whole micro-dollars (a price per million tokens is micro-dollars per token),
        /// rounded up: what budgets and the spend log count, never floating point sums.
        public func costMicroUSD(of usage: Usage) -> Int64 {
            let micro = Double(usage.input) * input + Double(usage.cacheRead) * (cachedInput ?? input)
                + Double(usage.cacheWrite) * (cacheWrite ?? input) + Double(usage.totalOutput) * output
            guard micro.isFinite, micro > 0 else { return 0 }
            return micro >= 9e18 ? Int64(9e18) : Int64(micro.rounded(.up))
        }

        public func cost(of usage: Usage) -> Double {
            let perToken = 1.0 / 1_000_000
            return (Double(usage.input) * input + Double(usage.cacheRead) * (cachedInput ?? input)
                + Double(usage.cacheWrite) * (cacheWrite ?? input) + Double(usage.totalOutput) * output) * perToken
        }
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
