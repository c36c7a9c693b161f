import DialectAnthropic
import DialectOpenAI
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardConfig
import SwitchyardCore
import SwitchyardProviders
import SwitchyardRouting

/// The request handlers: authentication, limits, routing and the OpenAI-dialect endpoints.
/// Everything here is immutable after start, so requests share it without locks.
public struct Gateway: Sendable {
    public let config: GatewayConfig
    public let router: ModelRouter
    public let accounting: Accounting
    let attempts: AttemptLoop
    let passthrough: OpenAIPassthrough
    let translated: TranslatedAttempt
    let nativePassthrough: NativePassthrough
    let upstream: UpstreamClient
    /// Who a request is from (the master key today; virtual keys next).
    let authenticator: any Authenticator
    /// Per provider name: its credentials, ready to mask (not rebuilt for every answer).
    let scrubbers: [String: SecretScrubber]
    let modelsBody: ByteBuffer
    let logger: Logger

    public init(config: GatewayConfig, catalog: Catalog, logger: Logger) throws(ConfigError) {
        guard let key = config.server.masterKey, !key.isEmpty else {
            throw ConfigError(path: "server.master_key", line: nil, message: "a master key is required")
        }
        self.config = config
        self.router = try ModelRouter(config: config, catalog: catalog)
        self.logger = logger
        self.authenticator = MasterKeyAuthenticator(masterKey: Array(key.utf8))
        self.scrubbers = Dictionary(
            config.providers.map { ($0.name, SecretScrubber(provider: $0)) }, uniquingKeysWith: { first, _ in first })
        // Every timeout combination a deployment can have (global, per provider, per model): `connect` and
        // the read timeouts are per pooled client, so each combination gets one.
        var profiles: Set<UpstreamClient.Profile> = []
        let combinations = [config.timeouts] + config.providers.map { config.timeouts.applying($0.timeouts) }
            + config.models.flatMap { model in
                config.providers.map { config.timeouts.applying($0.timeouts).applying(model.timeouts) }
            }
        for timeouts in combinations {
            profiles.insert(UpstreamClient.Profile(stream: true, timeouts: timeouts))
            profiles.insert(UpstreamClient.Profile(stream: false, timeouts: timeouts))
        }
        self.upstream = UpstreamClient(
            profiles: profiles, providers: config.providers, maxQueueWait: config.limits.maxQueueWait)
        self.accounting = Accounting(logger: logger)
        self.attempts = AttemptLoop(logger: logger)
        self.passthrough = OpenAIPassthrough(upstream: upstream, accounting: accounting)
        self.translated = TranslatedAttempt(upstream: upstream, accounting: accounting)
        self.nativePassthrough = NativePassthrough(upstream: upstream, accounting: accounting)
        let listed = router.listedModels().map { model -> JSONValue in
            ["id": .string(model.id), "object": "model", "created": 0, "owned_by": .string(model.ownedBy)]
        }
        modelsBody = ByteBuffer(bytes: JSON.encode(["object": "list", "data": .array(listed)]))
    }

    /// Closes upstream connections; call after the server stopped.
    public func shutdown() async {
        await upstream.shutdown()
    }

    // MARK: - Routes

    /// Requests in flight to a provider, counted against its `max_connections`.
    public func upstreamSlotsInUse(provider: String) -> Int? { upstream.slotsInUse(provider: provider) }

    func buildRouter() -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router(context: BasicRequestContext.self)
        router.add(middleware: RequestIDMiddleware())
        router.get("/health") { _, _ in Self.json(#"{"status":"ok"}"#) }
        router.get("/ready") { _, _ in
            Self.json(#"{"status":"ready","providers":\#(config.providers.count)}"#)
        }
        router.get("/v1/models") { request, _ in
            let requestID = RequestID.resolve(request.headers[.requestID])
            if case .failure(let error) = authenticator.authenticate(Self.bearerCredential(request)) {
                return ErrorResponse.openAI(error, requestID: requestID)
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            headers[.requestID] = requestID
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: modelsBody))
        }
        router.post("/v1/chat/completions") { request, _ in
            await proxy(request, operation: .chatCompletions, required: ["messages"])
        }
        router.post("/v1/completions") { request, _ in
            await proxy(request, operation: .completions, required: ["prompt"])
        }
        router.post("/v1/embeddings") { request, _ in
            await proxy(request, operation: .embeddings, required: ["input"])
        }
        router.post("/v1/messages") { request, _ in
            await messages(request, countTokens: false)
        }
        router.post("/v1/messages/count_tokens") { request, _ in
            await messages(request, countTokens: true)
        }
        return router
    }

    static func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The credential of an OpenAI-dialect request: `Authorization: Bearer <key>`.
    static func bearerCredential(_ request: Request) -> [UInt8]? {
        guard let header = request.headers[.authorization] else { return nil }
        let prefix = "Bearer "
        return header.hasPrefix(prefix) ? Array(header.utf8.dropFirst(prefix.utf8.count)) : []
    }

    /// Anthropic clients send the key as `x-api-key` (older SDKs) or `Authorization: Bearer` (newer ones).
    static func anthropicCredential(_ request: Request) -> [UInt8]? {
        request.headers[.xAPIKey].map { Array($0.utf8) } ?? bearerCredential(request)
    }

    /// A request that passed the checks every endpoint shares: id, header size, key and body size.
    struct Accepted {
        let requestID: String
        let identity: Identity
        let body: ByteBuffer
    }

    enum Acceptance {
        case accepted(Accepted)
        case rejected(Response)
    }

    /// Checks and reads a request; on failure the answer is the error in `errorResponse`'s dialect.
    func accept(
        _ request: Request, errorResponse: (GatewayError, String) -> Response,
        credential: (Request) -> [UInt8]?
    ) async -> Acceptance {
        let requestID = RequestID.resolve(request.headers[.requestID])
        var headerBytes = 0
        for field in request.headers { headerBytes += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        if headerBytes > config.limits.maxHeaderBytes {
            return .rejected(
                errorResponse(
                    GatewayError(.requestTooLarge, "The request headers exceed \(config.limits.maxHeaderBytes) bytes."),
                    requestID))
        }
        let identity: Identity
        switch authenticator.authenticate(credential(request)) {
        case .success(let who): identity = who
        case .failure(let error): return .rejected(errorResponse(error, requestID))
        }
        let limit = config.limits.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return .rejected(errorResponse(tooLarge(limit), requestID))
        }
        do {
            return .accepted(
                Accepted(requestID: requestID, identity: identity, body: try await request.body.collect(upTo: limit)))
        } catch {
            return .rejected(errorResponse(tooLarge(limit), requestID))
        }
    }

    func answerContext(
        plan: RoutePlan, deployment: Deployment, requestID: String, attempts: Int, started: ContinuousClock.Instant,
        requestBytes: Int
    ) -> AnswerContext {
        AnswerContext(
            plan: plan, deployment: deployment, requestID: requestID, attempts: attempts, started: started,
            maxStreamDuration: config.limits.maxStreamDuration, requestBytes: requestBytes,
            scrubber: scrubbers[deployment.provider.name] ?? SecretScrubber(provider: deployment.provider))
    }

    /// A request that passed the shared checks, located its model and has a route plan.
    struct Admitted {
        let accepted: Accepted
        let parsed: PassthroughRequest
        let plan: RoutePlan
        let started: ContinuousClock.Instant
    }

    enum Admission {
        case admitted(Admitted)
        case rejected(Response)
    }

    /// Everything every model endpoint does before the first attempt: checks, body, model, plan.
    func admit(
        _ request: Request, required: [String], errorResponse: (GatewayError, String) -> Response,
        credential: (Request) -> [UInt8]?,
        check: (PassthroughRequest) throws(GatewayError) -> Void = { _ in }
    ) async -> Admission {
        let started = ContinuousClock.now
        let accepted: Accepted
        switch await accept(request, errorResponse: errorResponse, credential: credential) {
        case .accepted(let value): accepted = value
        case .rejected(let response): return .rejected(response)
        }
        do throws(GatewayError) {
            let parsed = try PassthroughRequest(body: accepted.body, required: required)
            try check(parsed)
            var generator = SystemRandomNumberGenerator()
            let plan = try router.plan(model: parsed.model, using: &generator)
            return .admitted(Admitted(accepted: accepted, parsed: parsed, plan: plan, started: started))
        } catch {
            return .rejected(errorResponse(error, accepted.requestID))
        }
    }

    /// The OpenAI-dialect endpoints: passthrough to OpenAI-dialect providers, translation to the others.
    func proxy(_ request: Request, operation: ProviderOperation, required: [String]) async -> Response {
        let admitted: Admitted
        switch await admit(
            request, required: required, errorResponse: { ErrorResponse.openAI($0, requestID: $1) },
            credential: Self.bearerCredential,
            check: { parsed throws(GatewayError) in
                if parsed.stream, operation == .embeddings {
                    throw GatewayError(.invalidRequest, "Embeddings cannot be streamed.", param: "stream")
                }
            })
        {
        case .admitted(let value): admitted = value
        case .rejected(let response): return response
        }
        let (accepted, parsed, plan, started) = (admitted.accepted, admitted.parsed, admitted.plan, admitted.started)
        let requestID = accepted.requestID
        // Decoded only if a deployment of another dialect is tried.
        var canonical: ChatRequest?
        return await attempts.run(
            plan: plan, requestID: requestID,
            failure: { ErrorResponse.openAI($0, requestID: requestID, extraHeaders: $1) }
        ) { deployment, attemptCount throws(GatewayError) in
            let context = answerContext(
                plan: plan, deployment: deployment, requestID: requestID, attempts: attemptCount, started: started,
                requestBytes: accepted.body.readableBytes)
            if deployment.adapter.dialect == .openai {
                return try await passthrough.attempt(parsed, operation: operation, context: context)
            }
            guard operation == .chatCompletions else {
                throw GatewayError(
                    .invalidRequest,
                    "Provider '\(deployment.provider.name)' (\(deployment.provider.kind.name)) does not serve this endpoint.")
            }
            let decoded: ChatRequest
            if let canonical {
                decoded = canonical
            } else {
                decoded = try accepted.body.withUnsafeReadableBytes { bytes throws(GatewayError) in
                    try OpenAIRequest.decode(bytes)
                }
                canonical = decoded
            }
            return try await translated.attempt(decoded, inbound: OpenAIInbound(), context: context)
        }
    }

    /// `POST /v1/messages` (and `count_tokens`): Anthropic clients, any provider. Anthropic providers get
    /// the client's bytes (same dialect); the others get a translation, and the answer comes back as an
    /// Anthropic message or event stream.
    func messages(_ request: Request, countTokens: Bool) async -> Response {
        let admitted: Admitted
        switch await admit(
            request, required: ["messages"], errorResponse: { AnthropicInbound.error($0, requestID: $1) },
            credential: Self.anthropicCredential)
        {
        case .admitted(let value): admitted = value
        case .rejected(let response): return response
        }
        let (accepted, parsed, plan, started) = (admitted.accepted, admitted.parsed, admitted.plan, admitted.started)
        let requestID = accepted.requestID
        // Headers an Anthropic client sends that an Anthropic provider must see too.
        var forwarded: [(String, String)] = [
            ("anthropic-version", request.headers[.anthropicVersion] ?? AnthropicCodec.apiVersion)
        ]
        if let beta = request.headers[.anthropicBeta] { forwarded.append(("anthropic-beta", beta)) }
        let forwardedHeaders = forwarded
        var canonical: ChatRequest?
        return await attempts.run(
            plan: plan, requestID: requestID,
            failure: { AnthropicInbound.error($0, requestID: requestID, extraHeaders: $1) }
        ) { deployment, attemptCount throws(GatewayError) in
            let context = answerContext(
                plan: plan, deployment: deployment, requestID: requestID, attempts: attemptCount, started: started,
                requestBytes: accepted.body.readableBytes)
            let codec = deployment.adapter.codec(maxOutputTokens: deployment.maxOutputTokens)
            if deployment.adapter.dialect == .anthropic {
                return try await nativePassthrough.attempt(
                    parsed, operation: countTokens ? .countTokens : .messages,
                    headers: forwardedHeaders, codec: codec, streamError: { AnthropicErrors.streamEvent(for: $0) },
                    context: context)
            }
            if countTokens {
                throw GatewayError(
                    .invalidRequest,
                    "Token counting is only available for Anthropic models; '\(plan.publicName)' is served by \(deployment.provider.kind.name).")
            }
            let decoded: ChatRequest
            if let canonical {
                decoded = canonical
            } else {
                decoded = try accepted.body.withUnsafeReadableBytes { bytes throws(GatewayError) in
                    try AnthropicRequest.decode(bytes)
                }
                canonical = decoded
            }
            return try await translated.attempt(decoded, inbound: AnthropicInbound(), context: context)
        }
    }

    func tooLarge(_ limit: Int) -> GatewayError {
        GatewayError(.requestTooLarge, "The request body exceeds the limit of \(limit) bytes.", param: nil)
    }
}
