import SwitchyardCore

/// Keys and teams are kept as a JSON body beside the columns the store looks them up by, so a field
/// added later needs no schema change.
enum RecordCoding {
    static func encode(_ key: KeyRecord) -> String {
        var fields: [String: JSONValue] = [
            "id": .string(key.id), "name": .string(key.name), "secret_hash": .string(key.secretHash),
            "key_prefix": .string(key.keyPrefix), "metadata": .string(key.metadata),
            "zero_retention": .bool(key.zeroRetention), "created_at": .int(key.createdAt), "source": .string(key.source),
            "model_budgets": budgets(key.modelBudgets),
        ]
        fields["team"] = key.team.map(JSONValue.string)
        fields["models"] = key.models.map { .array($0.map(JSONValue.string)) }
        fields["rpm"] = key.rpm.map { .int(Int64($0)) }
        fields["tpm"] = key.tpm.map { .int(Int64($0)) }
        fields["max_parallel"] = key.maxParallel.map { .int(Int64($0)) }
        fields["budget"] = key.budget.map(budget)
        fields["expires_at"] = key.expiresAt.map(JSONValue.int)
        fields["revoked_at"] = key.revokedAt.map(JSONValue.int)
        fields["previous_secret_hash"] = key.previousSecretHash.map(JSONValue.string)
        fields["previous_valid_until"] = key.previousValidUntil.map(JSONValue.int)
        return JSON.encodeString(.object(fields))
    }

    static func decodeKey(_ text: String) throws -> KeyRecord {
        let json = try JSON.parse(text)
        guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue,
            let hash = json["secret_hash"]?.stringValue, let prefix = json["key_prefix"]?.stringValue,
            let created = json["created_at"].flatMap(int64)
        else { throw StoreError("a stored key record is incomplete") }
        return KeyRecord(
            id: id, name: name, secretHash: hash, keyPrefix: prefix, team: json["team"]?.stringValue,
            models: json["models"]?.arrayValue?.compactMap(\.stringValue), rpm: json["rpm"]?.intValue,
            tpm: json["tpm"]?.intValue, maxParallel: json["max_parallel"]?.intValue,
            budget: json["budget"].flatMap(budget), modelBudgets: budgets(json["model_budgets"]),
            expiresAt: json["expires_at"].flatMap(int64), metadata: json["metadata"]?.stringValue ?? "{}",
            zeroRetention: json["zero_retention"]?.boolValue ?? false, createdAt: created,
            revokedAt: json["revoked_at"].flatMap(int64), previousSecretHash: json["previous_secret_hash"]?.stringValue,
            previousValidUntil: json["previous_valid_until"].flatMap(int64), source: json["source"]?.stringValue ?? "admin")
    }

    static func encode(_ team: TeamRecord) -> String {
        var fields: [String: JSONValue] = [
            "id": .string(team.id), "name": .string(team.name), "metadata": .string(team.metadata),
            "zero_retention": .bool(team.zeroRetention), "created_at": .int(team.createdAt),
            "model_budgets": budgets(team.modelBudgets),
        ]
        fields["models"] = team.models.map { .array($0.map(JSONValue.string)) }
        fields["rpm"] = team.rpm.map { .int(Int64($0)) }
        fields["tpm"] = team.tpm.map { .int(Int64($0)) }
        fields["budget"] = team.budget.map(budget)
        return JSON.encodeString(.object(fields))
    }

    static func decodeTeam(_ text: String) throws -> TeamRecord {
        let json = try JSON.parse(text)
        guard let id = json["id"]?.stringValue, let name = json["name"]?.stringValue,
            let created = json["created_at"].flatMap(int64)
        else { throw StoreError("a stored team record is incomplete") }
        return TeamRecord(
            id: id, name: name, models: json["models"]?.arrayValue?.compactMap(\.stringValue), rpm: json["rpm"]?.intValue,
            tpm: json["tpm"]?.intValue, budget: json["budget"].flatMap(budget), modelBudgets: budgets(json["model_budgets"]),
            zeroRetention: json["zero_retention"]?.boolValue ?? false, metadata: json["metadata"]?.stringValue ?? "{}",
            createdAt: created)
    }

    private static func int64(_ value: JSONValue) -> Int64? {
        if case .int(let v) = value { return v }
        return nil
    }

    private static func budget(_ budget: Budget) -> JSONValue {
        var fields: [String: JSONValue] = ["max": .int(budget.max), "period": .string(budget.period.rawValue)]
        fields["soft"] = budget.soft.map(JSONValue.int)
        return .object(fields)
    }

    private static func budget(_ value: JSONValue) -> Budget? {
        guard let max = value["max"].flatMap(int64), let period = value["period"]?.stringValue.flatMap(Budget.Period.init)
        else { return nil }
        return Budget(max: max, soft: value["soft"].flatMap(int64), period: period)
    }

    private static func budgets(_ budgets: [String: Budget]) -> JSONValue {
        .object(budgets.mapValues(budget))
    }

    private static func budgets(_ value: JSONValue?) -> [String: Budget] {
        (value?.objectValue ?? [:]).compactMapValues(budget)
    }
}
