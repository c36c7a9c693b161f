import Hummingbird
import NIOCore

/// Cohere v2 chat answers: the JSON (`chat-response-text.json`, `chat-response-tool-calls.json`)
/// and the SSE stream (`chat-stream-text.txt`, `chat-stream-tool-calls.txt`: named events, no
/// `[DONE]`), byte for byte in key order.
///
/// Tool answers come with a `tool_plan` ("I will call NAME."), streamed as two
/// `tool-plan-delta`s. With `thinking` enabled a `thinking` content item precedes the text.
/// `usage.tokens.input_tokens` adds a hidden preamble of 500 to the billed count, as Cohere's
/// real numbers include one — bill on `billed_units`.
struct CohereEncoder {
    let plan: NativePlan
    let id: String
    /// `get_weather_la33nmwhd9lf`: the tool name and 12 lower-case alphanumerics.
    let toolCallID: String

    static let hiddenPreambleTokens = 500

    init(plan: NativePlan, requestID: String, random: inout RandomIDs) {
        self.plan = plan
        self.id = requestID
        if case .toolCall(let call) = plan.answer {
            self.toolCallID = call.name + "_" + random.lowerAlphanumeric(12)
        } else {
            self.toolCallID = ""
        }
    }

    var finishReason: String { self.plan.isToolCall ? "TOOL_CALL" : "COMPLETE" }

    private var toolPlan: [String] {
        guard case .toolCall(let call) = self.plan.answer else { return [] }
        return ["I will call", " \(call.name)."]
    }

    // MARK: JSON

    func response() -> ByteBuffer {
        let plan = self.plan
        var json = JSONWriter(capacity: 768)
        json.object { json in
            json.field("id", self.id)
            json.object("message") { json in
                json.field("role", "assistant")
                switch plan.answer {
                case .text(let pieces):
                    json.array("content") { json in
                        if let thinking = plan.thinking {
                            json.object { json in
                                json.field("type", "thinking")
                                json.field("thinking", thinking.text)
                            }
                        }
                        json.object { json in
                            json.field("type", "text")
                            json.field("text", pieces.joined())
                        }
                    }
                case .toolCall(let call):
                    json.field("tool_plan", self.toolPlan.joined())
                    json.array("tool_calls") { json in
                        json.object { json in
                            json.field("id", self.toolCallID)
                            json.field("type", "function")
                            json.object("function") { json in
                                json.field("name", call.name)
                                json.field("arguments", call.arguments)
                            }
                        }
                    }
                }
            }
            json.field("finish_reason", self.finishReason)
            json.key("usage")
            self.usage(into: &json)
        }
        return json.buffer
    }

    private func usage(into json: inout JSONWriter) {
        let usage = self.plan.usage
        json.object { json in
            json.object("billed_units") { json in
                json.field("input_tokens", usage.prompt)
                json.field("output_tokens", usage.output)
            }
            json.object("tokens") { json in
                json.field("input_tokens", usage.prompt + Self.hiddenPreambleTokens)
                json.field("output_tokens", usage.output)
            }
        }
    }

    // MARK: Stream

    func events() -> [ByteBuffer] {
        let plan = self.plan
        var events: [ByteBuffer] = []
        events.append(
            NativeSSE.event("message-start") { json in
                json.field("type", "message-start")
                json.field("id", self.id)
                json.rawField("delta", #"{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}"#)
            }
        )
        switch plan.answer {
        case .text(let pieces):
            var index = 0
            if let thinking = plan.thinking {
                events.append(Self.contentStart(index, type: "thinking"))
                for piece in thinking.pieces {
                    events.append(Self.contentDelta(index, field: "thinking", piece))
                }
                events.append(Self.indexed("content-end", index))
                index += 1
            }
            events.append(Self.contentStart(index, type: "text"))
            for piece in pieces {
                events.append(Self.contentDelta(index, field: "text", piece))
            }
            events.append(Self.indexed("content-end", index))
        case .toolCall(let call):
            for piece in self.toolPlan {
                events.append(
                    NativeSSE.event("tool-plan-delta") { json in
                        json.field("type", "tool-plan-delta")
                        json.object("delta") { json in json.object("message") { json in json.field("tool_plan", piece) } }
                    }
                )
            }
            events.append(
                NativeSSE.event("tool-call-start") { json in
                    json.field("type", "tool-call-start")
                    json.field("index", 0)
                    Self.toolCalls(into: &json) { json in
                        json.field("id", self.toolCallID)
                        json.field("type", "function")
                        json.object("function") { json in
                            json.field("name", call.name)
                            json.field("arguments", "")
                        }
                    }
                }
            )
            for fragment in call.fragments {
                events.append(
                    NativeSSE.event("tool-call-delta") { json in
                        json.field("type", "tool-call-delta")
                        json.field("index", 0)
                        Self.toolCalls(into: &json) { json in
                            json.object("function") { json in json.field("arguments", fragment) }
                        }
                    }
                )
            }
            events.append(Self.indexed("tool-call-end", 0))
        }
        events.append(
            NativeSSE.event("message-end") { json in
                json.field("type", "message-end")
                json.object("delta") { json in
                    json.field("finish_reason", self.finishReason)
                    json.key("usage")
                    self.usage(into: &json)
                }
            }
        )
        return events
    }

    /// No fixture shows an in-stream failure; the SDK's `message-end` delta has an `error`
    /// member for it, so the stream ends with `finish_reason: "ERROR"` and that message.
    static let midstreamError = NativeSSE.event("message-end") { json in
        json.field("type", "message-end")
        json.object("delta") { json in
            json.field("error", "internal server error, this has been reported to our developers")
            json.field("finish_reason", "ERROR")
        }
    }

    private static func contentStart(_ index: Int, type: String) -> ByteBuffer {
        NativeSSE.event("content-start") { json in
            json.field("type", "content-start")
            json.field("index", index)
            json.object("delta") { json in
                json.object("message") { json in
                    json.object("content") { json in
                        json.field("type", type)
                        if type == "thinking" { json.field("thinking", "") } else { json.field("text", "") }
                    }
                }
            }
        }
    }

    private static func contentDelta(_ index: Int, field: StaticString, _ text: String) -> ByteBuffer {
        NativeSSE.event("content-delta") { json in
            json.field("type", "content-delta")
            json.field("index", index)
            json.object("delta") { json in
                json.object("message") { json in json.object("content") { json in json.field(field, text) } }
            }
        }
    }

    private static func indexed(_ type: String, _ index: Int) -> ByteBuffer {
        NativeSSE.event(type) { json in
            json.field("type", type)
            json.field("index", index)
        }
    }

    /// `"delta":{"message":{"tool_calls":{…}}}` — one call object, not an array, in streams.
    private static func toolCalls(into json: inout JSONWriter, _ call: (inout JSONWriter) -> Void) {
        json.object("delta") { json in
            json.object("message") { json in json.object("tool_calls", call) }
        }
    }
}

extension NativeResponder {
    /// `POST /v2/chat`.
    func cohereChat(body: ByteBuffer, random: inout RandomIDs) -> Response {
        let request: CohereRequest
        switch self.decode(CohereRequest.self, body) {
        case .success(let value): request = value
        case .failure(let failure): return failure.response
        }
        guard let model = request.model else { return self.invalid("invalid request: model must be specified") }
        if request.isEmpty { return self.error(CohereErrors.fixtures.first { $0.name == "invalid_request" }) }
        // Cohere shows its reasoning on tool calls as the `tool_plan`, not as thinking content.
        let plan = NativePlan(
            model: model, request: request, thinks: request.thinks && request.chosenTool == nil, knobs: self.knobs,
            random: &random)
        let encoder = CohereEncoder(plan: plan, requestID: self.requestID, random: &random)
        guard request.stream == true else { return self.json(encoder.response()) }
        return self.stream(encoder.events(), contentType: "text/event-stream", midstreamError: CohereEncoder.midstreamError)
    }
}
