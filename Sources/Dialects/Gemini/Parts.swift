import SwitchyardCore

/// Canonical content ⇄ Gemini `Part` objects, shared by requests (history) and responses (answers).
enum GeminiParts {
    /// Keys a Gemini `Part` may hold: a canonical `.other` part made only of these is passed through verbatim
    /// (code execution results, video metadata, … from a Gemini client); anything else is another dialect's.
    static let partKeys: Set<String> = [
        "text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult",
        "thought", "thoughtSignature", "videoMetadata", "mediaResolution", "partMetadata",
    ]

    // MARK: Content parts

    /// A user-side part (text or media). Throws `.invalidRequest` for what Gemini cannot take.
    static func encode(_ part: ContentPart, param: String) throws(GatewayError) -> JSONValue {
        switch part {
        case .text(let text):
            return ["text": .string(text)]
        case .image(let url, _):
            // OpenAI's `detail` hint has no per-part equivalent on the Developer API; it is not carried.
            if let inline = DataURI.inlineBytes(url) { return inlineData(inline) }
            if let uri = fileURI(url) { return fileData(uri: uri, mimeType: MediaType.guess(fromName: uri)) }
            throw GatewayError(
                .invalidRequest,
                "Gemini does not fetch image URLs: send the image as a base64 data: URI, or as a Gemini Files API, "
                    + "gs:// or YouTube URI.", param: param)
        case .audio(let data, let format):
            return inlineData(DataURI(mediaType: MediaType.audio(format: format), base64: data))
        case .file(let data, let fileId, let filename):
            if let data {
                if let inline = DataURI.inlineBytes(data) { return inlineData(inline) }
                // A bare base64 payload is usable when the file name says what it is.
                if let type = filename.flatMap(MediaType.guess(fromName:)) {
                    return inlineData(DataURI(mediaType: type, base64: data))
                }
                throw GatewayError(
                    .invalidRequest, "A file for Gemini must be a base64 data: URI or carry a file name with a known "
                        + "extension.", param: param)
            }
            if let fileId, let uri = fileURI(fileId) {
                return fileData(uri: uri, mimeType: filename.flatMap(MediaType.guess(fromName:)) ?? MediaType.guess(fromName: uri))
            }
            throw GatewayError(
                .invalidRequest,
                "Gemini cannot use file id '\(fileId ?? "")': send the file inline, or as a Gemini Files API or gs:// URI.",
                param: param)
        case .other(let raw):
            if let fields = raw.objectValue, !fields.isEmpty, fields.keys.allSatisfy(partKeys.contains) { return raw }
            let type = raw["type"]?.stringValue ?? "unknown"
            throw GatewayError(.invalidRequest, "Content parts of type '\(type)' are not supported by Gemini.", param: param)
        }
    }

    /// A non-function part from Gemini (user turns, and media or code parts of model turns).
    static func decode(_ part: JSONValue) -> ContentPart {
        if let text = part.field("text")?.stringValue { return .text(text) }
        if let inline = part.field("inlineData") {
            let type = inline.field("mimeType")?.stringValue ?? "application/octet-stream"
            let data = inline.field("data")?.stringValue ?? ""
            if type.hasPrefix("image/") { return .image(url: DataURI(mediaType: type, base64: data).uri, detail: nil) }
            if type.hasPrefix("audio/") { return .audio(data: data, format: MediaType.audioFormat(mimeType: type)) }
            return .file(data: DataURI(mediaType: type, base64: data).uri, fileId: nil, filename: inline.field("displayName")?.stringValue)
        }
        if let file = part.field("fileData"), let uri = file.field("fileUri")?.stringValue {
            // The media type is not kept: canonical parts have no slot for it, and `fileData.mimeType` is optional.
            if file.field("mimeType")?.stringValue?.hasPrefix("image/") == true { return .image(url: uri, detail: nil) }
            return .file(data: nil, fileId: uri, filename: file.field("displayName")?.stringValue)
        }
        return .other(part)
    }

    /// The URIs `fileData` accepts (gemini.md §2.1): Files API URIs (also as bare `files/…` names), YouTube URLs and
    /// Vertex `gs://` objects. Other web URLs would need downloading, which a pure codec cannot do.
    static func fileURI(_ reference: String) -> String? {
        let lowered = reference.lowercased()
        if lowered.hasPrefix("files/") {
            return "https://generativelanguage.googleapis.com/v1beta/\(reference)"
        }
        let accepted = [
            "gs://", "https://generativelanguage.googleapis.com/", "https://www.youtube.com/", "https://youtube.com/",
            "https://m.youtube.com/", "https://youtu.be/",
        ]
        return accepted.contains { lowered.hasPrefix($0) } ? reference : nil
    }

    private static func inlineData(_ uri: DataURI) -> JSONValue {
        ["inlineData": ["mimeType": .string(uri.mediaType), "data": .string(uri.payload)]]
    }

    private static func fileData(uri: String, mimeType: String?) -> JSONValue {
        var fields: [String: JSONValue] = ["fileUri": .string(uri)]
        if let mimeType { fields["mimeType"] = .string(mimeType) }
        return ["fileData": .object(fields)]
    }

    // MARK: Model turns

    /// Parts of a model turn, in Gemini's order: thought summaries, answer content, function calls. Reasoning
    /// blocks with text become `thought: true` parts with their signature; a signature with no text (one that
    /// rode on a non-thought part) goes back onto the last text part, or on an empty text part at the end —
    /// Gemini wants each signature on the part it came with (gemini.md §3). Redacted reasoning (another
    /// provider's opaque blob) means nothing to Gemini and is left out.
    static func encodeModelTurn(_ message: Message, param: String) throws(GatewayError) -> [JSONValue] {
        var parts: [[String: JSONValue]] = []
        var looseSignatures: [String] = []
        for block in message.reasoning {
            guard case .text(let text, let signature) = block else { continue }
            if text.isEmpty {
                if let signature { looseSignatures.append(signature) }
                continue
            }
            var part: [String: JSONValue] = ["text": .string(text), "thought": true]
            if let signature { part["thoughtSignature"] = .string(signature) }
            parts.append(part)
        }
        for (index, content) in message.content.enumerated() {
            guard let part = try encode(content, param: "\(param).content[\(index)]").objectValue else { continue }
            parts.append(part)
        }
        if message.content.isEmpty, let refusal = message.refusal, !refusal.isEmpty {
            parts.append(["text": .string(refusal)])
        }
        if !looseSignatures.isEmpty,
            let last = parts.lastIndex(where: { $0["text"] != nil && $0["thought"] == nil && $0["thoughtSignature"] == nil })
        {
            parts[last]["thoughtSignature"] = .string(looseSignatures.removeFirst())
        }
        for (index, call) in message.toolCalls.enumerated() {
            guard let args = argumentsObject(call.arguments) else {
                throw GatewayError(
                    .invalidRequest, "The arguments of tool call '\(call.id)' are not a JSON object; Gemini needs one.",
                    param: "\(param).tool_calls[\(index)].function.arguments")
            }
            parts.append(functionCallPart(call, args: args))
        }
        for signature in looseSignatures {
            parts.append(["text": "", "thoughtSignature": .string(signature)])
        }
        return parts.map(JSONValue.object)
    }

    /// One `functionCall` part. Its signature is the one the client echoed (`extra_content.google.thought_signature`
    /// or a Gemini client's own field) or else the one the call's id carries — what clients that send back only id,
    /// name and arguments still have; an explicit one wins, since the client may know better. Only the id
    /// proper, never the signature suffix, is sendable as `functionCall.id`.
    static func functionCallPart(_ call: ToolCall, args: JSONValue) -> [String: JSONValue] {
        let (base, carried) = GeminiToolCallID.split(call.id)
        var function: [String: JSONValue] = ["name": .string(call.name), "args": args]
        if GeminiToolCallID.isSendable(base) { function["id"] = .string(base) }
        var part: [String: JSONValue] = ["functionCall": .object(function)]
        let explicit = call.signature.flatMap { $0.isEmpty ? nil : $0 }
        if let signature = explicit ?? carried { part["thoughtSignature"] = .string(signature) }
        return part
    }

    /// Tool-call arguments as the object Gemini's `args` must be; empty text means no arguments.
    static func argumentsObject(_ arguments: String) -> JSONValue? {
        if arguments.allSatisfy(\.isWhitespace) { return [:] }
        guard let value = try? JSON.parse(arguments), value.objectValue != nil else { return nil }
        return value
    }

    /// A decoded model turn.
    struct ModelTurn {
        var content: [ContentPart] = []
        var reasoning: [ReasoningBlock] = []
        var toolCalls: [ToolCall] = []

        var message: Message {
            let allText = content.allSatisfy { if case .text = $0 { return true } else { return false } }
            var message = Message(role: .assistant, content: content, contentWasText: allText)
            message.reasoning = reasoning
            message.toolCalls = toolCalls
            return message
        }
    }

    /// Reads a model turn's parts. `callID(partIndex, callIndex, name, arguments)` names calls Gemini gave no id.
    /// A signature on a non-thought part becomes a text-less reasoning block, so the encoder can put it back on
    /// the answer's last text part; empty text parts (which exist only to carry a signature) add no content.
    /// With `idsCarrySignatures` (answers from Gemini) a signed call's id also carries its signature
    /// (`GeminiToolCallID`); a Gemini client's history keeps plain ids, since it sends signatures itself.
    static func decodeModelTurn(
        _ parts: [JSONValue], idsCarrySignatures: Bool = false, callID: (Int, Int, String, String) -> String
    ) -> ModelTurn {
        var turn = ModelTurn()
        for (partIndex, part) in parts.enumerated() {
            let signature = part.field("thoughtSignature")?.stringValue
            if let call = part.field("functionCall") {
                let name = call.field("name")?.stringValue ?? ""
                let arguments = JSON.encodeString(call.field("args").flatMap { $0.isNull ? nil : $0 } ?? [:])
                var id = call.field("id")?.stringValue ?? callID(partIndex, turn.toolCalls.count, name, arguments)
                if idsCarrySignatures { id = GeminiToolCallID.carrying(signature, in: id) }
                turn.toolCalls.append(ToolCall(id: id, name: name, arguments: arguments, signature: signature))
            } else if part.field("thought")?.boolValue == true {
                turn.reasoning.append(.text(part.field("text")?.stringValue ?? "", signature: signature))
            } else {
                var content = decode(part)
                if case .other(.object(var raw)) = content, signature != nil {
                    // The signature is kept once, as a reasoning block, not twice.
                    raw["thoughtSignature"] = nil
                    raw["thought_signature"] = nil
                    content = .other(.object(raw))
                }
                if content != .text("") { turn.content.append(content) }
                if let signature { turn.reasoning.append(.text("", signature: signature)) }
            }
        }
        return turn
    }
}
