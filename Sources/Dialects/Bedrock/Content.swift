import Foundation
import SwitchyardCore

/// Converse content blocks ⇄ canonical message parts. Shared by requests (`messages[]`) and responses
/// (`output.message`). Blocks the canonical model cannot express exactly (S3 sources, cache points, guard
/// content, citations, video, …) travel as `ContentPart.other` holding the Bedrock block verbatim.
enum BedrockContent {
    /// ContentBlock union members; an `.other` part holding exactly one of these is a Bedrock block and is sent
    /// as is. Anything else in `.other` came from another dialect and cannot be carried.
    static let blockMembers: Set<String> = [
        "text", "image", "document", "video", "audio", "toolUse", "toolResult", "reasoningContent", "cachePoint",
        "guardContent", "citationsContent", "searchResult",
    ]
    /// SystemContentBlock union members.
    static let systemMembers: Set<String> = ["text", "cachePoint", "guardContent"]

    // MARK: - Decoding

    /// The canonical messages for one Converse message. An assistant message is one message; a user message
    /// becomes `.tool` messages for its `toolResult` blocks and `.user` messages for the rest, in order.
    static func decodeMessage(_ raw: JSONValue, param: String) throws(GatewayError) -> [Message] {
        guard let blocks = raw["content"]?.arrayValue else {
            throw GatewayError(.invalidRequest, "\(param).content must be an array.", param: "\(param).content")
        }
        switch raw["role"]?.stringValue {
        case "assistant":
            return [try decodeAssistant(blocks, param: param)]
        case "user":
            var messages: [Message] = []
            var pending = Message(role: .user, content: [])
            for (index, block) in blocks.enumerated() {
                if let result = block["toolResult"] {
                    if !pending.content.isEmpty { messages.append(pending) }
                    pending = Message(role: .user, content: [])
                    messages.append(try decodeToolResult(result, param: "\(param).content[\(index)].toolResult"))
                } else {
                    pending.content.append(try decodePart(block, param: "\(param).content[\(index)]"))
                }
            }
            if !pending.content.isEmpty || messages.isEmpty { messages.append(pending) }
            return messages
        default:
            throw GatewayError(.invalidRequest, "\(param).role must be user or assistant.", param: "\(param).role")
        }
    }

    /// An assistant turn: reasoning, visible content and tool calls. Their interleaving is not kept (the
    /// canonical message holds them apart); encoding puts reasoning first and tool calls last, as models do.
    static func decodeAssistant(_ blocks: [JSONValue], param: String) throws(GatewayError) -> Message {
        var message = Message(role: .assistant, content: [])
        for (index, block) in blocks.enumerated() {
            let blockParam = "\(param).content[\(index)]"
            if let use = block["toolUse"] {
                guard let id = use["toolUseId"]?.stringValue, let name = use["name"]?.stringValue else {
                    throw GatewayError(
                        .invalidRequest, "\(blockParam).toolUse needs toolUseId and name.", param: blockParam)
                }
                message.toolCalls.append(
                    ToolCall(id: id, name: name, arguments: JSON.encodeString(use["input"] ?? .object([:]))))
            } else if let reasoning = block["reasoningContent"], let decoded = decodeReasoning(reasoning) {
                message.reasoning.append(decoded)
            } else {
                message.content.append(try decodePart(block, param: blockParam))
            }
        }
        message.contentWasText = message.content.count == 1 && textOf(message.content[0]) != nil
        return message
    }

    static func decodeReasoning(_ raw: JSONValue) -> ReasoningBlock? {
        if let text = raw["reasoningText"]?["text"]?.stringValue {
            return .text(text, signature: raw["reasoningText"]?["signature"]?.stringValue)
        }
        if let data = raw["redactedContent"]?.stringValue { return .redacted(data: data) }
        return nil
    }

    /// A `toolResult` as a canonical `.tool` message. `{json}` results become their JSON text, which is what
    /// every other dialect carries; encoding turns a JSON-object text back into `{json}`.
    static func decodeToolResult(_ raw: JSONValue, param: String) throws(GatewayError) -> Message {
        guard let id = raw["toolUseId"]?.stringValue else {
            throw GatewayError(.invalidRequest, "\(param).toolUseId is required.", param: param)
        }
        var parts: [ContentPart] = []
        for (index, item) in (raw["content"]?.arrayValue ?? []).enumerated() {
            if let json = item["json"] {
                parts.append(.text(JSON.encodeString(json)))
            } else {
                parts.append(try decodePart(item, param: "\(param).content[\(index)]"))
            }
        }
        var message = Message(role: .tool, content: parts)
        message.contentWasText = parts.count == 1 && textOf(parts[0]) != nil
        message.toolCallId = id
        switch raw["status"]?.stringValue {
        case "error": message.toolResultIsError = true
        case "success": message.toolResultIsError = false
        default: break
        }
        return message
    }

    /// One non-tool block. Only the shapes the canonical part can hold exactly are mapped; the rest is `.other`.
    static func decodePart(_ block: JSONValue, param: String) throws(GatewayError) -> ContentPart {
        guard let fields = block.objectValue, fields.count == 1, let entry = fields.first else {
            throw GatewayError(.invalidRequest, "\(param) must be an object with exactly one member.", param: param)
        }
        let body = entry.value
        switch entry.key {
        case "text":
            guard let text = body.stringValue else {
                throw GatewayError(.invalidRequest, "\(param).text must be a string.", param: param)
            }
            return .text(text)
        case "image":
            if case let (format, bytes)? = bytesSource(body, allowing: ["format", "source"]),
                let mime = MediaFormats.imageMIME(format)
            {
                return .image(url: "data:\(mime);base64,\(bytes)", detail: nil)
            }
        case "document":
            if case let (format, bytes)? = bytesSource(body, allowing: ["format", "source", "name"]),
                let mime = MediaFormats.documentMIME(format), let name = body["name"]?.stringValue
            {
                return .file(data: "data:\(mime);base64,\(bytes)", fileId: nil, filename: name)
            }
        case "audio":
            if case let (format, bytes)? = bytesSource(body, allowing: ["format", "source"]) {
                return .audio(data: bytes, format: format)
            }
        default:
            break
        }
        return .other(block)
    }

    /// `(format, base64)` when `body` is `{format, source: {bytes}}` with no members beyond `allowing`.
    private static func bytesSource(_ body: JSONValue, allowing: Set<String>) -> (String, String)? {
        guard let fields = body.objectValue, Set(fields.keys).isSubset(of: allowing),
            let format = fields["format"]?.stringValue, let source = fields["source"]?.objectValue,
            source.count == 1, let bytes = source["bytes"]?.stringValue
        else { return nil }
        return (format, bytes)
    }

    private static func textOf(_ part: ContentPart) -> String? {
        if case .text(let text) = part { return text }
        return nil
    }

    // MARK: - Encoding

    /// Numbers the documents of one request so unnamed ones get distinct names.
    struct DocumentNamer {
        var count = 0

        /// A name Bedrock accepts (letters, digits, single spaces, hyphens, parentheses, brackets), from the
        /// file name without its extension, or `document-N` when there is none.
        mutating func name(for filename: String?) -> String {
            count += 1
            var base = filename ?? ""
            if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
            var cleaned = ""
            for character in base {
                let allowed =
                    character.isASCII && (character.isLetter || character.isNumber || "-()[]".contains(character))
                if character.isWhitespace {
                    if !cleaned.hasSuffix(" ") { cleaned.append(" ") }
                } else {
                    cleaned.append(allowed ? character : "-")
                }
            }
            let trimmed = cleaned.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? "document-\(count)" : trimmed
        }
    }

    /// The Bedrock block for one canonical part, or nil for empty text (Bedrock rejects blank text blocks).
    static func encodePart(
        _ part: ContentPart, param: String, members: Set<String> = blockMembers, documents: inout DocumentNamer
    ) throws(GatewayError) -> JSONValue? {
        switch part {
        case .text(let text):
            return text.isEmpty ? nil : ["text": .string(text)]
        case .image(let url, _):
            guard let uri = DataURI.bytes(url) else {
                throw GatewayError(
                    .invalidRequest,
                    "Bedrock takes images as inline bytes only; the image URL '\(url.prefix(200))' must be sent as a base64 data: URI.",
                    param: param, code: "unsupported_image_url")
            }
            return try encodeImage(uri, param: param)
        case .audio(let data, let format):
            let bytes = DataURI.bytes(data)?.payload ?? data
            return ["audio": ["format": .string(format), "source": ["bytes": .string(bytes)]]]
        case .file(let data, let fileId, let filename):
            guard let data else {
                throw GatewayError(
                    .invalidRequest,
                    "Bedrock cannot read provider file ids (\(fileId ?? "none given")); send the file's bytes as a data: URI.",
                    param: param, code: "unsupported_file")
            }
            guard let uri = DataURI.bytes(data) else {
                throw GatewayError(
                    .invalidRequest, "File data must be a base64 data: URI to be sent to Bedrock.", param: param)
            }
            if MediaFormats.imageFormat(uri.mime) != nil { return try encodeImage(uri, param: param) }
            guard let format = MediaFormats.documentFormat(uri.mime) else {
                throw GatewayError(
                    .invalidRequest,
                    "Bedrock documents must be one of \(MediaFormats.documentList); '\(uri.mime)' is not supported.",
                    param: param, code: "unsupported_file")
            }
            return [
                "document": [
                    "format": .string(format), "name": .string(documents.name(for: filename)),
                    "source": ["bytes": .string(uri.payload)],
                ]
            ]
        case .other(let raw):
            if let fields = raw.objectValue, fields.count == 1, let member = fields.keys.first, members.contains(member) {
                return raw
            }
            let kind = raw["type"]?.stringValue ?? raw.objectValue?.keys.sorted().first ?? "unknown"
            throw GatewayError(
                .invalidRequest, "Content of type '\(kind)' cannot be sent to Bedrock.", param: param,
                code: "unsupported_content")
        }
    }

    private static func encodeImage(_ uri: DataURI, param: String) throws(GatewayError) -> JSONValue {
        guard let format = MediaFormats.imageFormat(uri.mime) else {
            throw GatewayError(
                .invalidRequest, "Bedrock images must be png, jpeg, gif or webp; '\(uri.mime)' is not supported.",
                param: param, code: "unsupported_image_format")
        }
        return ["image": ["format": .string(format), "source": ["bytes": .string(uri.payload)]]]
    }

    /// An assistant turn's blocks: reasoning, then content, then tool calls.
    /// - Parameter keepUnsignedReasoning: Anthropic models refuse reasoning without its signature (what an
    ///   OpenAI-dialect client echoes back as `reasoning_content`); other models may take it.
    static func encodeAssistant(
        _ message: Message, param: String, keepUnsignedReasoning: Bool, documents: inout DocumentNamer
    ) throws(GatewayError) -> [JSONValue] {
        var blocks: [JSONValue] = []
        for block in message.reasoning {
            switch block {
            case .text(let text, let signature):
                if let signature {
                    blocks.append(["reasoningContent": ["reasoningText": ["text": .string(text), "signature": .string(signature)]]])
                } else if keepUnsignedReasoning, !text.isEmpty {
                    blocks.append(["reasoningContent": ["reasoningText": ["text": .string(text)]]])
                }
            case .redacted(let data):
                blocks.append(["reasoningContent": ["redactedContent": .string(data)]])
            }
        }
        for (index, part) in message.content.enumerated() {
            if let block = try encodePart(part, param: "\(param).content[\(index)]", documents: &documents) {
                blocks.append(block)
            }
        }
        for (index, call) in message.toolCalls.enumerated() {
            blocks.append(["toolUse": [
                // Converse takes 1-64 characters of [A-Za-z0-9_-] (a Gemini-signed id would not fit).
                "toolUseId": .string(ToolCallIDFitting.fitted(call.id, maxLength: 64, restrictedCharacters: true)),
                "name": .string(call.name),
                "input": try toolInput(call, param: "\(param).tool_calls[\(index)]"),
            ]])
        }
        return blocks
    }

    /// A tool call's arguments as the object Bedrock wants; the empty string some clients send means `{}`.
    static func toolInput(_ call: ToolCall, param: String) throws(GatewayError) -> JSONValue {
        if call.arguments.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return .object([:]) }
        guard let input = try? JSON.parse(call.arguments), input.objectValue != nil else {
            throw GatewayError(
                .invalidRequest, "The arguments of tool call '\(call.id)' must be a JSON object to be sent to Bedrock.",
                param: param)
        }
        return input
    }

    /// A `.tool` message as a `toolResult` block. A result that is one JSON object goes as `{json}`, anything
    /// else as `{text}` blocks (bedrock.md §9).
    static func encodeToolResult(_ message: Message, param: String, documents: inout DocumentNamer) throws(GatewayError)
        -> JSONValue
    {
        guard let id = message.toolCallId else {
            throw GatewayError(.invalidRequest, "\(param).tool_call_id is required.", param: param)
        }
        var content: [JSONValue] = []
        if message.content.count == 1, case .text(let text) = message.content[0],
            let json = try? JSON.parse(text), json.objectValue != nil
        {
            content = [["json": json]]
        } else {
            for (index, part) in message.content.enumerated() {
                if let block = try encodePart(part, param: "\(param).content[\(index)]", documents: &documents) {
                    content.append(block)
                }
            }
        }
        var result: [String: JSONValue] = [
            "toolUseId": .string(ToolCallIDFitting.fitted(id, maxLength: 64, restrictedCharacters: true)),
            "content": .array(content),
        ]
        if let isError = message.toolResultIsError { result["status"] = isError ? "error" : "success" }
        return ["toolResult": .object(result)]
    }
}
