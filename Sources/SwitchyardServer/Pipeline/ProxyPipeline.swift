import Foundation
import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore

/// Sends an OpenAI-dialect request along its route plan: each deployment in turn, retrying and failing
/// over on the error classes the plan allows, until an answer starts. Once the first byte has gone to
/// the client the attempt is committed; later failures are reported in-stream.
struct ProxyPipeline: Sendable {
    let upstream: UpstreamClient
    let accounting: Accounting
    let logger: Logger

    /// Upper bound for a buffered (non-streaming) answer or an error body read from a provider.
    static let maxUpstreamBody = 64 * 1024 * 1024
    static let maxErrorBody = 1024 * 1024

    func run(
        _ request: PassthroughRequest, plan: RoutePlan, operation: UpstreamOperation, requestID: String,
        maxStreamDuration: Duration
    ) async -> Response {
        let started = ContinuousClock.now
        var lastError = GatewayError(.upstreamError, "No deployment could serve the model '\(plan.publicName)'.")
        var lastDeployment: Deployment?
        var attempts = 0
        deployments: for deployment in plan.deployments {
            guard deployment.provider.kind.isAvailable else {
                lastError = GatewayError(
                    .upstreamError,
                    "Provider kind '\(deployment.provider.kind.name)' is configured but this build cannot call it yet.")
                lastDeployment = deployment
                continue
            }
            for attempt in 1...max(1, plan.retry.attempts) {
                attempts += 1
                lastDeployment = deployment
                let endpoint = ProviderEndpoint(
                    provider: deployment.provider, model: deployment.upstreamModel, operation: operation)
                let body = request.upstreamBody(model: deployment.upstreamModel, allocator: ByteBufferAllocator())
                do {
                    let response = try await upstream.send(
                        endpoint: endpoint, body: body, requestID: requestID, stream: request.stream,
                        timeouts: deployment.timeouts)
                    let status = Int(response.status.code)
                    if (200..<300).contains(status) {
                        let context = AnswerContext(
                            request: request, plan: plan, deployment: deployment, requestID: requestID,
                            attempts: attempts, started: started, maxStreamDuration: maxStreamDuration)
                        if request.stream {
                            return streamAnswer(response, context: context)
                        }
                        return try await bufferedAnswer(response, context: context)
                    }
                    let errorBody =
                        (try? await response.body.collect(upTo: Self.maxErrorBody)) ?? ByteBuffer()
                    let retryAfter = response.headers.first(name: "retry-after")
                    lastError = sanitize(
                        errorBody.withUnsafeReadableBytes {
                            OpenAIErrors.decode(status: status, body: $0, retryAfter: retryAfter)
                        }, provider: deployment.provider)
                } catch {
                    lastError = sanitize(error, provider: deployment.provider)
                }
                logger.debug(
                    "attempt failed",
                    metadata: [
                        "request_id": .string(requestID), "deployment": .string(deployment.label),
                        "error": .string(lastError.description),
                    ])
                guard lastError.allowsFailover, plan.retry.on.contains(lastError.kind) else { break deployments }
                if !lastError.isTransient || attempt == plan.retry.attempts { continue deployments }
                try? await Task.sleep(for: backoff(attempt: attempt, retryAfter: lastError.retryAfter))
            }
        }
        var headers = HTTPFields()
        if let deployment = lastDeployment {
            headers[.switchyardProvider] = deployment.provider.name
            headers[.switchyardModel] = deployment.upstreamModel
            headers[.switchyardAttempts] = String(attempts)
        }
        return ErrorResponse.openAI(lastError, requestID: requestID, extraHeaders: headers)
    }

    /// Exponential backoff with full jitter, honouring a short `retry-after`; capped so a retry never
    /// costs the client more than a couple of seconds.
    func backoff(attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Double(retryAfter), seconds >= 0, seconds <= 2 {
            return .milliseconds(Int64(seconds * 1000))
        }
        let ceiling = min(2000.0, 100.0 * Double(1 << min(attempt, 5)))
        return .milliseconds(Int64(Double.random(in: 0...ceiling)))
    }

    /// Errors reach the client without provider secrets: an upstream auth failure never repeats the
    /// provider's message (which may quote part of the key), and any message is scrubbed of the key.
    func sanitize(_ error: any Error, provider: GatewayConfig.Provider) -> GatewayError {
        var error = UpstreamClient.classify(error)
        switch error.kind {
        case .upstreamAuthentication:
            error.message = "Provider '\(provider.name)' rejected the gateway's credentials (HTTP \(error.upstreamStatus ?? 401))."
        case .upstreamPermission:
            error.message = "Provider '\(provider.name)' refused access (HTTP \(error.upstreamStatus ?? 403))."
        default:
            if let key = provider.apiKey, key.count >= 4, error.message.contains(key) {
                error.message = error.message.replacingOccurrences(of: key, with: "***")
            }
        }
        return error
    }

    struct AnswerContext: Sendable {
        let request: PassthroughRequest
        let plan: RoutePlan
        let deployment: Deployment
        let requestID: String
        let attempts: Int
        let started: ContinuousClock.Instant
        let maxStreamDuration: Duration

        func headers(contentType: String?) -> HTTPFields {
            var headers = HTTPFields()
            headers[.contentType] = contentType ?? "application/json"
            headers[.requestID] = requestID
            headers[.switchyardProvider] = deployment.provider.name
            headers[.switchyardModel] = deployment.upstreamModel
            headers[.switchyardAttempts] = String(attempts)
            return headers
        }

        func record(usage: Usage?, estimatedFrom bytes: (input: Int, output: Int), outcome: UsageRecord.Outcome, status: Int)
            -> UsageRecord
        {
            let counted = usage ?? Usage(input: bytes.input / 4, output: bytes.output / 4)
            return UsageRecord(
                requestID: requestID, publicModel: plan.publicName, provider: deployment.provider.name,
                upstreamModel: deployment.upstreamModel, usage: counted, estimated: usage == nil,
                costUSD: deployment.price?.cost(of: counted), outcome: outcome, status: status,
                latencySeconds: (ContinuousClock.now - started).seconds)
        }
    }

    func bufferedAnswer(_ response: HTTPClientResponse, context: AnswerContext) async throws(GatewayError) -> Response {
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: Self.maxUpstreamBody)
        } catch {
            throw UpstreamClient.classify(error)
        }
        let usage: Usage? = body.withUnsafeReadableBytes { bytes in
            guard let fields = try? JSONScanner.topLevelFields(bytes),
                let field = fields.first(where: { $0.key == "usage" }),
                let json = try? JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
            else { return nil }
            return OpenAIUsage.decode(json, flavor: context.deployment.provider.kind.usageFlavor)
        }
        let record = context.record(
            usage: usage, estimatedFrom: (context.request.body.readableBytes, body.readableBytes), outcome: .completed,
            status: 200)
        accounting.record(record)
        var headers = context.headers(contentType: response.headers.first(name: "content-type"))
        if let cost = record.costUSD { headers[.switchyardCost] = Self.formatCost(cost) }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }

    static func formatCost(_ cost: Double) -> String {
        String(format: "%.8f", cost)
    }

    func streamAnswer(_ response: HTTPClientResponse, context: AnswerContext) -> Response {
        var headers = context.headers(contentType: "text/event-stream")
        headers[.cacheControl] = "no-cache"
        let accounting = self.accounting
        let flavor = context.deployment.provider.kind.usageFlavor
        let body = ResponseBody { writer in
            var relay = StreamRelay(stripUsageChunk: !context.request.clientWantsUsage, flavor: flavor)
            var outcome = UsageRecord.Outcome.completed
            let deadline = context.started + context.maxStreamDuration
            var out = ByteBuffer()
            var upstreamFailure: GatewayError?
            var clientGone = false
            do {
                for try await chunk in response.body {
                    out.clear()
                    relay.process(chunk, into: &out)
                    if out.readableBytes > 0 {
                        do {
                            try await writer.write(out)
                        } catch {
                            clientGone = true
                            break
                        }
                    }
                    if ContinuousClock.now > deadline {
                        upstreamFailure = GatewayError(.timeout, "The stream exceeded the maximum stream duration.")
                        break
                    }
                }
            } catch {
                upstreamFailure = UpstreamClient.classify(error)
            }
            if clientGone {
                // The client went away. Leaving the loop dropped the upstream body, which cancels the
                // provider request; the tokens used so far are still recorded below.
                outcome = .clientDisconnected
            } else {
                out.clear()
                relay.finish(into: &out)
                if upstreamFailure == nil, !relay.isComplete, !relay.sawError {
                    upstreamFailure = GatewayError(.upstreamError, "The provider closed the stream before it was complete.")
                }
                if let failure = upstreamFailure {
                    out.writeBytes(SSEWriter.event(JSON.encode(OpenAIErrors.body(for: failure))))
                }
                if upstreamFailure != nil || relay.sawError { outcome = .upstreamFailed }
                do {
                    if out.readableBytes > 0 { try await writer.write(out) }
                    try await writer.finish(nil)
                } catch {
                    outcome = .clientDisconnected
                }
            }
            accounting.record(
                context.record(
                    usage: relay.usage, estimatedFrom: (context.request.body.readableBytes, relay.relayedContentBytes),
                    outcome: outcome, status: 200))
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
