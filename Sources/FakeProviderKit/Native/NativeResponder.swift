#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers the native dialects — Anthropic, Gemini, Bedrock, Cohere — once `FakeProviderResponder`
/// has recorded the request and applied `latency` and `hang`: checks the key the dialect's way
/// (`admit`), produces the knob-requested error, or hands the body to the dialect's endpoint
/// (the `extension NativeResponder` in each dialect folder).
struct NativeResponder {
    let provider: FakeProvider
    let knobs: Knobs
    let endpoint: Endpoint
    let requestID: String
    /// Request header names lower-cased, repeated ones joined with `", "`.
    let headers: [String: String]
    /// Installed when `hang_after` is set: the stall ends when the client leaves.
    let departure: ClientDepartureWatcher.Wait?

    init(route: Route, requestID: String, headers: [String: String], departure: ClientDepartureWatcher.Wait?) {
        self.provider = route.provider
        self.knobs = route.knobs
        self.endpoint = route.endpoint
        self.requestID = requestID
        self.headers = headers
        self.departure = departure
    }

    /// The `anthropic-version` header, checked present by `admit`.
    var anthropicVersion: String? { self.headers["anthropic-version"] }

    var dialect: FakeProvider.Dialect { self.provider.dialect }

    // MARK: Admission

    /// The dialect's key check (and Anthropic's `anthropic-version` requirement); nil admits.
    ///
    /// - Parameter head: the request head as received (Bedrock's SigV4 check needs the raw path and `Host`).
    func admit(head: HTTPRequest, body: ByteBuffer) -> Response? {
        let headers = self.headers
        let required = self.knobs.requiredKey
        switch self.dialect {
        case .anthropic:
            // Both spellings are in use (SDKs ≥ 2.0 send Bearer); the API prefers x-api-key.
            let key = Self.nonEmpty(headers["x-api-key"]) ?? Self.bearerToken(headers["authorization"])
            guard let key else {
                return self.error(AnthropicErrors.generic(status: 401, message: "x-api-key header is required"))
            }
            if let required, key != required {
                return self.error(AnthropicErrors.generic(status: 401, message: "invalid x-api-key"))
            }
            guard Self.nonEmpty(headers["anthropic-version"]) != nil else {
                return self.error(AnthropicErrors.generic(status: 400, message: "anthropic-version: header is required"))
            }
            return nil
        case .gemini:
            // `?key=` works too (and is recorded in the log's path, where tests can see it).
            let key = Self.nonEmpty(headers["x-goog-api-key"]) ?? Self.queryKey(head.path)
            guard let key else {
                return self.error(GeminiErrors.fixtures.first { $0.name == "permission_denied" })
            }
            if let required, key != required {
                return self.error(GeminiErrors.fixtures.first { $0.name == "api_key_invalid" })
            }
            return nil
        case .bedrock:
            return self.admitBedrock(head: head, body: body)
        case .cohere:
            guard let key = Self.bearerToken(headers["authorization"]) else {
                return self.error(NativeErrorFixture(name: "auth", status: 401, message: "no api key supplied"))
            }
            if let required, key != required {
                return self.error(NativeErrorFixture(name: "auth", status: 401, message: "invalid api token"))
            }
            return nil
        case .openAI:
            return nil
        }
    }

    /// The token of `Authorization: Bearer <token>`, nil when absent or empty.
    static func bearerToken(_ value: String?) -> String? {
        guard let value, value.count > 7, value.prefix(7).lowercased() == "bearer " else { return nil }
        return Self.nonEmpty(String(value.dropFirst(7)).filter { $0 != " " })
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func queryKey(_ path: String?) -> String? {
        guard let path, let question = path.firstIndex(of: "?") else { return nil }
        for pair in path[path.index(after: question)...].split(separator: "&") where pair.hasPrefix("key=") {
            return PercentEncoding.decode(pair.dropFirst(4)).flatMap(Self.nonEmpty)
        }
        return nil
    }

    // MARK: Dispatch

    func requestedError() -> Response {
        Self.response(
            NativeErrors.requested(by: self.knobs, dialect: self.dialect, requestID: self.requestID),
            provider: self.provider,
            requestID: self.requestID
        )
    }

    func respond(body: ByteBuffer, random: inout RandomIDs) -> Response {
        switch self.endpoint {
        case .anthropicMessages: return self.anthropicMessages(body: body, random: &random)
        case .anthropicCountTokens: return self.anthropicCountTokens(body: body)
        case .anthropicModels: return self.json(ByteBuffer(staticString: AnthropicEncoder.modelsList), extra: AnthropicEncoder.answerHeaders())
        case .geminiGenerate(let model, let stream): return self.geminiGenerate(model: model, stream: stream, body: body, random: &random)
        case .geminiModels: return self.json(ByteBuffer(staticString: GeminiEncoder.modelsList))
        case .bedrockConverse(let modelID, let stream): return self.bedrockConverse(modelID: modelID, stream: stream, body: body, random: &random)
        case .cohereChat: return self.cohereChat(body: body, random: &random)
        case .chatCompletions, .completions, .embeddings, .models:
            // `Route` never gives OpenAI paths to native providers.
            return self.error(NativeErrors.generic(dialect: self.dialect, status: 404))
        }
    }

    // MARK: Responses

    /// JSON content type per dialect: Google adds a charset.
    static func jsonContentType(_ dialect: FakeProvider.Dialect) -> String {
        dialect == .gemini ? "application/json; charset=UTF-8" : "application/json"
    }

    static func response(_ answer: ErrorAnswer, provider: FakeProvider, requestID: String) -> Response {
        Response(
            status: .init(code: answer.status),
            headers: ResponseHeaders.make(
                provider: provider,
                contentType: Self.jsonContentType(provider.dialect),
                requestID: requestID,
                extra: answer.headers
            ),
            body: .init(byteBuffer: answer.body)
        )
    }

    func error(_ fixture: NativeErrorFixture?) -> Response {
        let fixture = fixture ?? NativeErrors.generic(dialect: self.dialect, status: 500)
        return Self.response(
            NativeErrors.answer(fixture, dialect: self.dialect, requestID: self.requestID),
            provider: self.provider,
            requestID: self.requestID
        )
    }

    /// 400 in the dialect's shape.
    func invalid(_ message: String) -> Response {
        Self.response(
            NativeErrors.invalidRequest(dialect: self.dialect, message: message, requestID: self.requestID),
            provider: self.provider,
            requestID: self.requestID
        )
    }

    func json(_ body: ByteBuffer, extra: [(name: String, value: String)] = []) -> Response {
        Response(
            status: .ok,
            headers: ResponseHeaders.make(
                provider: self.provider,
                contentType: Self.jsonContentType(self.dialect),
                requestID: self.requestID,
                extra: extra
            ),
            body: .init(byteBuffer: body)
        )
    }

    /// A stream of precomputed events (or frames) under the stream knobs; no `[DONE]`.
    func stream(
        _ events: [ByteBuffer],
        contentType: String,
        midstreamError: ByteBuffer?,
        terminator: ByteBuffer? = nil,
        extra: [(name: String, value: String)] = []
    ) -> Response {
        let body = SSEBody(
            preamble: nil,
            events: events,
            midstreamError: midstreamError.map { ($0, terminator != nil) },
            knobs: self.knobs,
            departure: self.departure,
            terminator: terminator
        )
        return Response(
            status: .ok,
            headers: ResponseHeaders.make(provider: self.provider, contentType: contentType, requestID: self.requestID, extra: extra),
            body: body.responseBody()
        )
    }

    /// Decodes the body, or answers 400 in the dialect's shape with its wording for bad JSON.
    func decode<Body: Decodable>(_ type: Body.Type, _ body: ByteBuffer) -> Result<Body, ResponseFailure> {
        do {
            return .success(try JSONDecoder().decode(Body.self, from: Data(body.readableBytesView)))
        } catch {
            let message: String
            switch self.dialect {
            case .anthropic: message = "There was an error parsing the body of your request: \(error)"
            case .gemini: message = "Invalid JSON payload received. \(error)"
            case .bedrock: message = "Malformed input request, please reformat your input and try again."
            case .cohere, .openAI: message = "invalid request: could not parse the JSON body: \(error)"
            }
            return .failure(ResponseFailure(response: self.invalid(message)))
        }
    }
}
