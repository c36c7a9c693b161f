import AsyncHTTPClient
import FakeProviderKit
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOSSL
import SwitchyardConfig
import SwitchyardCore
import SwitchyardStore
@testable import SwitchyardServer

/// Starts the fake providers and the real gateway server on ephemeral loopback ports for one test.
struct GatewayHarness {
    static let masterKey = "sk-test-master"
    let gatewayURL: String
    let fake: RunningFakeProviders
    let gateway: Gateway
    let http: HTTPClient
    /// Every request's record, as the completion point saw it.
    let records: RecordingSink

    /// `yaml` receives the running fake and returns the gateway config (server section is added, with
    /// `server` as further fields of it, e.g. `idle_timeout: 300ms`).
    /// `admission` and `sinks` are added to the gateway's admission stage and completion point; `upstreamTLS`
    /// is what the gateway trusts for HTTPS providers.
    static func run(
        server serverFields: String = "", admission: [any AdmissionPolicy] = [], sinks: [any CompletionSink] = [],
        upstreamTLS: TLSConfiguration? = nil, store givenStore: (any Store)? = nil, metrics: (any MetricsFactory)? = nil,
        _ yaml: @escaping @Sendable (RunningFakeProviders) -> String,
        _ body: @Sendable (GatewayHarness) async throws -> Void
    ) async throws {
        let server = FakeProviderServer()
        try await server.withRunning { fake in
            let extra = serverFields.isEmpty ? "" : ", " + serverFields
            let text = "server: { master_key: \"\(masterKey)\"\(extra) }\n" + yaml(fake)
            let config = try ConfigLoader(environment: [:]).load(yaml: text)
            let logger = {
                var logger = Logger(label: "switchyard-test")
                logger.logLevel = .critical
                return logger
            }()
            let records = RecordingSink()
            let store: any Store
            if let givenStore {
                store = givenStore
            } else {
                store = try await StoreFactory.open(config.store ?? .memory, baseDirectory: "", logger: logger)
            }
            let gateway = try Gateway(
                config: config, catalog: try Catalog.bundled(), logger: logger, store: store, upstreamTLS: upstreamTLS,
                admissionPolicies: admission, sinks: [records] + sinks, metrics: metrics)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await GatewayServer(gateway: gateway, host: "127.0.0.1", port: 0, logger: logger)
                        .run(handleSignals: false) { continuation.yield($0) }
                }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { return }
                let http = HTTPClient(eventLoopGroupProvider: .singleton)
                let harness = GatewayHarness(
                    gatewayURL: "http://127.0.0.1:\(port)", fake: fake, gateway: gateway, http: http, records: records)
                do {
                    try await body(harness)
                } catch {
                    try? await http.shutdown()
                    group.cancelAll()
                    throw error
                }
                try? await http.shutdown()
                group.cancelAll()
            }
        }
    }

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue { (try? JSON.parse(body)) ?? .null }
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    func get(_ path: String, key: String? = GatewayHarness.masterKey, headers: [(String, String)] = [])
        async throws -> Answer
    {
        try await request(path, body: nil, key: key, headers: headers, method: .GET)
    }

    func request(
        _ path: String, body: String? = nil, key: String? = GatewayHarness.masterKey,
        headers: [(String, String)] = [], method: HTTPMethod = .POST
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: gatewayURL + path)
        request.method = method
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }

    /// A POST with a key and a request id, for clients of their own (tests that make the client leave).
    func post(_ path: String, body: String, key: String, requestID: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: gatewayURL + path)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "x-request-id", value: requestID)
        request.body = .bytes(ByteBuffer(string: body))
        return request
    }

    /// Starts a streamed request from a client of its own, reads the first chunk, then closes the
    /// connection (a client that leaves mid-stream).
    func streamThenLeave(
        _ path: String = "/v1/chat/completions", body: String, key: String = GatewayHarness.masterKey, requestID: String
    ) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let response = try await client.execute(
            post(path, body: body, key: key, requestID: requestID), timeout: .seconds(30))
        var iterator = response.body.makeAsyncIterator()
        _ = try await iterator.next()
        try await client.shutdown()
    }

    static func chat(_ model: String, _ text: String = "hello there", extra: String = "") -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"\#(text)"}]\#(extra)}"#
    }

    /// The `event:` names of an SSE answer, in order (Anthropic streams).
    static func eventNames(_ body: [UInt8]) -> [String] {
        var parser = SSEParser()
        return (parser.feed(body) + parser.finish()).compactMap(\.event).filter { $0 != "ping" }
    }

    /// The data payloads of an SSE answer, in order.
    static func events(_ body: [UInt8]) -> [String] {
        var parser = SSEParser()
        return (parser.feed(body) + parser.finish()).filter { !$0.isCommentOnly }.map(\.dataText)
    }
}
