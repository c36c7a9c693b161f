import AsyncHTTPClient
import Atomics
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import Synchronization

/// The shared HTTP clients for provider calls: pooled keep-alive connections, timeouts, cancellation.
///
/// AsyncHTTPClient's connect and idle-read timeouts, and its pool's idle timeout, are client-wide settings,
/// so there are pooled clients per distinct combination the configuration needs (usually two: `first_byte`
/// for whole answers, `idle` for streams; more when providers or models override `connect`, `first_byte` or
/// `idle`, or providers set different `pool_idle_timeout`s), all on the same event loops.
///
/// Each combination has several clients when the providers allow thousands of connections (`poolsPerProfile`):
/// AsyncHTTPClient's HTTP/1.1 pool does work proportional to its connections for each connection it opens,
/// under its lock, which at 5,000 connections was a fifth of the gateway's CPU (docs/BENCHMARKS.md). A
/// request uses the client its provider connection slot's number picks (`ConnectionSlots.Lease.number`):
/// numbers `0..<share` the first, the next `share` the second, and so on, where `share` is the provider's
/// `max_connections` divided by the count. So each client carries at most its share of a provider's
/// connections and all of them together stay within `max_connections`; freed numbers are reused first, so
/// below `share` requests in flight everything stays on the first client and its warm connections, and the
/// others are only created (once, under a lock; found with one atomic load after that) when the load
/// reaches them.
final class UpstreamClient: Sendable {
    /// The client-wide settings one pooled client is built with.
    struct Profile: Hashable, Sendable {
        var connect: Duration
        var read: Duration
        var poolIdle: Duration

        init(connect: Duration, read: Duration, poolIdle: Duration = GatewayConfig.Provider.defaultPoolIdleTimeout) {
            self.connect = connect
            self.read = read
            self.poolIdle = poolIdle
        }

        /// What a request with these timeouts needs: for streams the gap allowed between chunks, otherwise
        /// the wait for the answer.
        init(stream: Bool, timeouts: GatewayConfig.Timeouts, poolIdle: Duration = GatewayConfig.Provider.defaultPoolIdleTimeout) {
            self.init(connect: timeouts.connect, read: stream ? timeouts.idle : timeouts.firstByte, poolIdle: poolIdle)
        }
    }

    /// What the client keeps per provider: how many requests may be in flight (`max_connections`) with the
    /// queue for the rest, how long its idle connections are kept, and how many slot numbers go to each of a
    /// profile's clients.
    private struct ProviderPool: Sendable {
        let slots: ConnectionSlots
        let poolIdle: Duration
        let share: Int
    }

    /// One profile's clients: the first made at once, the others when first needed.
    private final class Clients: Sendable {
        let first: HTTPClient
        private let others: [ManagedAtomicLazyReference<HTTPClient>]
        private let configuration: HTTPClient.Configuration
        private let creating = Mutex(())

        init(count: Int, configuration: HTTPClient.Configuration) {
            self.configuration = configuration
            first = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            others = (1..<max(1, count)).map { _ in ManagedAtomicLazyReference() }
        }

        /// The client for the slot with this number, given each client's share of the slots.
        func client(slot: Int, share: Int) -> HTTPClient {
            let index = min(slot / max(1, share), others.count)
            guard index > 0 else { return first }
            let reference = others[index - 1]
            if let client = reference.load() { return client }
            return creating.withLock { _ in
                if let client = reference.load() { return client }
                return reference.storeIfNilThenLoad(HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration))
            }
        }

        func shutdown() async {
            try? await first.shutdown()
            for reference in others {
                if let client = reference.load() { try? await client.shutdown() }
            }
        }
    }

    private let clients: [Profile: Clients]
    private let providers: [String: ProviderPool]
    private let maxQueueWait: Duration

    /// How many clients each profile gets: one per 1,024 connections the providers allow together, at most 8.
    static func poolsPerProfile(totalConnections: Int) -> Int {
        min(8, max(1, totalConnections / 1024))
    }

    /// - Parameter tls: trust and TLS settings for HTTPS providers; nil for the system's trust roots.
    init(
        profiles: Set<Profile>, providers: [GatewayConfig.Provider] = [], maxQueueWait: Duration = .seconds(10),
        tls: TLSConfiguration? = nil
    ) {
        let total = providers.reduce(0) { $0 + $1.maxConnections }
        let count = Self.poolsPerProfile(totalConnections: total)
        var pools: [String: ProviderPool] = [:]
        for provider in providers {
            pools[provider.name] = ProviderPool(
                slots: ConnectionSlots(limit: provider.maxConnections), poolIdle: provider.poolIdleTimeout,
                share: (provider.maxConnections + count - 1) / count)
        }
        self.providers = pools
        self.maxQueueWait = maxQueueWait
        // `ConnectionSlots` bounds each provider; the pool itself must never be what makes a request wait (it
        // would fail it after the connect timeout as if the provider were down), so each client's per-host
        // limit is the most requests the slot numbers can send it: its share of every provider's limit (several
        // providers may share a host).
        let share = providers.reduce(0) { $0 + ($1.maxConnections + count - 1) / count }
        let poolLimit = min(1_000_000, max(512, share))
        var clients: [Profile: Clients] = [:]
        for profile in profiles {
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(
                idleTimeout: .nanoseconds(profile.poolIdle.nanoseconds), concurrentHTTP1ConnectionsPerHostSoftLimit: poolLimit)
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
            clients[profile] = Clients(count: count, configuration: configuration)
        }
        self.clients = clients
    }

    func shutdown() async {
        for client in clients.values { await client.shutdown() }
    }

    /// The pooled client whose settings fit the request, the one `slot` picks.
    private func client(
        stream: Bool, timeouts: GatewayConfig.Timeouts, provider: ProviderPool?, slot: ConnectionSlots.Lease?
    ) throws(GatewayError) -> HTTPClient {
        let profile = Profile(
            stream: stream, timeouts: timeouts, poolIdle: provider?.poolIdle ?? GatewayConfig.Provider.defaultPoolIdleTimeout)
        guard let pool = clients[profile] ?? clients.values.first else {
            throw GatewayError(.internalError, "No upstream client is configured.")
        }
        return pool.client(slot: slot?.number ?? 0, share: provider?.share ?? 1)
    }

    /// Slots in use for a provider (tests and, later, the admin API).
    func slotsInUse(provider: String) -> Int? { providers[provider]?.slots.inUse }

    /// A slot for a request to the endpoint's provider, waiting up to `limits.max_queue_wait` for one; throws
    /// 503 `overloaded` (not a provider failure) when none came.
    private func lease(_ provider: ProviderPool?, for endpoint: ProviderEndpoint) async throws(GatewayError) -> ConnectionSlots.Lease? {
        guard let providerSlots = provider?.slots else { return nil }
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
    @inline(never)
    func answer(
        endpoint: ProviderEndpoint, body: ByteBuffer, requestID: String, timeouts: GatewayConfig.Timeouts,
        decodeError: ErrorDecoder
    ) async throws(GatewayError) -> Answer {
        let provider = providers[endpoint.provider]
        let lease = try await lease(provider, for: endpoint)
        defer { lease?.release() }
        let http = try client(stream: false, timeouts: timeouts, provider: provider, slot: lease)
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
    ///
    /// The request is built and an error answer read in `@inline(never)` functions: this async frame is part
    /// of what a stream's task keeps (`ModelRequestHandler`).
    @inline(never)
    func stream(
        endpoint: ProviderEndpoint, body: ByteBuffer, requestID: String, timeouts: GatewayConfig.Timeouts,
        decodeError: ErrorDecoder
    ) async throws(GatewayError) -> UpstreamStream {
        let provider = providers[endpoint.provider]
        // Held by the stream from here on: given back when it is gone, whichever way it ends.
        let lease = try await lease(provider, for: endpoint)
        let http = try client(stream: true, timeouts: timeouts, provider: provider, slot: lease)
        let response: HTTPClientResponse
        do {
            // The head must come within `first_byte`; the read timeout (`idle`) bounds the silences after it.
            response = try await http.execute(
                Self.streamRequest(endpoint, body: body, requestID: requestID), deadline: Self.headDeadline(timeouts))
        } catch {
            throw Self.classify(error)
        }
        guard (200..<300).contains(response.status.code) else {
            throw await Self.failure(response, decodeError: decodeError)
        }
        return try await UpstreamStream.open(response, lease: lease)
    }

    @inline(never)
    private static func streamRequest(_ endpoint: ProviderEndpoint, body: ByteBuffer, requestID: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers = Self.headers(endpoint, requestID: requestID)
        request.body = .bytes(body)
        return request
    }

    @inline(never)
    private static func headDeadline(_ timeouts: GatewayConfig.Timeouts) -> NIODeadline {
        .now() + .nanoseconds(min(timeouts.firstByte, timeouts.total).nanoseconds)
    }

    /// A provider's error answer to a stream request, read (at most `maxErrorBody`) and decoded.
    @inline(never)
    private static func failure(_ response: HTTPClientResponse, decodeError: ErrorDecoder) async -> GatewayError {
        let errorBody = (try? await response.body.collect(upTo: Self.maxErrorBody)) ?? ByteBuffer()
        return decodeError(Int(response.status.code), response.headers.map { ($0.name, $0.value) }, Array(buffer: errorBody))
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
