import NIOCore
import SwitchyardCore

/// An OpenAI-dialect request read just far enough to route it: the body stays bytes (DESIGN.md
/// "Passthrough fast path"), only `model`, `stream` and `stream_options` are located.
struct PassthroughRequest: Sendable {
    let body: ByteBuffer
    let model: String
    let stream: Bool
    /// The client asked for the usage chunk itself.
    let clientWantsUsage: Bool
    /// `max_completion_tokens`, else `max_tokens`, when the client set one (budgets reserve by it).
    let maxOutputTokens: Int?
    private let modelRange: Range<Int>
    private let streamOptionsRange: Range<Int>?
    /// Where the client's `max_completion_tokens` / `max_tokens` value is, when it set one.
    private let outputLimitRange: Range<Int>?
    /// The top-level keys the body must hold (kept to re-read a rewritten body).
    private let required: [String]

    /// Reads the fields; `required` names top-level keys that must be present (e.g. `messages`).
    init(body: ByteBuffer, required: [String]) throws(GatewayError) {
        self.body = body
        self.required = required
        let located: (fields: [JSONScanner.Field], model: String?)
        do {
            located = try body.withUnsafeReadableBytes { bytes throws(JSONScanner.SyntaxError) in
                let fields = try JSONScanner.topLevelFields(bytes)
                let model = fields.first { $0.key == "model" }.flatMap { JSONScanner.decodeString(bytes, $0.value) }
                return (fields, model)
            }
        } catch {
            throw GatewayError(
                .invalidRequest, "We could not parse the JSON body of your request (\(error)).", code: "invalid_json")
        }
        let fields = located.fields
        guard let modelField = fields.first(where: { $0.key == "model" }) else {
            throw GatewayError(.invalidRequest, "You must provide a model parameter.", param: "model")
        }
        guard let model = located.model, !model.isEmpty else {
            throw GatewayError(.invalidRequest, "The model parameter must be a non-empty string.", param: "model")
        }
        for key in required where !fields.contains(where: { $0.key == key }) {
            throw GatewayError(.invalidRequest, "'\(key)' is a required property.", param: key)
        }
        self.model = model
        modelRange = modelField.value
        let streamField = fields.first { $0.key == "stream" }
        let optionsField = fields.first { $0.key == "stream_options" }
        let limitField = fields.first { $0.key == "max_completion_tokens" } ?? fields.first { $0.key == "max_tokens" }
        var stream = false
        var wantsUsage = false
        var limit: Int?
        body.withUnsafeReadableBytes { bytes in
            if let streamField { stream = JSONScanner.isTrue(bytes, streamField.value) }
            if let limitField { limit = JSONScanner.intValue(bytes, limitField.value).map { max(0, $0) } }
            if let optionsField, !JSONScanner.isNull(bytes, optionsField.value),
                let options = try? JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[optionsField.value]))
            {
                wantsUsage = options["include_usage"]?.boolValue ?? false
            }
        }
        self.stream = stream
        maxOutputTokens = limit
        outputLimitRange = limitField?.value
        clientWantsUsage = wantsUsage
        streamOptionsRange = optionsField?.value
    }

    /// The body to send upstream: `model` replaced, and for streams `stream_options.include_usage` set so
    /// the gateway can price the answer. Every other byte is the client's.
    /// - Parameter requestUsage: add OpenAI's `stream_options.include_usage` (OpenAI dialect only).
    func upstreamBody(model upstreamModel: String, allocator: ByteBufferAllocator, requestUsage: Bool = true) -> ByteBuffer {
        let quotedModel = JSON.quote(upstreamModel)
        let needsUsage = requestUsage && stream && !clientWantsUsage
        var out = allocator.buffer(capacity: body.readableBytes + quotedModel.utf8.count + 48)
        body.withUnsafeReadableBytes { bytes in
            // Splice points in order: model value, and stream_options (replace, or insert before the closing brace).
            var edits: [(range: Range<Int>, replacement: String)] = [(modelRange, quotedModel)]
            if needsUsage {
                if let options = streamOptionsRange {
                    var merged = (try? JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[options])))?.objectValue ?? [:]
                    merged["include_usage"] = true
                    edits.append((options, JSON.encodeString(.object(merged))))
                } else if let close = Self.closingBrace(bytes) {
                    edits.append((close..<close, ",\"stream_options\":{\"include_usage\":true}"))
                }
            }
            edits.sort { $0.range.lowerBound < $1.range.lowerBound }
            var cursor = 0
            for edit in edits {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[cursor..<edit.range.lowerBound]))
                out.writeString(edit.replacement)
                cursor = edit.range.upperBound
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[cursor...]))
        }
        return out
    }

    /// The same request with its output limit set to `limit`: the client's field rewritten in place, or
    /// `field` added when it set none (`fit_max_tokens`: the budget affords only a shorter answer).
    func limitingOutput(to limit: Int, field: String) -> PassthroughRequest {
        var out = ByteBufferAllocator().buffer(capacity: body.readableBytes + field.utf8.count + 16)
        body.withUnsafeReadableBytes { bytes in
            if let range = outputLimitRange {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[..<range.lowerBound]))
                out.writeString(String(limit))
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[range.upperBound...]))
            } else if let close = Self.closingBrace(bytes) {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[..<close]))
                out.writeString(",\(JSON.quote(field)):\(limit)")
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[close...]))
            }
        }
        // The rewritten body holds everything the original did, so it parses as the original did.
        return (try? PassthroughRequest(body: out, required: required)) ?? self
    }

    /// Index of the top-level object's closing brace (the last `}` in a validated document).
    private static func closingBrace(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = bytes.count - 1
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "}") { return index }
            index -= 1
        }
        return nil
    }
}
