import SwitchyardCore
import Yams

/// Reads the YAML (or JSON) config into `GatewayConfig`. Unknown keys and bad values are errors naming
/// the key path and line; `${VAR}` and `${VAR:-default}` are replaced from the environment.
public struct ConfigLoader {
    let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func load(yaml: String) throws(ConfigError) -> GatewayConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(path: "", line: nil, message: "not valid YAML: \(error)")
        } catch {
            throw ConfigError(path: "", line: nil, message: "not valid YAML: \(error)")
        }
        var config = try read(root)
        // CONTRACT §0: the environment's master key applies whenever the file names none.
        if config.server.masterKey == nil, let key = environment["SWITCHYARD_MASTER_KEY"], !key.isEmpty {
            config.server.masterKey = key
        }
        return config
    }

    private func read(_ root: Node?) throws(ConfigError) -> GatewayConfig {
        var config = GatewayConfig()
        guard let root else { return config }
        let top = try mapping(root, path: "", allowed: [
            "server", "store", "governance", "keys", "limits", "timeouts", "providers", "models", "catalog",
        ])
        if let server = top["server"] { try readServer(server, into: &config) }
        if let store = top["store"] { config.store = try readStore(store) }
        if let governance = top["governance"] { try readGovernance(governance, into: &config) }
        if let keys = top["keys"] {
            for (index, node) in try sequence(keys, path: "keys").enumerated() {
                let key = try readDeclaredKey(node, path: "keys[\(index)]")
                if config.keys.contains(where: { $0.name == key.name }) {
                    throw ConfigError(path: "keys[\(index)].name", line: line(node), message: "duplicate key name '\(key.name)'")
                }
                config.keys.append(key)
            }
        }
        if let limits = top["limits"] { try readLimits(limits, into: &config) }
        if let timeouts = top["timeouts"] {
            config.timeouts = config.timeouts.applying(try readTimeouts(timeouts, path: "timeouts"))
        }
        if let providers = top["providers"] {
            for (name, node) in try mapping(providers, path: "providers") {
                config.providers.append(try readProvider(name: name, node))
            }
        }
        if let models = top["models"] {
            for (index, node) in try sequence(models, path: "models").enumerated() {
                let entry = try readModel(node, path: "models[\(index)]")
                if config.models.contains(where: { $0.name == entry.name }) {
                    throw ConfigError(path: "models[\(index)].name", line: line(node), message: "duplicate model name '\(entry.name)'")
                }
                config.models.append(entry)
            }
        }
        if let catalog = top["catalog"] {
            for (index, node) in try sequence(catalog, path: "catalog").enumerated() {
                config.catalog.append(try readCatalogEntry(node, path: "catalog[\(index)]"))
            }
        }
        try validate(config)
        return config
    }

    // MARK: - Sections

    func readServer(_ node: Node, into config: inout GatewayConfig) throws(ConfigError) {
        let fields = try mapping(node, path: "server", allowed: ["listen", "host", "port", "master_key", "idle_timeout"])
        if let listen = fields["listen"] {
            let text = try string(listen, path: "server.listen")
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else {
                throw ConfigError(path: "server.listen", line: line(listen), message: "expected HOST:PORT, got '\(text)'")
            }
            config.server.host = String(text[..<colon])
            config.server.port = port
        }
        if let host = fields["host"] { config.server.host = try string(host, path: "server.host") }
        if let port = fields["port"] { config.server.port = try integer(port, path: "server.port", range: 0...65535) }
        if let key = fields["master_key"] {
            let value = try string(key, path: "server.master_key")
            config.server.masterKey = value.isEmpty ? nil : value
        }
        if let idle = fields["idle_timeout"] { config.server.idleTimeout = try duration(idle, path: "server.idle_timeout") }
    }

    func readStore(_ node: Node) throws(ConfigError) -> GatewayConfig.Store {
        let fields = try mapping(node, path: "store", allowed: ["sqlite", "postgres", "memory"])
        guard fields.count == 1 else {
            throw ConfigError(path: "store", line: line(node), message: "expected exactly one of 'sqlite: PATH', 'postgres: URL' or 'memory: true'")
        }
        if let path = fields["sqlite"] {
            let value = try string(path, path: "store.sqlite")
            guard !value.isEmpty else { throw ConfigError(path: "store.sqlite", line: line(path), message: "expected a file path") }
            return .sqlite(path: value)
        }
        if let url = fields["postgres"] {
            let value = try string(url, path: "store.postgres")
            guard value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") else {
                throw ConfigError(path: "store.postgres", line: line(url), message: "expected postgres://user:password@host:port/database")
            }
            return .postgres(url: value)
        }
        if let memory = fields["memory"] {
            guard try boolean(memory, path: "store.memory") else {
                throw ConfigError(path: "store.memory", line: line(memory), message: "only 'memory: true' is meaningful; remove the store section for the SQLite default")
            }
            return .memory
        }
        throw ConfigError(path: "store", line: line(node), message: "expected 'sqlite: PATH', 'postgres: URL' or 'memory: true'")
    }

    func readGovernance(_ node: Node, into config: inout GatewayConfig) throws(ConfigError) {
        let fields = try mapping(node, path: "governance", allowed: ["sync_interval", "fit_max_tokens", "alerts"])
        if let v = fields["sync_interval"] { config.governance.syncInterval = try duration(v, path: "governance.sync_interval") }
        if let v = fields["fit_max_tokens"] { config.governance.fitMaxTokens = try boolean(v, path: "governance.fit_max_tokens") }
        if let alerts = fields["alerts"] {
            let alertFields = try mapping(alerts, path: "governance.alerts", allowed: ["webhook"])
            if let hook = alertFields["webhook"] {
                let url = try string(hook, path: "governance.alerts.webhook")
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw ConfigError(path: "governance.alerts.webhook", line: line(hook), message: "must start with http:// or https://")
                }
                config.governance.alertWebhook = url
            }
        }
    }

    func readDeclaredKey(_ node: Node, path: String) throws(ConfigError) -> GatewayConfig.DeclaredKey {
        let fields = try mapping(node, path: path, allowed: [
            "name", "key", "team", "models", "rpm", "tpm", "max_parallel", "budget", "zero_retention",
        ])
        guard let nameNode = fields["name"], let keyNode = fields["key"] else {
            throw ConfigError(path: path, line: line(node), message: "'name' and 'key' are required")
        }
        let secret = try string(keyNode, path: "\(path).key")
        guard secret.utf8.count >= 16 else {
            throw ConfigError(path: "\(path).key", line: line(keyNode), message: "must be at least 16 characters")
        }
        var key = GatewayConfig.DeclaredKey(name: try string(nameNode, path: "\(path).name"), key: secret)
        key.line = line(node)
        key.team = try optionalString(fields["team"], path: "\(path).team")
        if let models = fields["models"] {
            key.models = try sequence(models, path: "\(path).models").enumerated().map { index, item throws(ConfigError) in
                try string(item, path: "\(path).models[\(index)]")
            }
        }
        if let v = fields["rpm"] { key.rpm = try integer(v, path: "\(path).rpm", range: 1...100_000_000) }
        if let v = fields["tpm"] { key.tpm = try integer(v, path: "\(path).tpm", range: 1...Int(Int32.max)) }
        if let v = fields["max_parallel"] { key.maxParallel = try integer(v, path: "\(path).max_parallel", range: 1...1_000_000) }
        if let v = fields["zero_retention"] { key.zeroRetention = try boolean(v, path: "\(path).zero_retention") }
        if let budgetNode = fields["budget"] {
            let budget = try mapping(budgetNode, path: "\(path).budget", allowed: ["max_usd", "soft_usd", "period"])
            guard let max = budget["max_usd"] else {
                throw ConfigError(path: "\(path).budget.max_usd", line: line(budgetNode), message: "required")
            }
            var setting = GatewayConfig.BudgetSetting(maxUSD: try number(max, path: "\(path).budget.max_usd"))
            setting.softUSD = try budget["soft_usd"].map { (n) throws(ConfigError) in try number(n, path: "\(path).budget.soft_usd") }
            if let period = budget["period"] {
                let text = try string(period, path: "\(path).budget.period")
                guard ["day", "week", "month", "total"].contains(text) else {
                    throw ConfigError(path: "\(path).budget.period", line: line(period), message: "must be day, week, month or total")
                }
                setting.period = text
            }
            key.budget = setting
        }
        return key
    }

    func boolean(_ node: Node, path: String) throws(ConfigError) -> Bool {
        let text = try string(node, path: path)
        switch text {
        case "true", "True", "yes": return true
        case "false", "False", "no": return false
        default: throw ConfigError(path: path, line: line(node), message: "expected true or false, got '\(text)'")
        }
    }

    func readLimits(_ node: Node, into config: inout GatewayConfig) throws(ConfigError) {
        let fields = try mapping(node, path: "limits", allowed: ["max_body_bytes", "max_header_bytes", "max_stream_duration", "max_queue_wait"])
        if let v = fields["max_body_bytes"] {
            config.limits.maxBodyBytes = try integer(v, path: "limits.max_body_bytes", range: 1...Int(Int32.max))
        }
        if let v = fields["max_header_bytes"] {
            config.limits.maxHeaderBytes = try integer(v, path: "limits.max_header_bytes", range: 256...1_048_576)
        }
        if let v = fields["max_stream_duration"] {
            config.limits.maxStreamDuration = try duration(v, path: "limits.max_stream_duration")
        }
        if let v = fields["max_queue_wait"] { config.limits.maxQueueWait = try duration(v, path: "limits.max_queue_wait") }
    }

    func readTimeouts(_ node: Node, path: String) throws(ConfigError) -> GatewayConfig.TimeoutOverrides {
        let fields = try mapping(node, path: path, allowed: ["connect", "first_byte", "idle", "total"])
        var result = GatewayConfig.TimeoutOverrides()
        if let v = fields["connect"] { result.connect = try duration(v, path: "\(path).connect") }
        if let v = fields["first_byte"] { result.firstByte = try duration(v, path: "\(path).first_byte") }
        if let v = fields["idle"] { result.idle = try duration(v, path: "\(path).idle") }
        if let v = fields["total"] { result.total = try duration(v, path: "\(path).total") }
        return result
    }

    func readProvider(name: String, _ node: Node) throws(ConfigError) -> GatewayConfig.Provider {
        let path = "providers.\(name)"
        let fields = try mapping(node, path: path, allowed: [
            "kind", "api_key", "base_url", "api_version", "region", "aws_access_key_id", "aws_secret_access_key",
            "aws_session_token", "headers", "timeouts", "max_connections", "pool_idle_timeout",
        ])
        let kindName = try fields["kind"].map { (n) throws(ConfigError) in try string(n, path: "\(path).kind") } ?? name
        guard let kind = ProviderKind.named(kindName) else {
            let known = ProviderKind.all.map(\.name).joined(separator: ", ")
            throw ConfigError(
                path: fields["kind"] == nil ? path : "\(path).kind", line: line(fields["kind"] ?? node),
                message: "unknown provider kind '\(kindName)'; set 'kind' to one of: \(known)")
        }
        var provider = GatewayConfig.Provider(name: name, kind: kind)
        provider.apiKey = try optionalString(fields["api_key"], path: "\(path).api_key")
        provider.baseURL = try optionalString(fields["base_url"], path: "\(path).base_url")
        if let base = provider.baseURL, let baseNode = fields["base_url"] {
            guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                throw ConfigError(path: "\(path).base_url", line: line(baseNode), message: "must start with http:// or https://")
            }
        }
        provider.apiVersion = try optionalString(fields["api_version"], path: "\(path).api_version")
        provider.region = try optionalString(fields["region"], path: "\(path).region")
        provider.awsAccessKeyID = try optionalString(fields["aws_access_key_id"], path: "\(path).aws_access_key_id")
        provider.awsSecretAccessKey = try optionalString(fields["aws_secret_access_key"], path: "\(path).aws_secret_access_key")
        provider.awsSessionToken = try optionalString(fields["aws_session_token"], path: "\(path).aws_session_token")
        if let v = fields["max_connections"] {
            provider.maxConnections = try integer(v, path: "\(path).max_connections", range: 1...1_000_000)
        }
        if let v = fields["pool_idle_timeout"] {
            provider.poolIdleTimeout = try duration(v, path: "\(path).pool_idle_timeout")
        }
        if let headers = fields["headers"] {
            for (header, value) in try mapping(headers, path: "\(path).headers") {
                provider.headers.append((header, try string(value, path: "\(path).headers.\(header)")))
            }
        }
        if let timeouts = fields["timeouts"] { provider.timeouts = try readTimeouts(timeouts, path: "\(path).timeouts") }
        if provider.effectiveBaseURL == nil {
            throw ConfigError(path: "\(path).base_url", line: line(node), message: "required for kind '\(kind.name)'")
        }
        if kind.name == "bedrock", provider.region == nil, provider.baseURL == nil {
            throw ConfigError(path: "\(path).region", line: line(node), message: "required for kind 'bedrock'")
        }
        return provider
    }

    func readModel(_ node: Node, path: String) throws(ConfigError) -> GatewayConfig.ModelEntry {
        let fields = try mapping(node, path: path, allowed: ["name", "to", "split", "fallbacks", "retry", "timeouts"])
        guard let nameNode = fields["name"] else {
            throw ConfigError(path: "\(path).name", line: line(node), message: "required")
        }
        let name = try string(nameNode, path: "\(path).name")
        var split: [GatewayConfig.Target] = []
        var targetLines: [Int?] = []
        if let to = fields["to"] {
            split = [GatewayConfig.Target(to: try string(to, path: "\(path).to"))]
            targetLines = [line(to)]
        }
        if let splitNode = fields["split"] {
            if !split.isEmpty {
                throw ConfigError(path: "\(path).split", line: line(splitNode), message: "give either 'to' or 'split', not both")
            }
            for (index, item) in try sequence(splitNode, path: "\(path).split").enumerated() {
                let itemPath = "\(path).split[\(index)]"
                let target = try mapping(item, path: itemPath, allowed: ["to", "weight"])
                guard let to = target["to"] else {
                    throw ConfigError(path: "\(itemPath).to", line: line(item), message: "required")
                }
                let weight = try target["weight"].map { (n) throws(ConfigError) in try number(n, path: "\(itemPath).weight") } ?? 1
                guard weight > 0 else {
                    throw ConfigError(path: "\(itemPath).weight", line: line(target["weight"] ?? item), message: "must be greater than 0")
                }
                split.append(GatewayConfig.Target(to: try string(to, path: "\(itemPath).to"), weight: weight))
                targetLines.append(line(to))
            }
        }
        guard !split.isEmpty else {
            throw ConfigError(path: path, line: line(node), message: "model '\(name)' needs 'to' or 'split'")
        }
        var entry = GatewayConfig.ModelEntry(name: name, split: split)
        entry.line = line(node)
        entry.targetLines = targetLines
        if let fallbacks = fields["fallbacks"] {
            entry.fallbackLines = try sequence(fallbacks, path: "\(path).fallbacks").map { line($0) }
            entry.fallbacks = try sequence(fallbacks, path: "\(path).fallbacks").enumerated().map { index, item throws(ConfigError) in
                try string(item, path: "\(path).fallbacks[\(index)]")
            }
        }
        if let retryNode = fields["retry"] {
            let retryFields = try mapping(retryNode, path: "\(path).retry", allowed: ["attempts", "on"])
            var retry = GatewayConfig.Retry()
            if let attempts = retryFields["attempts"] {
                retry.attempts = try integer(attempts, path: "\(path).retry.attempts", range: 1...10)
            }
            if let on = retryFields["on"] {
                retry.on = []
                for (index, item) in try sequence(on, path: "\(path).retry.on").enumerated() {
                    let word = try string(item, path: "\(path).retry.on[\(index)]")
                    guard let kinds = Self.retryClasses[word] else {
                        let known = Self.retryClasses.keys.sorted().joined(separator: ", ")
                        throw ConfigError(path: "\(path).retry.on[\(index)]", line: line(item), message: "unknown error class '\(word)'; use one of: \(known)")
                    }
                    retry.on.formUnion(kinds)
                }
            }
            entry.retry = retry
        }
        if let timeouts = fields["timeouts"] { entry.timeouts = try readTimeouts(timeouts, path: "\(path).timeouts") }
        return entry
    }

    /// The words `retry.on` accepts and the error classes each covers.
    static let retryClasses: [String: Set<GatewayError.Kind>] = [
        "rate_limit": [.rateLimited],
        "quota": [.quotaExhausted],
        "overloaded": [.overloaded],
        "server_error": [.upstreamError, .overloaded],
        "timeout": [.timeout],
        "auth": [.upstreamAuthentication, .upstreamPermission],
        "not_found": [.notFound],
        "context_window": [.contextWindow],
    ]

    func readCatalogEntry(_ node: Node, path: String) throws(ConfigError) -> CatalogEntry {
        let fields = try mapping(node, path: path, allowed: [
            "id", "provider", "upstream", "mode", "context_window", "max_output", "capabilities", "price", "source", "as_of",
        ])
        guard let id = fields["id"], let provider = fields["provider"] else {
            throw ConfigError(path: path, line: line(node), message: "'id' and 'provider' are required")
        }
        var entry = CatalogEntry(id: try string(id, path: "\(path).id"), provider: try string(provider, path: "\(path).provider"))
        entry.upstream = try optionalString(fields["upstream"], path: "\(path).upstream")
        if let mode = fields["mode"] {
            let text = try string(mode, path: "\(path).mode")
            guard let parsed = CatalogEntry.Mode(rawValue: text) else {
                throw ConfigError(path: "\(path).mode", line: line(mode), message: "must be chat, embedding or completion")
            }
            entry.mode = parsed
        }
        if let v = fields["context_window"] { entry.contextWindow = try integer(v, path: "\(path).context_window", range: 1...Int.max) }
        if let v = fields["max_output"] { entry.maxOutput = try integer(v, path: "\(path).max_output", range: 1...Int.max) }
        if let v = fields["capabilities"] {
            entry.capabilities = try sequence(v, path: "\(path).capabilities").map { (n) throws(ConfigError) in try string(n, path: "\(path).capabilities") }
        }
        if let priceNode = fields["price"] {
            let price = try mapping(
                priceNode, path: "\(path).price", allowed: ["input", "output", "cached_input", "cache_write", "cache_write_1h", "tiers"])
            guard let input = price["input"], let output = price["output"] else {
                throw ConfigError(path: "\(path).price", line: line(priceNode), message: "'input' and 'output' are required (USD per million tokens)")
            }
            func optional(_ key: String, in fields: KeyedNodes, _ at: String) throws(ConfigError) -> Double? {
                try fields[key].map { (n) throws(ConfigError) in try number(n, path: "\(at).\(key)") }
            }
            var tiers: [CatalogEntry.Price.Tier] = []
            if let tiersNode = price["tiers"] {
                for (index, item) in try sequence(tiersNode, path: "\(path).price.tiers").enumerated() {
                    let at = "\(path).price.tiers[\(index)]"
                    let tier = try mapping(
                        item, path: at, allowed: ["above_input_tokens", "input", "output", "cached_input", "cache_write", "cache_write_1h"])
                    guard let above = tier["above_input_tokens"], let tierInput = tier["input"], let tierOutput = tier["output"] else {
                        throw ConfigError(path: at, line: line(item), message: "'above_input_tokens', 'input' and 'output' are required")
                    }
                    tiers.append(
                        CatalogEntry.Price.Tier(
                            aboveInputTokens: try integer(above, path: "\(at).above_input_tokens", range: 1...Usage.maxTokens),
                            input: try number(tierInput, path: "\(at).input"), output: try number(tierOutput, path: "\(at).output"),
                            cachedInput: try optional("cached_input", in: tier, at), cacheWrite: try optional("cache_write", in: tier, at),
                            cacheWrite1h: try optional("cache_write_1h", in: tier, at)))
                }
            }
            let pricePath = "\(path).price"
            entry.price = CatalogEntry.Price(
                input: try number(input, path: "\(pricePath).input"), output: try number(output, path: "\(pricePath).output"),
                cachedInput: try optional("cached_input", in: price, pricePath), cacheWrite: try optional("cache_write", in: price, pricePath),
                cacheWrite1h: try optional("cache_write_1h", in: price, pricePath), tiers: tiers)
        }
        entry.source = try optionalString(fields["source"], path: "\(path).source")
        entry.asOf = try optionalString(fields["as_of"], path: "\(path).as_of")
        return entry
    }

    func validate(_ config: GatewayConfig) throws(ConfigError) {
        for provider in config.providers where provider.kind.dialect == .bedrock {
            let hasKeys = provider.awsAccessKeyID != nil && provider.awsSecretAccessKey != nil
            if (provider.apiKey ?? "").isEmpty && !hasKeys {
                throw ConfigError(
                    path: "providers.\(provider.name)", line: nil,
                    message: "bedrock needs api_key (a Bedrock API key) or aws_access_key_id and aws_secret_access_key")
            }
        }
        for provider in config.providers where provider.kind.requiresKey && (provider.apiKey ?? "").isEmpty
            && provider.kind.name != "bedrock"
        {
            throw ConfigError(path: "providers.\(provider.name).api_key", line: nil, message: "required for kind '\(provider.kind.name)'")
        }
    }

    // MARK: - Node helpers

    func line(_ node: Node) -> Int? { node.mark?.line }

    /// An ordered list of (key, value) for a mapping; rejects keys outside `allowed` when given.
    func mapping(_ node: Node, path: String, allowed: Set<String>? = nil) throws(ConfigError) -> KeyedNodes {
        guard case .mapping(let map) = node else {
            throw ConfigError(path: path, line: line(node), message: "expected a mapping (key: value)")
        }
        var result = KeyedNodes()
        for (keyNode, value) in map {
            guard let key = keyNode.scalar?.string else {
                throw ConfigError(path: path, line: line(keyNode), message: "keys must be strings")
            }
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if let allowed, !allowed.contains(key) {
                let hint = allowed.sorted().joined(separator: ", ")
                throw ConfigError(path: keyPath, line: line(keyNode), message: "unknown key '\(key)'; expected one of: \(hint)")
            }
            if result[key] != nil {
                throw ConfigError(path: keyPath, line: line(keyNode), message: "duplicate key '\(key)'")
            }
            result.append(key, value)
        }
        return result
    }

    func sequence(_ node: Node, path: String) throws(ConfigError) -> [Node] {
        guard case .sequence(let items) = node else {
            throw ConfigError(path: path, line: line(node), message: "expected a list")
        }
        return Array(items)
    }

    func string(_ node: Node, path: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else {
            throw ConfigError(path: path, line: line(node), message: "expected a string")
        }
        return try interpolate(scalar.string, path: path, line: line(node))
    }

    func optionalString(_ node: Node?, path: String) throws(ConfigError) -> String? {
        guard let node else { return nil }
        if case .scalar(let scalar) = node, scalar.tag.description == Tag.Name.null.rawValue || scalar.string == "~" {
            return nil
        }
        return try string(node, path: path)
    }

    func integer(_ node: Node, path: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let text = try string(node, path: path)
        guard let value = Int(text.replacingUnderscores()) else {
            throw ConfigError(path: path, line: line(node), message: "expected a whole number, got '\(text)'")
        }
        guard range.contains(value) else {
            throw ConfigError(path: path, line: line(node), message: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    func number(_ node: Node, path: String) throws(ConfigError) -> Double {
        let text = try string(node, path: path)
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw ConfigError(path: path, line: line(node), message: "expected a non-negative number, got '\(text)'")
        }
        return value
    }

    func duration(_ node: Node, path: String) throws(ConfigError) -> Duration {
        let text = try string(node, path: path)
        guard let value = Duration.parse(text), value > .zero else {
            throw ConfigError(path: path, line: line(node), message: "expected a duration between 1ms and 30 days (\(Int(Duration.parseLimitSeconds))s) such as \"250ms\", \"5s\", \"10m\" or a number of seconds, got '\(text)'")
        }
        return value
    }

    /// Replaces `${VAR}` and `${VAR:-default}`. An unset variable without a default is an error: a
    /// silently empty key would only fail later, far from its cause.
    func interpolate(_ text: String, path: String, line: Int?) throws(ConfigError) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ConfigError(path: path, line: line, message: "unterminated ${ in '\(text)'")
            }
            let expression = rest[start.upperBound..<end]
            let name: Substring
            let fallback: Substring?
            if let separator = expression.range(of: ":-") {
                name = expression[..<separator.lowerBound]
                fallback = expression[separator.upperBound...]
            } else {
                name = expression
                fallback = nil
            }
            if let value = environment[String(name)], !value.isEmpty {
                result += value
            } else if let fallback {
                result += fallback
            } else {
                throw ConfigError(path: path, line: line, message: "environment variable \(name) is not set")
            }
            rest = rest[rest.index(after: end)...]
        }
        result += rest
        return result
    }
}

/// Mapping entries in file order with lookup by key.
struct KeyedNodes: Sequence {
    private var items: [(String, Node)] = []

    mutating func append(_ key: String, _ node: Node) { items.append((key, node)) }

    var count: Int { items.count }

    subscript(key: String) -> Node? { items.first { $0.0 == key }?.1 }

    func makeIterator() -> IndexingIterator<[(String, Node)]> { items.makeIterator() }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
