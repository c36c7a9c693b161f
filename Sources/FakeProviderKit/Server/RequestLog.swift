import NIOCore

/// One request as the fake received it.
public struct RecordedRequest: Sendable, Equatable {
    /// `GET`, `POST`, …
    public let method: String
    /// Path including the query string, e.g. `/azure-openai/openai/deployments/d/chat/completions?api-version=2024-10-21`.
    public let path: String
    /// Header names lower-cased; repeated headers joined with `", "`.
    public let headers: [String: String]
    /// The raw body bytes.
    public let body: [UInt8]

    public init(method: String, path: String, headers: [String: String], body: [UInt8]) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { String(decoding: self.body, as: UTF8.self) }
}

/// The requests received, oldest first, capped so a long benchmark run cannot grow it without bound.
///
/// An actor: it is the one piece of state every request touches, and recording must be
/// visible to the next `GET /_fake/requests` or `requests()` call.
actor RequestLog {
    private var entries: [RecordedRequest] = []
    /// Maximum kept; 0 disables recording.
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
        self.entries.reserveCapacity(min(limit, 1024))
    }

    func record(_ request: RecordedRequest) {
        guard self.limit > 0 else { return }
        self.entries.append(request)
        // Trim in batches so appends stay amortised O(1).
        if self.entries.count > self.limit * 2 {
            self.entries.removeFirst(self.entries.count - self.limit)
        }
    }

    func all() -> [RecordedRequest] {
        self.entries.count > self.limit ? Array(self.entries.suffix(self.limit)) : self.entries
    }

    func clear() {
        self.entries.removeAll(keepingCapacity: true)
    }

    /// `[{"method","path","headers":{…},"body":"<utf8>"}]`, newest last, headers sorted by name.
    static func json(_ requests: [RecordedRequest]) -> ByteBuffer {
        var json = JSONWriter(capacity: 256 + requests.count * 512)
        json.beginArray()
        for request in requests {
            json.object { json in
                json.field("method", request.method)
                json.field("path", request.path)
                json.object("headers") { json in
                    for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
                        json.key(dynamic: name)
                        json.string(value)
                    }
                }
                json.field("body", request.bodyText)
            }
        }
        json.endArray()
        return json.buffer
    }
}
