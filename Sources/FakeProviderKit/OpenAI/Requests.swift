// The parts of OpenAI-style request bodies the fakes react to. Decoding is liberal the way
// providers are: unknown fields are ignored, `null` means absent, and odd content shapes
// degrade to empty text instead of failing.

struct ChatCompletionRequest: Decodable {
    var model: String?
    var messages: [ChatMessage]?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var n: Int?
    var tools: [ToolDefinition]?
    var toolChoice: ToolChoice?

    enum CodingKeys: String, CodingKey {
        case model, messages, stream, n, tools
        case streamOptions = "stream_options"
        case toolChoice = "tool_choice"
    }
}

struct StreamOptions: Decodable {
    var includeUsage: Bool?
    var includeObfuscation: Bool?

    enum CodingKeys: String, CodingKey {
        case includeUsage = "include_usage"
        case includeObfuscation = "include_obfuscation"
    }
}

struct ChatMessage: Decodable {
    var role: String?
    var content: MessageText?
}

/// Message content flattened to text: a string, or the `text` of each part joined by newlines
/// (`image_url`, `input_audio` … parts contribute nothing).
struct MessageText: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            self.text = string
        } else if let parts = try? container.decode([Part].self) {
            self.text = parts.compactMap(\.text).joined(separator: "\n")
        } else {
            self.text = ""
        }
    }

    struct Part: Decodable {
        var text: String?
    }
}

/// A tool offered to the model: only its name and required parameters matter here.
struct ToolDefinition: Decodable {
    var name: String?
    var required: [String]

    enum CodingKeys: String, CodingKey { case function, custom }
    enum FunctionKeys: String, CodingKey { case name, parameters }
    enum ParameterKeys: String, CodingKey { case required }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // `{"type":"function","function":{…}}`, or the free-form `{"type":"custom","custom":{name}}`.
        let key: CodingKeys = container.contains(.function) ? .function : .custom
        guard let function = try? container.nestedContainer(keyedBy: FunctionKeys.self, forKey: key) else {
            self.name = nil
            self.required = []
            return
        }
        self.name = try? function.decodeIfPresent(String.self, forKey: .name)
        let parameters = try? function.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
        self.required = (try? parameters?.decodeIfPresent([String].self, forKey: .required)) ?? []
    }
}

/// `"none" | "auto" | "required" | {"type":"function","function":{"name":…}}`.
enum ToolChoice: Decodable {
    /// `"none"`: tools offered but not to be called.
    case disabled
    case auto
    case named(String)

    enum CodingKeys: String, CodingKey { case function }
    enum FunctionKeys: String, CodingKey { case name }

    init(from decoder: any Decoder) throws {
        if let mode = try? decoder.singleValueContainer().decode(String.self) {
            self = mode == "none" ? .disabled : .auto
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let function = try? container.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
        if let name = try? function?.decode(String.self, forKey: .name) {
            self = .named(name)
        } else {
            self = .auto
        }
    }
}

struct CompletionRequest: Decodable {
    var model: String?
    var prompt: PromptText?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var n: Int?

    enum CodingKeys: String, CodingKey {
        case model, prompt, stream, n
        case streamOptions = "stream_options"
    }
}

/// Legacy `prompt`: a string, strings, token ids or arrays of token ids — as text, the first one.
struct PromptText: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let inputs = try EmbeddingInput(from: decoder)
        self.text = inputs.texts.first ?? ""
    }
}

struct EmbeddingRequest: Decodable {
    var model: String?
    var input: EmbeddingInput?
    var dimensions: Int?
    var encodingFormat: String?

    enum CodingKeys: String, CodingKey {
        case model, input, dimensions
        case encodingFormat = "encoding_format"
    }
}

/// `input`: a string, an array of strings, an array of token ids, or an array of token-id
/// arrays. Token ids are turned into text (`"1 2 3"`) so every input hashes the same way.
struct EmbeddingInput: Decodable {
    var texts: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            self.texts = [string]
        } else if let strings = try? container.decode([String].self) {
            self.texts = strings
        } else if let tokens = try? container.decode([Int].self) {
            self.texts = [tokens.map(String.init).joined(separator: " ")]
        } else if let batches = try? container.decode([[Int]].self) {
            self.texts = batches.map { $0.map(String.init).joined(separator: " ") }
        } else {
            throw DecodingError.typeMismatch(
                String.self,
                .init(codingPath: decoder.codingPath, debugDescription: "input must be a string, strings or token ids")
            )
        }
    }
}
