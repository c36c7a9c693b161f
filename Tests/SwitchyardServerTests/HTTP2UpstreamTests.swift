import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL
import SwitchyardConfig
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Providers that offer HTTP/2 (every hosted one, over TLS) are spoken to in HTTP/2: concurrent requests
/// share one connection instead of each holding its own.
@Suite struct HTTP2UpstreamTests {
    /// A self-signed certificate for localhost and 127.0.0.1 (test only; valid until 2126).
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBmjCCAUGgAwIBAgIUZV3WGeFyaeNKEpb8BbV/jAhjVM0wCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNDIxMzI1MFoYDzIxMjYxMTEw
        MjEzMjUwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAASrtEHwjjdnRNSJWZnlUPscpqNKb8rAtsHLzxMVZTzhcL4XYbUnGDVq
        JMFOyqHOVwA6Au662pTYjpcbXzpe+jSlo28wbTAdBgNVHQ4EFgQU0Gnmofg3adIE
        0y2pgCcXeclBw40wHwYDVR0jBBgwFoAU0Gnmofg3adIE0y2pgCcXeclBw40wDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
        zj0EAwIDRwAwRAIgBQa4z2EnfOR/sP0gyDX8taqyYW/9ifAfk2Z89bGdAg0CIGLT
        B/J1zVCwoiJ2uGLnNXWkZUstlacgwrTwJwde/Q8r
        -----END CERTIFICATE-----
        """
    static let privateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCAQP+HHSS7vuMMKw
        udaJwrOT4odr4XWoGL932IPHAR+hRANCAASrtEHwjjdnRNSJWZnlUPscpqNKb8rA
        tsHLzxMVZTzhcL4XYbUnGDVqJMFOyqHOVwA6Au662pTYjpcbXzpe+jSl
        -----END PRIVATE KEY-----
        """

    /// What the provider's handler learns about the request's transport.
    struct ProbeContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        /// HTTP/2 requests run on a stream channel whose parent is the TCP connection; HTTP/1.1 requests on
        /// the connection itself, whose parent is the listening socket.
        let viaHTTP2: Bool

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            viaHTTP2 = source.channel.parent?.parent != nil
        }
    }

    /// An OpenAI-dialect provider over TLS that offers HTTP/2 and HTTP/1.1 (ALPN), answering every chat
    /// request with the protocol it arrived over as the model name.
    static func withProvider(_ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router(context: ProbeContext.self)
        router.post("/v1/chat/completions") { _, context in
            let model = context.viaHTTP2 ? "over-http2" : "over-http1"
            let json = #"{"id":"c1","object":"chat.completion","created":1,"model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(privateKey.utf8), format: .pem)))
        let logger = quietLogger("h2-provider")
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, server: try .http2Upgrade(tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            do {
                try await body(port)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        return logger
    }

    static func ask(_ http: HTTPClient, url: String) async throws -> (status: UInt, model: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(GatewayHarness.masterKey)")
        request.body = .bytes(ByteBuffer(string: GatewayHarness.chat("secure/any-model")))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, (try? JSON.parse(Array(buffer: body)))?["model"]?.stringValue ?? String(buffer: body))
    }

    @Test func anHTTPSProviderOfferingHTTP2IsCalledOverHTTP2() async throws {
        try await Self.withProvider { port in
            var trust = TLSConfiguration.makeClientConfiguration()
            trust.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(Self.certificate.utf8)))
            try await GatewayHarness.run(upstreamTLS: trust) { _ in
                """
                providers:
                  secure: { kind: openai-compatible, api_key: k, base_url: "https://localhost:\(port)/v1" }
                """
            } _: { h in
                let url = h.gatewayURL + "/v1/chat/completions"
                let answers = try await withThrowingTaskGroup(of: (status: UInt, model: String).self) { requests in
                    for _ in 0..<4 { requests.addTask { try await Self.ask(h.http, url: url) } }
                    var answers: [(status: UInt, model: String)] = []
                    for try await answer in requests { answers.append(answer) }
                    return answers
                }
                #expect(answers.count == 4)
                for answer in answers {
                    #expect(answer.status == 200)
                    #expect(answer.model == "over-http2")
                }
            }
        }
    }
}
