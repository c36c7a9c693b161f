import SwitchyardCore

/// Google's OpenAPI-subset `Schema` (used by `functionDeclarations[].parameters` and `responseSchema`) → plain
/// JSON Schema, the canonical form of tool parameters and response schemas. The encoder always writes
/// `parametersJsonSchema` / `responseJsonSchema` (gemini.md §2.2 recommends them for translated schemas).
enum OpenAPISchema {
    /// Lower-cases `type` (`OBJECT` → `object`) and turns `nullable: true` into a `"null"` type alternative,
    /// recursing through `properties`, `items`, `anyOf`, and `$defs`/`defs`. Other keywords share their JSON Schema
    /// meaning and are kept.
    static func toJSONSchema(_ schema: JSONValue) -> JSONValue {
        guard case .object(var fields) = schema else { return schema }
        let nullable = fields["nullable"]?.boolValue ?? false
        fields["nullable"] = nil
        if let type = fields["type"]?.stringValue {
            let lowered = type.lowercased()
            if lowered == "type_unspecified" {
                fields["type"] = nil
            } else {
                fields["type"] = nullable ? .array([.string(lowered), "null"]) : .string(lowered)
            }
        }
        if let properties = fields["properties"]?.objectValue {
            fields["properties"] = .object(properties.mapValues(toJSONSchema))
        }
        for key in ["$defs", "defs"] {
            if let defs = fields[key]?.objectValue { fields[key] = .object(defs.mapValues(toJSONSchema)) }
        }
        if let items = fields["items"] { fields["items"] = toJSONSchema(items) }
        if let anyOf = fields["anyOf"]?.arrayValue { fields["anyOf"] = .array(anyOf.map(toJSONSchema)) }
        return .object(fields)
    }
}
