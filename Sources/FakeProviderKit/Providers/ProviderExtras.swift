// Constant provider-specific parts of responses, shared by the JSON and SSE encoders.

extension JSONWriter {
    /// Writes a field that some providers omit, some send as `null` and some fill in.
    mutating func field(_ key: StaticString, _ value: FakeProvider.OptionalField) {
        switch value {
        case .absent: break
        case .null: self.nullField(key)
        case .value(let string): self.field(key, string)
        }
    }
}

/// Azure's content-filter annotations (`azure-openai/chat-response.json`, `chat-stream.txt`).
enum AzureContentFilter {
    static let promptFilterResults: StaticString =
        #"[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false}}}]"#
    static let completionResults: StaticString =
        #"{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"},"protected_material_code":{"filtered":false,"detected":false},"protected_material_text":{"filtered":false,"detected":false}}"#
    static let chunkResults: StaticString =
        #"{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}"#
}

/// Perplexity's search extras (`perplexity/chat-response.json`).
enum PerplexitySearch {
    static let citations: StaticString = #"["https://en.wikipedia.org/wiki/Echo","https://example.com/echo"]"#
    static let searchResults: StaticString =
        #"[{"title":"Echo - Wikipedia","url":"https://en.wikipedia.org/wiki/Echo","date":"2026-05-02","last_updated":"2026-05-20","snippet":"An echo is a reflection of sound...","source":"web"},{"title":"Echo example","url":"https://example.com/echo","date":null,"last_updated":"2026-04-11","snippet":"Echoes everything...","source":"web"}]"#
}
