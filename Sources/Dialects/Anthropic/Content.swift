import Foundation
import SwitchyardCore

/// Anthropic content blocks ⇄ canonical parts, reasoning blocks and tool calls; shared by requests (user,
/// assistant, system and tool_result content) and responses.
enum AnthropicContent {
    // MARK: - Decoding

    /// The canonical part for a `text`, `image` or `document` block, plus the block's fields the part cannot hold
    /// (`cache_control`, `citations`, a document's `context`). Unknown block types come back as `.other`.
    static func decodePart(_ block: JSONValue, param: String) throws(GatewayError) -> (ContentPart, [String: JSONValue]) {
        guard let fields = block.objectValue, let type = fields["type"]?.stringValue else {
            throw GatewayError(.invalidRequest, "\(param) must be a content block with a type.", param: param)
        }
        switch type {
        case "text":
            guard let text = fields["text"]?.stringValue else {
                throw GatewayError(.invalidRequest, "\(param).text must be a string.", param: param)
            }
            return (.text(text), leftovers(fields, known: ["type", "text"]))
        case "image":
            let source = fields["source"]
            switch source?["type"]?.stringValue {
            case "base64":
                guard let data = source?["data"]?.stringValue, let mediaType = source?["media_type"]?.stringValue else {
                    throw GatewayError(
                        .invalidRequest, "\(param).source needs media_type and data.", param: "\(param).source")
                }
                return (.image(url: "data:\(mediaType);base64,\(data)", detail: nil), leftovers(fields, known: ["type", "source"]))
            case "url":
                guard let url = source?["url"]?.stringValue else {
                    throw GatewayError(.invalidRequest, "\(param).source.url is required.", param: "\(param).source")
                }
                return (.image(url: url, detail: nil), leftovers(fields, known: ["type", "source"]))
            default:
                // Files-API images (`{"type":"file","file_id":…}`) have no canonical form; same-dialect only.
                return (.other(block), [:])
            }
        case "document":
            return decodeDocument(block, fields: fields)
        default:
            return (.other(block), [:])
        }
    }

    /// Documents become `.file` parts where the source is inline or a file id (the title travels as the file
    /// name); URL and content-list sources stay verbatim.
    private static func decodeDocument(_ block: JSONValue, fields: [String: JSONValue]) -> (ContentPart, [String: JSONValue]) {
        let source = fields["source"]
        let title = fields["title"]?.stringValue
        let extras = leftovers(fields, known: ["type", "source", "title"])
        switch source?["type"]?.stringValue {
        case "base64":
            guard let data = source?["data"]?.stringValue else { return (.other(block), [:]) }
            let mediaType = source?["media_type"]?.stringValue ?? "application/pdf"
            return (.file(data: "data:\(mediaType);base64,\(data)", fileId: nil, filename: title), extras)
        case "text":
            // Plain-text sources become a base64 data URI so every dialect can carry them as a file.
            guard let text = source?["data"]?.stringValue else { return (.other(block), [:]) }
            let mediaType = source?["media_type"]?.stringValue ?? "text/plain"
            let encoded = Data(text.utf8).base64EncodedString()
            return (.file(data: "data:\(mediaType);base64,\(encoded)", fileId: nil, filename: title), extras)
        case "file":
            guard let id = source?["file_id"]?.stringValue else { return (.other(block), [:]) }
            return (.file(data: nil, fileId: id, filename: title), extras)
        default:
            return (.other(block), [:])
        }
    }

    /// An assistant turn's blocks (request history or response): text and media into `content`, thinking into
    /// `reasoning` in order, `tool_use` into `toolCalls`. Block fields the canonical types lack are kept in the
    /// message's `BlockFields` so a same-dialect re-encode restores them.
    static func decodeAssistant(_ blocks: [JSONValue], into message: inout Message, param: String) throws(GatewayError) {
        for (index, block) in blocks.enumerated() {
            let blockParam = "\(param)[\(index)]"
            guard let fields = block.objectValue else {
                throw GatewayError(.invalidRequest, "\(blockParam) must be an object.", param: blockParam)
            }
            switch fields["type"]?.stringValue {
            case "thinking":
                let signature = fields["signature"]?.stringValue ?? ""
                // An empty signature is how a gateway marks thinking it cannot replay (mapping.md §5).
                message.reasoning.append(
                    .text(fields["thinking"]?.stringValue ?? "", signature: signature.isEmpty ? nil : signature))
            case "redacted_thinking":
                message.reasoning.append(.redacted(data: fields["data"]?.stringValue ?? ""))
            case "tool_use":
                guard let id = fields["id"]?.stringValue, let name = fields["name"]?.stringValue else {
                    throw GatewayError(.invalidRequest, "\(blockParam) needs an id and a name.", param: blockParam)
                }
                let input = fields["input"] ?? .object([:])
                let extras = leftovers(fields, known: ["type", "id", "name", "input"])
                if !extras.isEmpty { BlockFields.set(&message, .toolCalls, message.toolCalls.count, extras) }
                message.toolCalls.append(ToolCall(id: id, name: name, arguments: JSON.encodeString(input)))
            default:
                let (part, extras) = try decodePart(block, param: blockParam)
                if !extras.isEmpty { BlockFields.set(&message, .content, message.content.count, extras) }
                message.content.append(part)
            }
        }
    }

    /// Block fields beyond the modelled ones; nulls dropped (null and absent mean the same here).
    static func leftovers(_ fields: [String: JSONValue], known: Set<String>) -> [String: JSONValue] {
        fields.filter { !known.contains($0.key) && !$0.value.isNull }
    }

    // MARK: - Encoding

    /// The block for a canonical part, or nil for an empty text part (the API rejects empty text blocks).
    static func encodePart(_ part: ContentPart, extras: [String: JSONValue], param: String) throws(GatewayError) -> JSONValue? {
        var block: [String: JSONValue]
        switch part {
        case .text(let text):
            guard !text.isEmpty else { return nil }
            block = ["type": "text", "text": .string(text)]
        case .image(let url, _):
            block = ["type": "image", "source": try imageSource(url, param: param)]
        case .audio:
            throw GatewayError(.invalidRequest, "Anthropic cannot take audio input (\(param)).", param: param)
        case .file(let data, let fileId, let filename):
            block = try encodeFile(data: data, fileId: fileId, filename: filename, param: param)
        case .other(let raw):
            // Parts of another dialect's shape are the server's to strip; same-dialect blocks pass verbatim.
            return raw
        }
        for (key, value) in extras where block[key] == nil { block[key] = value }
        return .object(block)
    }

    /// `data:` URIs become base64 sources, http(s) URLs url sources; the API takes nothing else.
    static func imageSource(_ url: String, param: String) throws(GatewayError) -> JSONValue {
        if let uri = DataURI(url) {
            guard uri.isBase64, uri.mediaType.hasPrefix("image/") else {
                throw GatewayError(
                    .invalidRequest, "\(param): Anthropic takes images as base64 data URIs of an image type.",
                    param: param)
            }
            return ["type": "base64", "media_type": .string(uri.mediaType), "data": .string(uri.payload)]
        }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else {
            throw GatewayError(.invalidRequest, "\(param): image URLs must be http(s) or data: URIs.", param: param)
        }
        return ["type": "url", "url": .string(url)]
    }

    /// Inline PDFs and plain text become `document` blocks, inline images `image` blocks, file ids file sources.
    static func encodeFile(data: String?, fileId: String?, filename: String?, param: String) throws(GatewayError)
        -> [String: JSONValue]
    {
        var block: [String: JSONValue] = ["type": "document"]
        if let data {
            guard let uri = DataURI(data) else {
                throw GatewayError(.invalidRequest, "\(param): file data must be a data: URI.", param: param)
            }
            switch uri.mediaType {
            case "application/pdf" where uri.isBase64:
                block["source"] = ["type": "base64", "media_type": "application/pdf", "data": .string(uri.payload)]
            case let type where type.hasPrefix("image/"):
                return ["type": "image", "source": try imageSource(data, param: param)]
            case let type where type.hasPrefix("text/"):
                guard let text = uri.decodedText else {
                    throw GatewayError(.invalidRequest, "\(param): the text file is not valid UTF-8.", param: param)
                }
                block["source"] = ["type": "text", "media_type": "text/plain", "data": .string(text)]
            default:
                throw GatewayError(
                    .invalidRequest,
                    "\(param): Anthropic documents take PDF or plain text, not \(uri.mediaType.isEmpty ? "this file" : uri.mediaType).",
                    param: param)
            }
        } else if let fileId {
            block["source"] = ["type": "file", "file_id": .string(fileId)]
        } else {
            throw GatewayError(.invalidRequest, "\(param): a file part needs data or a file id.", param: param)
        }
        if let filename { block["title"] = .string(filename) }
        return block
    }

    /// The blocks of an assistant message: thinking first (the API wants it before text and tool use), then
    /// content, then tool calls. In a request, unsigned thinking is dropped: the API verifies signatures and lets
    /// earlier turns' thinking be omitted, so such a block (another provider's reasoning, or one marked
    /// non-replayable) could only cause a 400.
    ///
    /// `lenient` is for answers to an Anthropic client: there unsigned thinking is shown with an empty signature
    /// (the mark of non-replayable thinking), and parts or arguments Anthropic cannot express are left out
    /// rather than failing an answer the model already gave.
    static func encodeAssistant(_ message: Message, param: String, lenient: Bool) throws(GatewayError) -> [JSONValue] {
        var blocks: [JSONValue] = []
        for block in message.reasoning {
            switch block {
            case .text(let text, let signature?) where !signature.isEmpty:
                blocks.append(["type": "thinking", "thinking": .string(text), "signature": .string(signature)])
            case .redacted(let data):
                blocks.append(["type": "redacted_thinking", "data": .string(data)])
            case .text(let text, _):
                if lenient, !text.isEmpty {
                    blocks.append(["type": "thinking", "thinking": .string(text), "signature": ""])
                }
            }
        }
        for (index, part) in message.content.enumerated() {
            let extras = BlockFields.get(message, .content, index)
            let partParam = "\(param).content[\(index)]"
            let block: JSONValue?
            if lenient {
                block = try? encodePart(part, extras: extras, param: partParam)
            } else {
                block = try encodePart(part, extras: extras, param: partParam)
            }
            if let block { blocks.append(block) }
        }
        if let refusal = message.refusal, !refusal.isEmpty, !message.content.contains(where: isText) {
            blocks.append(["type": "text", "text": .string(refusal)])
        }
        for (index, call) in message.toolCalls.enumerated() {
            var block: [String: JSONValue] = [
                "type": "tool_use", "id": .string(call.id), "name": .string(call.name),
                "input": try toolInput(call, param: "\(param).tool_calls[\(index)]", lenient: lenient),
            ]
            for (key, value) in BlockFields.get(message, .toolCalls, index) where block[key] == nil { block[key] = value }
            blocks.append(.object(block))
        }
        return blocks
    }

    /// `tool_use.input` is an object where OpenAI sends a JSON string. Empty arguments mean `{}` (streams that
    /// never sent a fragment). Invalid JSON is the client's error in a request; in a response (`lenient`) the
    /// model produced it and the client is better served by `{}` than by a failed answer.
    static func toolInput(_ call: ToolCall, param: String, lenient: Bool) throws(GatewayError) -> JSONValue {
        let trimmed = call.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .object([:]) }
        if let parsed = try? JSON.parse(trimmed), case .object = parsed { return parsed }
        if lenient { return .object([:]) }
        throw GatewayError(
            .invalidRequest,
            "\(param).function.arguments must be a JSON object for Anthropic; got \(trimmed.prefix(80)).",
            param: param)
    }

    static func isText(_ part: ContentPart) -> Bool {
        if case .text(let text) = part { return !text.isEmpty }
        return false
    }
}

/// Fields of Anthropic blocks that canonical parts and calls do not model (`cache_control`, `citations`, a
/// document's `context`), kept in `Message.extra` under one key so that an Anthropic → Anthropic trip restores
/// them. Shape: `{"content": {"<part index>": {fields}}, "tool_calls": {"<call index>": {fields}},
/// "block": {fields}}`; `block` holds a `tool_result` block's own fields on a `.tool` message.
enum BlockFields {
    static let key = "anthropic_block_fields"

    enum Group: String {
        case content
        case toolCalls = "tool_calls"
    }

    static func get(_ message: Message, _ group: Group, _ index: Int) -> [String: JSONValue] {
        message.extra[key]?[group.rawValue]?[String(index)]?.objectValue ?? [:]
    }

    static func set(_ message: inout Message, _ group: Group, _ index: Int, _ fields: [String: JSONValue]) {
        var all = message.extra[key]?.objectValue ?? [:]
        var members = all[group.rawValue]?.objectValue ?? [:]
        members[String(index)] = .object(fields)
        all[group.rawValue] = .object(members)
        message.extra[key] = .object(all)
    }

    static func block(_ message: Message) -> [String: JSONValue] {
        message.extra[key]?["block"]?.objectValue ?? [:]
    }

    static func setBlock(_ message: inout Message, _ fields: [String: JSONValue]) {
        var all = message.extra[key]?.objectValue ?? [:]
        all["block"] = .object(fields)
        message.extra[key] = .object(all)
    }

    /// Whether a message carries any such fields (then its content is sent as blocks, never as a string).
    static func any(_ message: Message) -> Bool { message.extra[key] != nil }
}
