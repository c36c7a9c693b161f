import SwitchyardCore

/// Field access in Gemini's spelling. The server (proto3 JSON) accepts snake_case as well as camelCase, and the
/// official Python SDK really sends some nested keys in snake_case (gemini.md §1), so inbound bodies are read in
/// both spellings while everything the gateway writes is camelCase.
extension JSONValue {
    /// The field named `camelCase`, or its snake_case spelling when only that is present.
    func field(_ camelCase: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        if let value = fields[camelCase] { return value }
        return fields[GeminiKeys.snakeCase(camelCase)]
    }
}

/// Converting key spellings between the two forms Google's JSON mapping accepts.
enum GeminiKeys {
    /// `thoughtSignature` → `thought_signature`.
    static func snakeCase(_ camelCase: String) -> String {
        var out = ""
        out.reserveCapacity(camelCase.utf8.count + 4)
        for character in camelCase {
            if character.isUppercase {
                out.append("_")
                out.append(contentsOf: character.lowercased())
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// `safety_settings` → `safetySettings`; camelCase keys come back unchanged.
    static func camelCase(_ key: String) -> String {
        guard key.contains("_") else { return key }
        var out = ""
        var upperNext = false
        for character in key {
            if character == "_" {
                upperNext = !out.isEmpty
            } else if upperNext {
                out.append(contentsOf: character.uppercased())
                upperNext = false
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// An object's fields with their keys in camelCase (values untouched: they may be user data).
    static func camelCased(_ fields: [String: JSONValue]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, value) in fields { out[camelCase(key)] = value }
        return out
    }
}
