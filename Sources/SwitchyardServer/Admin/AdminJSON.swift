import SwitchyardCore
import SwitchyardGovernance
import SwitchyardStore

/// The admin API's JSON (CONTRACT §2): records out, drafts and patches in. Unknown fields and wrong
/// types are refused with a message naming the field.
enum AdminJSON {
    struct BadRequest: Error {
        let message: String
        let param: String?
    }

    // MARK: - Out

    static func key(_ key: KeyRecord, spend: MicroUSD?) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(key.id), "object": "key", "name": .string(key.name), "key_prefix": .string(key.keyPrefix),
            "team": key.team.map(JSONValue.string) ?? .null,
            "models": key.models.map { .array($0.map(JSONValue.string)) } ?? .null,
            "rpm": key.rpm.map { .int(Int64($0)) } ?? .null, "tpm": key.tpm.map { .int(Int64($0)) } ?? .null,
            "max_parallel": key.maxParallel.map { .int(Int64($0)) } ?? .null,
            "budget": key.budget.map(budget) ?? .null, "models_budget": .object(key.modelBudgets.mapValues(budget)),
            "expires_at": key.expiresAt.map { .string(UTCTime.format($0)) } ?? .null,
            "metadata": (try? JSON.parse(key.metadata)) ?? .object([:]), "zero_retention": .bool(key.zeroRetention),
            "created_at": .string(UTCTime.format(key.createdAt)),
            "revoked_at": key.revokedAt.map { .string(UTCTime.format($0)) } ?? .null, "source": .string(key.source),
        ]
        fields["spend"] = spend.map { .double(Money.usd($0)) } ?? .null
        fields["spend_period"] = .string((key.budget?.period ?? .month).rawValue)
        return .object(fields)
    }

    static func team(_ team: TeamRecord, spend: MicroUSD?) -> JSONValue {
        .object([
            "id": .string(team.id), "object": "team", "name": .string(team.name),
            "models": team.models.map { .array($0.map(JSONValue.string)) } ?? .null,
            "rpm": team.rpm.map { .int(Int64($0)) } ?? .null, "tpm": team.tpm.map { .int(Int64($0)) } ?? .null,
            "budget": team.budget.map(budget) ?? .null, "models_budget": .object(team.modelBudgets.mapValues(budget)),
            "metadata": (try? JSON.parse(team.metadata)) ?? .object([:]), "zero_retention": .bool(team.zeroRetention),
            "created_at": .string(UTCTime.format(team.createdAt)),
            "spend": spend.map { .double(Money.usd($0)) } ?? .null,
            "spend_period": .string((team.budget?.period ?? .month).rawValue),
        ])
    }

    static func budget(_ budget: Budget) -> JSONValue {
        .object([
            "max_usd": .double(Money.usd(budget.max)), "soft_usd": budget.soft.map { .double(Money.usd($0)) } ?? .null,
            "period": .string(budget.period.rawValue),
        ])
    }

    static func row(_ row: SpendRow) -> JSONValue {
        .object([
            "id": .string(row.id), "time": .string(UTCTime.format(row.time)), "key_id": row.keyID.map(JSONValue.string) ?? .null,
            "team_id": row.teamID.map(JSONValue.string) ?? .null, "endpoint": .string(row.endpoint), "model": .string(row.model),
            "provider": row.provider.map(JSONValue.string) ?? .null,
            "upstream_model": row.upstreamModel.map(JSONValue.string) ?? .null, "status": .int(Int64(row.status)),
            "error_class": row.errorClass.map(JSONValue.string) ?? .null, "stream": .bool(row.stream),
            "input_tokens": .int(Int64(row.inputTokens)), "output_tokens": .int(Int64(row.outputTokens)),
            "cached_input_tokens": .int(Int64(row.cachedInputTokens)), "cache_write_tokens": .int(Int64(row.cacheWriteTokens)),
            "reasoning_tokens": .int(Int64(row.reasoningTokens)),
            "cost_usd": row.priced ? .double(Money.usd(row.cost)) : .null, "priced": .bool(row.priced),
            "latency_ms": .int(Int64(row.latencyMs)), "ttft_ms": row.ttftMs.map { .int(Int64($0)) } ?? .null,
            "attempts": .int(Int64(row.attempts)), "cache_hit": .bool(row.cacheHit),
            "client_disconnected": .bool(row.clientDisconnected), "estimated": .bool(row.estimated),
        ])
    }

    static func totals(_ totals: SpendTotals) -> [String: JSONValue] {
        [
            "requests": .int(Int64(totals.requests)), "errors": .int(Int64(totals.errors)),
            "input_tokens": .int(Int64(totals.inputTokens)), "output_tokens": .int(Int64(totals.outputTokens)),
            "cached_input_tokens": .int(Int64(totals.cachedInputTokens)),
            "cache_write_tokens": .int(Int64(totals.cacheWriteTokens)), "reasoning_tokens": .int(Int64(totals.reasoningTokens)),
            "cost_usd": .double(Money.usd(totals.cost)),
        ]
    }

    // MARK: - In

    /// The body as an object whose fields are all in `allowed`.
    static func object(_ bytes: [UInt8], allowed: Set<String>) throws(BadRequest) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = bytes.isEmpty ? .object([:]) : try JSON.parse(bytes)
        } catch {
            throw BadRequest(message: "The body is not valid JSON (\(error)).", param: nil)
        }
        guard let fields = value.objectValue else { throw BadRequest(message: "The body must be a JSON object.", param: nil) }
        for name in fields.keys.sorted() where !allowed.contains(name) {
            throw BadRequest(message: "Unknown field '\(name)'.", param: name)
        }
        return fields
    }

    static let teamFields: Set<String> = ["name", "models", "rpm", "tpm", "budget", "models_budget", "zero_retention", "metadata"]
    static let keyFields: Set<String> = [
        "name", "team", "models", "rpm", "tpm", "max_parallel", "budget", "models_budget", "expires_at", "metadata",
        "zero_retention",
    ]

    /// Applies the fields present to `team` (null clears an optional one).
    static func apply(_ fields: [String: JSONValue], to team: inout TeamRecord) throws(BadRequest) {
        if let v = fields["name"] { team.name = try nonEmptyString(v, "name") }
        if let v = fields["models"] { team.models = try models(v) }
        if let v = fields["rpm"] { team.rpm = try limit(v, "rpm") }
        if let v = fields["tpm"] { team.tpm = try limit(v, "tpm") }
        if let v = fields["budget"] { team.budget = try budget(v, "budget") }
        if let v = fields["models_budget"] { team.modelBudgets = try modelBudgets(v) }
        if let v = fields["zero_retention"] { team.zeroRetention = try bool(v, "zero_retention") }
        if let v = fields["metadata"] { team.metadata = try metadata(v) }
    }

    static func apply(_ fields: [String: JSONValue], to key: inout KeyRecord) throws(BadRequest) {
        if let v = fields["name"] { key.name = try nonEmptyString(v, "name") }
        if let v = fields["team"] { key.team = v.isNull ? nil : try nonEmptyString(v, "team") }
        if let v = fields["models"] { key.models = try models(v) }
        if let v = fields["rpm"] { key.rpm = try limit(v, "rpm") }
        if let v = fields["tpm"] { key.tpm = try limit(v, "tpm") }
        if let v = fields["max_parallel"] { key.maxParallel = try limit(v, "max_parallel") }
        if let v = fields["budget"] { key.budget = try budget(v, "budget") }
        if let v = fields["models_budget"] { key.modelBudgets = try modelBudgets(v) }
        if let v = fields["expires_at"] {
            if v.isNull {
                key.expiresAt = nil
            } else {
                guard let text = v.stringValue, let time = UTCTime.parse(text) else {
                    throw BadRequest(message: "'expires_at' must be an RFC 3339 time such as 2026-12-31T00:00:00Z.", param: "expires_at")
                }
                key.expiresAt = time
            }
        }
        if let v = fields["zero_retention"] { key.zeroRetention = try bool(v, "zero_retention") }
        if let v = fields["metadata"] { key.metadata = try metadata(v) }
    }

    static func nonEmptyString(_ value: JSONValue, _ name: String) throws(BadRequest) -> String {
        guard let text = value.stringValue, !text.isEmpty, text.utf8.count <= 256 else {
            throw BadRequest(message: "'\(name)' must be a non-empty string of at most 256 bytes.", param: name)
        }
        return text
    }

    static func models(_ value: JSONValue) throws(BadRequest) -> [String]? {
        if value.isNull { return nil }
        guard let items = value.arrayValue, items.count <= 1000 else {
            throw BadRequest(message: "'models' must be a list of model names (at most 1000).", param: "models")
        }
        var names: [String] = []
        for item in items {
            guard let name = item.stringValue, !name.isEmpty, name.utf8.count <= 256 else {
                throw BadRequest(message: "'models' must hold non-empty strings.", param: "models")
            }
            names.append(name)
        }
        return names
    }

    static func limit(_ value: JSONValue, _ name: String) throws(BadRequest) -> Int? {
        if value.isNull { return nil }
        guard let number = value.intValue, number >= 1, number <= 1_000_000_000 else {
            throw BadRequest(message: "'\(name)' must be a whole number from 1 to 1000000000, or null.", param: name)
        }
        return number
    }

    static func bool(_ value: JSONValue, _ name: String) throws(BadRequest) -> Bool {
        guard let flag = value.boolValue else { throw BadRequest(message: "'\(name)' must be true or false.", param: name) }
        return flag
    }

    static func metadata(_ value: JSONValue) throws(BadRequest) -> String {
        guard value.objectValue != nil else { throw BadRequest(message: "'metadata' must be an object.", param: "metadata") }
        let text = JSON.encodeString(value)
        guard text.utf8.count <= 16_384 else { throw BadRequest(message: "'metadata' exceeds 16 KiB.", param: "metadata") }
        return text
    }

    static func budget(_ value: JSONValue, _ name: String) throws(BadRequest) -> Budget? {
        if value.isNull { return nil }
        guard let fields = value.objectValue else {
            throw BadRequest(message: "'\(name)' must be an object such as {\"max_usd\": 10, \"period\": \"month\"}.", param: name)
        }
        for field in fields.keys.sorted() where !["max_usd", "soft_usd", "period"].contains(field) {
            throw BadRequest(message: "Unknown field '\(name).\(field)'.", param: "\(name).\(field)")
        }
        guard let maxUSD = fields["max_usd"]?.doubleValue, let max = Money.micro(usd: maxUSD) else {
            throw BadRequest(message: "'\(name).max_usd' must be a number of USD, 0 or more.", param: "\(name).max_usd")
        }
        var soft: MicroUSD?
        if let value = fields["soft_usd"], !value.isNull {
            guard let usd = value.doubleValue, let micro = Money.micro(usd: usd) else {
                throw BadRequest(message: "'\(name).soft_usd' must be a number of USD, 0 or more.", param: "\(name).soft_usd")
            }
            soft = micro
        }
        var period = Budget.Period.month
        if let value = fields["period"] {
            guard let text = value.stringValue, let parsed = Budget.Period(rawValue: text) else {
                throw BadRequest(message: "'\(name).period' must be day, week, month or total.", param: "\(name).period")
            }
            period = parsed
        }
        return Budget(max: max, soft: soft, period: period)
    }

    static func modelBudgets(_ value: JSONValue) throws(BadRequest) -> [String: Budget] {
        if value.isNull { return [:] }
        guard let fields = value.objectValue else {
            throw BadRequest(message: "'models_budget' must map model names to budgets.", param: "models_budget")
        }
        var budgets: [String: Budget] = [:]
        for (model, item) in fields {
            if let budget = try budget(item, "models_budget.\(model)") { budgets[model] = budget }
        }
        return budgets
    }
}
