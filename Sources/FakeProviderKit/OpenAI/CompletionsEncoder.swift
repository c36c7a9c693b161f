#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// Legacy `POST /v1/completions` (`openai/completions-response.json`): `text_completion`
/// objects, streamed as `choices[].text` deltas with the same `data:`/`[DONE]` framing.
struct CompletionsEncoder {
    let id: String
    let created: Int
    let model: String
    let choiceCount: Int
    let pieces: [String]
    let promptTokens: Int
    let completionTokens: Int
    let includeUsage: Bool
    let usageStyle: UsageStyle

    init(request: CompletionRequest, model: String, provider: FakeProvider, knobs: Knobs, random: inout RandomIDs) {
        self.id = "cmpl-" + random.alphanumeric(29)
        self.created = Int(Date().timeIntervalSince1970)
        self.model = model
        self.choiceCount = max(request.n ?? 1, 1)
        let prompt = request.prompt?.text ?? ""
        self.pieces = ChatPlan.split("Echo: " + prompt, into: knobs.chunks ?? ChatPlan.defaultChunks, padding: true)
        self.promptTokens = TokenCount.words(prompt) + 1
        self.completionTokens = max(TokenCount.words(self.pieces.joined()), 1) * self.choiceCount
        self.includeUsage = request.streamOptions?.includeUsage ?? false
        self.usageStyle = knobs.usageStyle ?? provider.defaultUsageStyle
    }

    func response() -> ByteBuffer {
        var json = JSONWriter(capacity: 512)
        json.object { json in
            self.envelope(into: &json)
            json.array("choices") { json in
                for index in 0..<self.choiceCount {
                    self.choice(index: index, text: self.pieces.joined(), finishReason: "stop", into: &json)
                }
            }
            json.key("usage")
            UsageEncoder.writePlain(prompt: self.promptTokens, completion: self.completionTokens, into: &json)
        }
        return json.buffer
    }

    /// Text chunks per choice, a finish chunk per choice, and the usage where the style puts it.
    func events() -> [ByteBuffer] {
        var events: [ByteBuffer] = []
        for piece in self.pieces {
            for index in 0..<self.choiceCount {
                events.append(self.event { self.choice(index: index, text: piece, finishReason: nil, into: &$0) })
            }
        }
        for index in 0..<self.choiceCount {
            let isFinal = index == self.choiceCount - 1
            // Providers that put usage on the finish chunk do so for completions too.
            let usageHere = isFinal && (self.usageStyle == .finish || self.usageStyle == .xGroq)
            events.append(
                self.event(usage: usageHere) { self.choice(index: index, text: "", finishReason: "stop", into: &$0) }
            )
        }
        if self.usageStyle == .separate && self.includeUsage {
            events.append(self.event(usage: true) { _ in })
        }
        return events
    }

    private func event(usage: Bool = false, _ choices: (inout JSONWriter) -> Void) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        buffer.writeStaticString("data: ")
        var json = JSONWriter(appendingTo: buffer)
        json.object { json in
            self.envelope(into: &json)
            json.array("choices", choices)
            if usage {
                json.key("usage")
                UsageEncoder.writePlain(prompt: self.promptTokens, completion: self.completionTokens, into: &json)
            }
        }
        var event = json.buffer
        event.writeStaticString("\n\n")
        return event
    }

    private func envelope(into json: inout JSONWriter) {
        json.field("id", self.id)
        json.field("object", "text_completion")
        json.field("created", self.created)
        json.field("model", self.model)
    }

    private func choice(index: Int, text: String, finishReason: String?, into json: inout JSONWriter) {
        json.object { json in
            json.field("text", text)
            json.field("index", index)
            json.nullField("logprobs")
            json.field("finish_reason", orNull: finishReason)
        }
    }
}
