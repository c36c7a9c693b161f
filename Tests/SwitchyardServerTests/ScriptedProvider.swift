import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A provider that answers whatever a test scripts, byte for byte — written apart from the repository's fake
/// providers (and their encoders) on purpose: it says what a buggy, hostile or compromised provider says.
/// `{{KEY}}` in a script is replaced by the credential the gateway sent (`{{KEY_HEAD}}` / `{{KEY_TAIL}}`: its
/// two halves, to split it across writes), the way a provider quoting the key back in an error does.
struct ScriptedProvider {
    struct Script: Sendable {
        var status = 200
        var headers: [(String, String)] = []
        var contentType = "application/json"
        /// Written one by one, each a separate write.
        var chunks: [String]
    }

    static func run(
        _ scripts: [String: Script], _ body: @Sendable (_ baseURL: String) async throws -> Void
    ) async throws {
        let router = Router()
        router.post("/s/:scenario/**") { request, context -> Response in
            let name = context.parameters.get("scenario") ?? ""
            guard let script = scripts[name] else { return Response(status: .notFound) }
            let key = Self.credential(request.headers)
            let half = key.index(key.startIndex, offsetBy: key.count / 2)
            let chunks = script.chunks.map {
                $0.replacingOccurrences(of: "{{KEY}}", with: key)
                    .replacingOccurrences(of: "{{KEY_HEAD}}", with: String(key[..<half]))
                    .replacingOccurrences(of: "{{KEY_TAIL}}", with: String(key[half...]))
            }
            var headers = HTTPFields()
            headers[.contentType] = script.contentType
            for (name, value) in script.headers { headers[HTTPField.Name(name)!] = value }
            return Response(
                status: .init(code: script.status), headers: headers,
                body: ResponseBody { writer in
                    for chunk in chunks { try await writer.write(ByteBuffer(string: chunk)) }
                    try await writer.finish(nil)
                })
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "scripted-provider")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            do {
                try await body("http://127.0.0.1:\(port)/s")
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func credential(_ headers: HTTPFields) -> String {
        if let bearer = headers[.authorization], bearer.hasPrefix("Bearer ") { return String(bearer.dropFirst(7)) }
        for name in ["x-api-key", "x-goog-api-key", "api-key"] {
            if let value = headers[HTTPField.Name(name)!] { return value }
        }
        return ""
    }
}
