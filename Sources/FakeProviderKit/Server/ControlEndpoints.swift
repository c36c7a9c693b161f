import Hummingbird
import NIOCore

/// `/_fake/…`: the fake's own endpoints for tests and scripts. They are not recorded, so
/// reading the log does not change it.
///
/// - `GET /_fake/health` → 200 `{"status":"ok"}`
/// - `GET /_fake/requests` → the request log (see `RequestLog.json`)
/// - `DELETE /_fake/requests` → 204, log cleared
/// - `POST /_fake/reset` → 204, log and `fail_first` counters cleared
struct ControlEndpoints {
    let log: RequestLog
    let counters: FailureCounters

    func respond(method: String, path: String) async -> Response {
        switch (method, path) {
        case ("GET", "/_fake/health"):
            return Self.json(ByteBuffer(staticString: #"{"status":"ok"}"#))
        case ("GET", "/_fake/requests"):
            return Self.json(RequestLog.json(await self.log.all()))
        case ("DELETE", "/_fake/requests"):
            await self.log.clear()
            return Response(status: .noContent)
        case ("POST", "/_fake/reset"):
            await self.log.clear()
            await self.counters.reset()
            return Response(status: .noContent)
        default:
            var json = JSONWriter(capacity: 128)
            json.object { json in json.field("error", "unknown control endpoint \(method) \(path)") }
            return Response(status: .notFound, headers: [.contentType: "application/json"], body: .init(byteBuffer: json.buffer))
        }
    }

    private static func json(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
