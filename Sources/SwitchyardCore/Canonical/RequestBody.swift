/// The first two steps of every dialect's request decoder, with the 400s they answer alike.
public enum RequestBody {
    /// A client's body as JSON; malformed JSON is a 400 `invalid_json`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(GatewayError) -> JSONValue {
        do {
            return try JSON.parse(bytes)
        } catch {
            throw GatewayError(.invalidRequest, "The request body is not valid JSON.", code: "invalid_json")
        }
    }

    /// The body's top-level object; any other JSON value is a 400.
    public static func object(_ json: JSONValue) throws(GatewayError) -> [String: JSONValue] {
        guard let body = json.objectValue else {
            throw GatewayError(.invalidRequest, "The request body must be a JSON object.")
        }
        return body
    }
}
