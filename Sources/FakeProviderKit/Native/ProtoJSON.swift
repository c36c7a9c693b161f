/// Any key, for bodies whose keys come in two spellings.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) {
        self.stringValue = string
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        return nil
    }
}

extension KeyedDecodingContainer where Key == AnyCodingKey {
    /// A proto3 JSON field: Google's servers accept `lowerCamelCase` and `snake_case` alike (the
    /// Python SDK sends some nested keys snake-cased), so the fake reads both. Liberal like the
    /// rest of the fakes: a value of the wrong type reads as absent.
    func proto<Value: Decodable>(_ type: Value.Type, _ camelCase: String) -> Value? {
        if let value = try? self.decodeIfPresent(Value.self, forKey: AnyCodingKey(camelCase)) {
            return value
        }
        return try? self.decodeIfPresent(Value.self, forKey: AnyCodingKey(Self.snakeCase(camelCase)))
    }

    func has(_ camelCase: String) -> Bool {
        self.contains(AnyCodingKey(camelCase)) || self.contains(AnyCodingKey(Self.snakeCase(camelCase)))
    }

    private static func snakeCase(_ camelCase: String) -> String {
        var out = ""
        out.reserveCapacity(camelCase.count + 4)
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
}
