import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders

/// The shared HTTP clients for provider calls: pooled keep-alive connections, timeouts, cancellation.
///
/// AsyncHTTPClient's connect and idle-read timeouts are client-wide settings, so there is one pooled client
/// per distinct pair the configuration needs (usually two: `first_byte` for whole answers, `idle` for
/// streams; more when providers or models override `connect`, `first_byte` or `idle`), all on the same
/// event loops.
final class UpstreamClient: Sendable {
    /// The client-wide timeouts one pooled client is built with.
    struct Profile: Hashable, Sendable {
        var connect: Duration
        var read: Duration

        init(connect: Duration, read: Duration) {
            self.connect = connect
            self.read = read
        }

        /// What a request with these timeouts needs: for streams the gap allowed between chunks, otherwise
        /// the wait for the answer.
        init(stream: Bool, timeouts: GatewayConfig.Timeouts) {
            self.init(connect: timeouts.connect, read: stream ? timeouts.idle : timeouts.firstByte)
        }
    }

    private let clients: [Profile: HTTPClient]
    /// Per provider: how many requests may be in flight (`max_connections`) and the queue for the rest.
    private let slots: [String: ConnectionSlots]
    private let maxQueueWait: Duration

    /// - Parameter tls: trust and TLS settings for HTTPS providers; nil for the system's trust roots.
    init(
        profiles: Set<Profile>, providers: [GatewayConfig.Provider] = [], maxQueueWait: Duration = .seconds(10),
        tls: TLSConfiguration? = nil
    ) {
        var slots: [String: ConnectionSlots] = [:]
        for provider in providers { slots[provider.name] = ConnectionSlots(limit: provider.maxConnections) }
        self.slots = slots
        self.maxQueueWait = maxQueueWait
        // `ConnectionSlots` bounds each provider; the pool itself must never be what makes a request wait (it
        // would fail it after the connect timeout as if the provider were down), so its per-host limit is
        // the sum of all providers' (several providers may share a host).
        let poolLimit = min(1_000_000, max(512, providers.reduce(0) { $0 + $1.maxConnections }))
        var clients: [Profile: HTTPClient] = [:]
        for profile in profiles {
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: poolLimit)
            // A dead upstream should fail fast so the next deployment is tried, not be retried for the whole connect timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.timeout.connect = .nanoseconds(profile.connect.nanoseconds)
            configuration.timeout.read = .nanoseconds(profile.read.nanoseconds)
            configuration.redirectConfiguration = .disallow
            // HTTP/2 wherever the provider offers it (ALPN over TLS: every hosted provider), so many requests share
            // one connection; HTTP/1.1 otherwise (plain-HTTP servers such as vLLM and Ollama).
            configuration.httpVersion = .automatic
            if let tls { configuration.tlsConfiguration = tls }
            configuration.decompression = .disabled
            // Without this the client records a (no-op) span with URL attributes for every call: 2-3 % of
            // a streamed request's CPU. Tracing comes back with a real tracer when one is configured.
            configuration.tracing.tracer = nil
            clients[profile] = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }
        self.clients = clients
    }

    func shutdown() async {
        for client in clients.values { try? await client.shutdown() }
    }

    /// The pooled client whose timeouts fit the request.
    private func client(stream: Bool, timeouts: GatewayConfig.Timeouts) throws(GatewayError) -> HTTPClient {
        guard let http = clients[Profile(stream: stream, timeouts: timeouts)] ?? clients.values.first else {
            throw GatewayError(.internalError, "No upstream client is configured.")
        }
        return http
    }

    /// Slots in use for a provider (tests and, later, the admin API).
    func slotsInUse(provider: String) -> Int? { slots[provider]?.inUse }

    /// A slot for a request to the endpoint's provider, waiting up to `limits.max_queue_wait` for one; throws
    /// 503 `overloaded` (not a provider failure) when none came.
    private func lease(for endpoint: ProviderEndpoint) async throws(GatewayError) -> ConnectionSlots.Lease? {
        guard let providerSlots = slots[endpoint.provider] else { return nil }
        if let lease = await providerSlots.acquire(waitingAtMost: maxQueueWait) { return lease }
        throw GatewayError(
            .overloaded,
            "All \(providerSlots.limit) connections to provider '\(endpoint.provider)' are busy; no slot freed within "
                + "limits.max_queue_wait.",
            code: "overloaded", retryAfter: "1")
    }

    /// The endpoint's headers (auth included) plus the request id.
    private static func headers(_ endpoint: ProviderEndpoint, requestID: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in endpoint.headers { headers.add(name: name, value: value) }
        headers.add(name: "x-request-id", value: requestID)
        return headers
    }

    /// Turns a provider's error answer (status, headers, at most `maxErrorBody` bytes of body) into the
    /// gateway error its dialect means: the provider codec's `decodeError`.
    typealias ErrorDecoder = (_ status: Int, _ headers: [(String, String)], _ body: [UInt8]) -> GatewayError

    /// Upper bound for a whole (non-streamed) answer, and for the part of an error body that is read.
    static let maxAnswerBody = 64 * 1024 * 1024
    static let maxErrorBody = 1024 * 1024

    /// A whole successful answer.
    struct Answer {
        let headers: HTTPHeaders
        let body: ByteBuffer
    }

    /// Sends one request and returns the whole answer, or throws the provider's error. The body is
    /// gathered on the connection's event loop and handed over once, instead of resuming the request's
    /// task for every body part; the read timeout (`first_byte`) bounds the wait, `total` the exchange.
    func answer(
        endpoint: ProviderEndpoint, body: ByteBuffer, requestID: String, timeouts: GatewayConfig.Timeouts,
        decodeError: ErrorDecoder
    ) async throws(GatewayError) -> Answer {
        let http = try client(stream: false, timeouts: timeouts)
        let lease = try await lease(for: endpoint)
        defer { lease?.release() }
        let response: HTTPClient.Response
        do {
            let request = try HTTPClient.Request(
                url: endpoint.url, method: .POST, headers: Self.headers(endpoint, requestID: requestID),
                body: .byteBuffer(body))
            let task = http.execute(
                request: request, delegate: ResponseAccumulator(request: request, maxBodySize: Self.maxAnswerBody),
                eventLoop: .delegate(on: http.eventLoopGroup.any()),
                deadline: .now() + .nanoseconds(timeouts.total.nanoseconds))
            response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw Self.classify(error)
        }
        let body = response.body ?? ByteBuffer()
        guard (200..<300).contains(response.status.code) else {
            throw decodeError(
                Int(response.status.code), response.headers.map { ($0.name, $0.value) },
                Array(body.readableBytesView.prefix(Self.maxErrorBody)))
        }
        return Answer(headers: response.headers, body: body)
    }

    /// Sends one request for a streamed answer and returns once the provider's first bytes arrived, or
    /// throws the provider's error — so everything before the first byte can still fail over.
    func stream(
        endpoint: ProviderEndpoint, body: ByteBuffer, requestID: String, timeouts: GatewayConfig.Timeouts,
        decodeError: ErrorDecoder
    ) async throws(GatewayError) -> UpstreamStream {
        let http = try client(stream: true, timeouts: timeouts)
        // Held by the stream from here on: given back when it is gone, whichever way it ends.
        let lease = try await lease(for: endpoint)
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers = Self.headers(endpoint, requestID: requestID)
        request.body = .bytes(body)
        let response: HTTPClientResponse
        do {
            // The head must come within `first_byte`; the read timeout (`idle`) bounds the silences after it.
            let headWait = min(timeouts.firstByte, timeouts.total)
            response = try await http.execute(request, deadline: .now() + .nanoseconds(headWait.nanoseconds))
        } catch {
            throw Self.classify(error)
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let errorBody = (try? await response.body.collect(upTo: Self.maxErrorBody)) ?? ByteBuffer()
            throw decodeError(status, response.headers.map { ($0.name, $0.value) }, Array(buffer: errorBody))
        }
        var stream = try await UpstreamStream.open(response)
        stream.lease = lease
        return stream
    }

    /// The code of the error a cancelled provider request ends with (the client left while it was in flight).
    static let cancelledCode = "cancelled"

    /// Maps a transport failure to a gateway error. Messages name the failure, never the URL or headers.
    static func classify(_ error: any Error) -> GatewayError {
        if let error = error as? GatewayError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return GatewayError(.timeout, "The provider did not answer in time.")
            case .cancelled:
                return GatewayError(.upstreamError, "The provider request was cancelled.", code: Self.cancelledCode)
            default:
                return GatewayError(.upstreamError, "The provider connection failed (\(error.shortDescription)).")
            }
        }
        if error is CancellationError {
            return GatewayError(.upstreamError, "The provider request was cancelled.", code: Self.cancelledCode)
        }
        return GatewayError(.upstreamError, "The provider connection failed (\(type(of: error))).")
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let parts = components
        return parts.seconds &* 1_000_000_000 &+ parts.attoseconds / 1_000_000_000
    }
}
