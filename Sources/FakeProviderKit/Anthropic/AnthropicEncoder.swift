import Hummingbird
import NIOCore

/// Anthropic Messages answers: the JSON message (`messages-response-basic.json`,
/// `-tool-use.json`, `-thinking.json`) and its SSE stream (`messages-stream-text.txt`,
/// `-tool-use.txt`, `-thinking.txt`), byte for byte in key order and framing.
///
/// Blocks: a `thinking` block (thinking deltas, then a `signature_delta`) when the request
/// switched thinking on, then either the text block or one `tool_use` block. `ping` follows the
/// first `content_block_start`, as in the fixtures.
struct AnthropicEncoder {
    let plan: NativePlan
    /// `msg_01…`
    let id: String
    /// `toolu_01…`, for tool answers.
    let toolUseID: String

    init(plan: NativePlan, random: inout RandomIDs) {
        self.plan = plan
        self.id = "msg_01" + random.alphanumeric(22)
        self.toolUseID = "toolu_01" + random.alphanumeric(22)
    }

    var stopReason: String { self.plan.isToolCall ? "tool_use" : "end_turn" }

    // MARK: JSON

    func message() -> ByteBuffer {
        let plan = self.plan
        var json = JSONWriter(capacity: 1024)
        json.object { json in
            json.field("id", self.id)
            json.field("type", "message")
            json.field("role", "assistant")
            json.field("model", plan.model)
            json.array("content") { json in
                if let thinking = plan.thinking {
                    json.object { json in
                        json.field("type", "thinking")
                        json.field("thinking", thinking.text)
                        json.field("signature", thinking.signature)
                    }
                }
                switch plan.answer {
                case .text(let pieces):
                    json.object { json in
                        json.field("type", "text")
                        json.field("text", pieces.joined())
                    }
                case .toolCall(let call):
                    json.object { json in
                        json.field("type", "tool_use")
                        json.field("id", self.toolUseID)
                        json.field("name", call.name)
                        json.key("input")
                        call.writeInput(into: &json)
                    }
                }
            }
            json.field("stop_reason", self.stopReason)
            json.nullField("stop_sequence")
            json.nullField("stop_details")
            json.key("usage")
            self.usage(outputTokens: plan.usage.output, into: &json)
        }
        return json.buffer
    }

    /// The full usage object of a message (and of `message_start`, with output 1).
    private func usage(outputTokens: Int, into json: inout JSONWriter) {
        json.object { json in
            json.field("input_tokens", self.plan.usage.prompt)
            json.field("cache_creation_input_tokens", 0)
            json.field("cache_read_input_tokens", 0)
            json.rawField("cache_creation", #"{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0}"#)
            json.field("output_tokens", outputTokens)
            json.field("service_tier", "standard")
        }
    }

    // MARK: Stream

    func events() -> [ByteBuffer] {
        let plan = self.plan
        var events: [ByteBuffer] = []
        events.append(
            NativeSSE.event("message_start") { json in
                json.field("type", "message_start")
                json.object("message") { json in
                    json.field("id", self.id)
                    json.field("type", "message")
                    json.field("role", "assistant")
                    json.field("model", plan.model)
                    json.rawField("content", "[]")
                    json.nullField("stop_reason")
                    json.nullField("stop_sequence")
                    json.nullField("stop_details")
                    json.key("usage")
                    self.usage(outputTokens: 1, into: &json)
                }
            }
        )
        var index = 0
        if let thinking = plan.thinking {
            events.append(Self.blockStart(index) { json in
                json.field("type", "thinking")
                json.field("thinking", "")
                json.field("signature", "")
            })
            events.append(Self.ping)
            for piece in thinking.pieces {
                events.append(Self.delta(index) { json in
                    json.field("type", "thinking_delta")
                    json.field("thinking", piece)
                })
            }
            events.append(Self.delta(index) { json in
                json.field("type", "signature_delta")
                json.field("signature", thinking.signature)
            })
            events.append(Self.blockStop(index))
            index += 1
        }
        switch plan.answer {
        case .text(let pieces):
            events.append(Self.blockStart(index) { json in
                json.field("type", "text")
                json.field("text", "")
            })
            if index == 0 { events.append(Self.ping) }
            for piece in pieces {
                events.append(Self.delta(index) { json in
                    json.field("type", "text_delta")
                    json.field("text", piece)
                })
            }
        case .toolCall(let call):
            events.append(Self.blockStart(index) { json in
                json.field("type", "tool_use")
                json.field("id", self.toolUseID)
                json.field("name", call.name)
                json.rawField("input", "{}")
            })
            if index == 0 { events.append(Self.ping) }
            // The first fragment is empty, as the API sends it.
            for fragment in [""] + call.fragments {
                events.append(Self.delta(index) { json in
                    json.field("type", "input_json_delta")
                    json.field("partial_json", fragment)
                })
            }
        }
        events.append(Self.blockStop(index))
        events.append(
            NativeSSE.event("message_delta") { json in
                json.field("type", "message_delta")
                json.object("delta") { json in
                    json.field("stop_reason", self.stopReason)
                    json.nullField("stop_sequence")
                    json.nullField("stop_details")
                }
                json.object("usage") { json in
                    json.field("input_tokens", plan.usage.prompt)
                    json.field("cache_creation_input_tokens", 0)
                    json.field("cache_read_input_tokens", 0)
                    json.field("output_tokens", plan.usage.output)
                }
            }
        )
        events.append(ByteBuffer(staticString: "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
        return events
    }

    /// `messages-stream-error-overloaded.txt`: after it the stream ends, without `message_stop`.
    static let midstreamError = NativeSSE.event("error") { json in
        json.field("type", "error")
        json.object("error") { json in
            AnthropicErrors.errorMembers(type: "overloaded_error", message: "Overloaded", details: nil, into: &json)
        }
    }

    private static let ping = ByteBuffer(staticString: "event: ping\ndata: {\"type\":\"ping\"}\n\n")

    private static func blockStart(_ index: Int, _ block: (inout JSONWriter) -> Void) -> ByteBuffer {
        NativeSSE.event("content_block_start") { json in
            json.field("type", "content_block_start")
            json.field("index", index)
            json.object("content_block", block)
        }
    }

    private static func delta(_ index: Int, _ delta: (inout JSONWriter) -> Void) -> ByteBuffer {
        NativeSSE.event("content_block_delta") { json in
            json.field("type", "content_block_delta")
            json.field("index", index)
            json.object("delta", delta)
        }
    }

    private static func blockStop(_ index: Int) -> ByteBuffer {
        NativeSSE.event("content_block_stop") { json in
            json.field("type", "content_block_stop")
            json.field("index", index)
        }
    }

    // MARK: Other endpoints

    /// Headers of a successful answer (`messages-response-basic.json`'s manifest entry), the
    /// reset times one second ahead.
    static func answerHeaders() -> [(name: String, value: String)] {
        let reset = RFC3339.now(plusSeconds: 1)
        return [
            ("anthropic-organization-id", "25e35450-1c6a-417a-ab99-8dda9ae87b0e"),
            ("anthropic-ratelimit-requests-limit", "4000"),
            ("anthropic-ratelimit-requests-remaining", "3999"),
            ("anthropic-ratelimit-requests-reset", reset),
            ("anthropic-ratelimit-input-tokens-limit", "2000000"),
            ("anthropic-ratelimit-input-tokens-remaining", "1999000"),
            ("anthropic-ratelimit-input-tokens-reset", reset),
            ("anthropic-ratelimit-output-tokens-limit", "400000"),
            ("anthropic-ratelimit-output-tokens-remaining", "399000"),
            ("anthropic-ratelimit-output-tokens-reset", reset),
        ]
    }

    /// `models-list.json`, minified.
    static let modelsList: StaticString =
        #"{"data":[{"type":"model","id":"claude-opus-4-7","display_name":"Claude Opus 4.7","created_at":"2026-04-16T00:00:00Z","lifecycle":"active"},{"type":"model","id":"claude-sonnet-4-6","display_name":"Claude Sonnet 4.6","created_at":"2026-02-17T00:00:00Z","lifecycle":"active"},{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z","lifecycle":"deprecated","deprecated_at":"2026-05-30T00:00:00Z","retires_at":"2026-11-30T00:00:00Z"},{"type":"model","id":"claude-haiku-4-5-20251001","display_name":"Claude Haiku 4.5","created_at":"2025-10-15T00:00:00Z","lifecycle":"active"}],"has_more":false,"first_id":"claude-opus-4-7","last_id":"claude-haiku-4-5-20251001"}"#
}

extension NativeResponder {
    /// `POST /v1/messages`.
    func anthropicMessages(body: ByteBuffer, random: inout RandomIDs) -> Response {
        let request: AnthropicRequest
        switch self.decode(AnthropicRequest.self, body) {
        case .success(let value): request = value
        case .failure(let failure): return failure.response
        }
        if let failure = self.validateAnthropic(request, countingTokens: false) { return failure }
        let plan = NativePlan(model: request.model ?? "", request: request, knobs: self.knobs, random: &random)
        let encoder = AnthropicEncoder(plan: plan, random: &random)
        guard request.stream == true else {
            return self.json(encoder.message(), extra: AnthropicEncoder.answerHeaders())
        }
        return self.stream(
            encoder.events(),
            contentType: "text/event-stream; charset=utf-8",
            midstreamError: AnthropicEncoder.midstreamError,
            extra: AnthropicEncoder.answerHeaders()
        )
    }

    /// `POST /v1/messages/count_tokens` → `{"input_tokens":N}`, N counted as for messages.
    func anthropicCountTokens(body: ByteBuffer) -> Response {
        let request: AnthropicRequest
        switch self.decode(AnthropicRequest.self, body) {
        case .success(let value): request = value
        case .failure(let failure): return failure.response
        }
        if let failure = self.validateAnthropic(request, countingTokens: true) { return failure }
        var json = JSONWriter(capacity: 32)
        json.object { json in json.field("input_tokens", request.promptTokens) }
        return self.json(json.buffer, extra: AnthropicEncoder.answerHeaders())
    }

    /// Required fields (as pydantic words them) and the `2026-10-21` removal of sampling parameters.
    private func validateAnthropic(_ request: AnthropicRequest, countingTokens: Bool) -> Response? {
        if request.model == nil { return self.invalid("model: Field required") }
        guard let messages = request.messages else { return self.invalid("messages: Field required") }
        if messages.isEmpty { return self.invalid("messages: at least one message is required") }
        if !countingTokens && request.maxTokens == nil { return self.invalid("max_tokens: Field required") }
        // Only `2023-06-01` still takes temperature/top_p/top_k (error-400-temperature-removed.json).
        if self.anthropicVersion != "2023-06-01", let parameter = request.samplingParameters.first {
            return self.invalid("\(parameter): Extra inputs are not permitted")
        }
        if !countingTokens, request.toolLoopLacksThinking {
            return self.invalid(
                "messages.\((request.messages?.count ?? 2) - 2).content.0.type: Expected `thinking` or `redacted_thinking`, "
                    + "but found `tool_use`. When `thinking` is enabled, a final `assistant` message must start with a "
                    + "thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend "
                    + "you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`.")
        }
        return nil
    }
}
