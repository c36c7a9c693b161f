import Hummingbird
import NIOCore

/// Bedrock Converse answers: the JSON (`converse-response-text.json`, `-tool-use.json`) and the
/// ConverseStream event frames (`converse-stream-text.eventstream`, `-tool-use.eventstream`),
/// payloads in the fixtures' key order including the `"p"` padding member real streams carry.
///
/// Blocks: a `reasoningContent` block when `additionalModelRequestFields.thinking` is on, then
/// the text — or a `toolUse` block. Streams open only tool blocks with `contentBlockStart`
/// (text and reasoning begin with their first delta); usage arrives in the final `metadata`.
struct ConverseEncoder {
    let plan: NativePlan
    /// `tooluse_…`
    let toolUseID: String
    /// `metrics.latencyMs`: the `latency` knob plus 100.
    let latencyMilliseconds: Int

    init(plan: NativePlan, knobs: Knobs, random: inout RandomIDs) {
        self.plan = plan
        self.toolUseID = "tooluse_" + random.alphanumeric(22)
        self.latencyMilliseconds = knobs.latencyMilliseconds + 100
    }

    var stopReason: String { self.plan.isToolCall ? "tool_use" : "end_turn" }

    // MARK: JSON

    func response() -> ByteBuffer {
        let plan = self.plan
        var json = JSONWriter(capacity: 1024)
        json.object { json in
            json.object("output") { json in
                json.object("message") { json in
                    json.field("role", "assistant")
                    json.array("content") { json in
                        if let thinking = plan.thinking {
                            json.object { json in
                                json.object("reasoningContent") { json in
                                    json.object("reasoningText") { json in
                                        json.field("text", thinking.text)
                                        json.field("signature", thinking.signature)
                                    }
                                }
                            }
                        }
                        switch plan.answer {
                        case .text(let pieces):
                            json.object { json in json.field("text", pieces.joined()) }
                        case .toolCall(let call):
                            json.object { json in
                                json.object("toolUse") { json in
                                    json.field("toolUseId", self.toolUseID)
                                    json.field("name", call.name)
                                    json.key("input")
                                    call.writeInput(into: &json)
                                }
                            }
                        }
                    }
                }
            }
            json.field("stopReason", self.stopReason)
            self.usageAndMetrics(into: &json)
        }
        return json.buffer
    }

    private func usageAndMetrics(into json: inout JSONWriter) {
        let usage = self.plan.usage
        json.object("usage") { json in
            json.field("inputTokens", usage.prompt)
            json.field("outputTokens", usage.output)
            json.field("totalTokens", usage.prompt + usage.output)
            json.field("cacheReadInputTokens", 0)
            json.field("cacheWriteInputTokens", 0)
        }
        json.object("metrics") { json in json.field("latencyMs", self.latencyMilliseconds) }
    }

    // MARK: Stream

    func frames() -> [ByteBuffer] {
        let plan = self.plan
        var frames: [ByteBuffer] = []
        func frame(_ type: String, _ body: (inout JSONWriter) -> Void) {
            var json = JSONWriter(capacity: 256)
            json.object { json in
                body(&json)
                json.field("p", Self.padding(frames.count))
            }
            frames.append(EventStream.event(type, payload: json.buffer))
        }
        func delta(_ index: Int, _ body: (inout JSONWriter) -> Void) {
            frame("contentBlockDelta") { json in
                json.field("contentBlockIndex", index)
                json.object("delta", body)
            }
        }
        func stop(_ index: Int) {
            frame("contentBlockStop") { json in json.field("contentBlockIndex", index) }
        }

        frame("messageStart") { json in json.field("role", "assistant") }
        var index = 0
        if let thinking = plan.thinking {
            for piece in thinking.pieces {
                delta(index) { json in json.object("reasoningContent") { json in json.field("text", piece) } }
            }
            delta(index) { json in json.object("reasoningContent") { json in json.field("signature", thinking.signature) } }
            stop(index)
            index += 1
        }
        switch plan.answer {
        case .text(let pieces):
            for piece in pieces {
                delta(index) { json in json.field("text", piece) }
            }
        case .toolCall(let call):
            frame("contentBlockStart") { json in
                json.field("contentBlockIndex", index)
                json.object("start") { json in
                    json.object("toolUse") { json in
                        json.field("toolUseId", self.toolUseID)
                        json.field("name", call.name)
                    }
                }
            }
            for fragment in call.fragments {
                delta(index) { json in json.object("toolUse") { json in json.field("input", fragment) } }
            }
        }
        stop(index)
        frame("messageStop") { json in json.field("stopReason", self.stopReason) }
        frame("metadata") { json in self.usageAndMetrics(into: &json) }
        return frames
    }

    /// `converse-stream-exception.eventstream`'s last frame.
    static let midstreamException: ByteBuffer = {
        var json = JSONWriter(capacity: 80)
        json.object { json in json.field("message", "Too many tokens, please wait before trying again.") }
        return EventStream.exception("throttlingException", payload: json.buffer)
    }()

    /// Real payloads carry `"p"`, padding of random length that hides the content's length;
    /// here a prefix of the alphabet whose length varies by frame, as in the fixtures.
    static func padding(_ frame: Int) -> String {
        String(Self.paddingAlphabet.prefix(1 + (frame * 17 + 5) % 40))
    }

    private static let paddingAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
}

extension NativeResponder {
    /// `POST /model/{modelId}/converse` and `/converse-stream`.
    func bedrockConverse(modelID: String, stream: Bool, body: ByteBuffer, random: inout RandomIDs) -> Response {
        let request: ConverseRequest
        switch self.decode(ConverseRequest.self, body) {
        case .success(let value): request = value
        case .failure(let failure): return failure.response
        }
        if let failure = request.validationFailure { return self.invalid(failure) }
        let plan = NativePlan(model: modelID, request: request, knobs: self.knobs, random: &random)
        let encoder = ConverseEncoder(plan: plan, knobs: self.knobs, random: &random)
        guard stream else { return self.json(encoder.response()) }
        return self.stream(
            encoder.frames(),
            contentType: "application/vnd.amazon.eventstream",
            midstreamError: ConverseEncoder.midstreamException
        )
    }
}
