import HTTPTypes

extension HTTPFields {
    /// Header pairs from governance (`x-ratelimit-*`), added as fields.
    init(pairs: [(String, String)]) {
        self.init()
        for (name, value) in pairs {
            if let field = HTTPField.Name(name) { self[field] = value }
        }
    }
}
