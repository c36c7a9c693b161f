import NIOCore

/// The SSE events of a streamed chat answer, as each provider spells them (fixtures:
/// `openai/chat-stream-text.txt`, `openai/chat-stream-tool-calls.txt`, `azure-openai/chat-stream.txt`,
/// `deepseek/chat-stream-reasoning.txt`, `groq/chat-stream-x-groq.txt`, `together/chat-stream.txt`, …).
///
/// Order: Azure's prompt-filter event; per choice a role chunk (where the dialect has one),
/// a reasoning chunk, the content chunks or tool-call fragments, the finish chunk; then the
/// usage chunk when the usage style is `separate` and the request asked for it. Choices are
/// interleaved chunk by chunk, like OpenAI does for `n > 1`. `[DONE]` is left to `SSEBody`.
struct ChatStreamEncoder {
    let plan: ChatPlan

    private enum Delta {
        case role
        case reasoning(String)
        case content(String)
        /// First fragment of a call: id, name, empty arguments (and the role).
        case toolCallStart(name: String)
        case toolCallArguments(String)
        /// Mistral sends a call in one piece.
        case toolCallWhole(name: String, arguments: String)
        case finish

        var isToolCall: Bool {
            switch self {
            case .toolCallStart, .toolCallArguments, .toolCallWhole: return true
            default: return false
            }
        }
    }

    private enum UsageSlot {
        case omit
        case null
        case value
    }

    /// Mutable bits while events are produced.
    private struct Progress {
        var eventCount = 0
        /// Perplexity repeats the text so far in `message`.
        var textSoFar: [String]
    }

    func events() -> [ByteBuffer] {
        let plan = self.plan
        let dialect = plan.provider.streamDialect
        var progress = Progress(textSoFar: Array(repeating: "", count: plan.choiceCount))
        var steps: [Delta] = []
        switch plan.answer {
        case .text(let pieces):
            if dialect.hasRoleChunk { steps.append(.role) }
            if let reasoning = plan.reasoning { steps.append(.reasoning(reasoning)) }
            steps.append(contentsOf: pieces.map { .content($0) })
        case .toolCall(let call):
            if dialect == .mistral {
                steps.append(.role)
                steps.append(.toolCallWhole(name: call.name, arguments: call.arguments))
            } else {
                if let reasoning = plan.reasoning {
                    if dialect.hasRoleChunk { steps.append(.role) }
                    steps.append(.reasoning(reasoning))
                }
                steps.append(.toolCallStart(name: call.name))
                steps.append(contentsOf: call.fragments.map { .toolCallArguments($0) })
            }
        }
        steps.append(.finish)

        var events: [ByteBuffer] = []
        events.reserveCapacity(steps.count * plan.choiceCount + 2)
        if plan.provider == .azureOpenAI {
            events.append(Self.azurePromptFilterEvent)
        }
        let lastStep = steps.count - 1
        for (stepIndex, step) in steps.enumerated() {
            for choice in 0..<plan.choiceCount {
                let isFinal = stepIndex == lastStep && choice == plan.choiceCount - 1
                let isFirst = stepIndex == 0 && choice == 0
                events.append(
                    self.chunk(step: step, choice: choice, isFirst: isFirst, isFinal: isFinal, progress: &progress)
                )
            }
        }
        if plan.usageStyle == .separate && plan.includeUsage {
            events.append(self.usageChunk(progress: &progress))
        }
        return events
    }

    /// The in-band failure after some chunks (`openai/chat-stream-error-midstream.txt`);
    /// OpenRouter's variant is a chunk with a top-level `error` and `finish_reason: "error"`
    /// (`openrouter/chat-stream-midstream-error.txt`), after which it still sends `[DONE]`.
    func midstreamError() -> (event: ByteBuffer, thenDone: Bool) {
        guard self.plan.provider == .openrouter else {
            return (SSEBody.openAIMidstreamError, false)
        }
        var json = Self.eventWriter()
        json.object { json in
            self.envelope(into: &json)
            json.rawField(
                "error",
                #"{"code":502,"message":"Provider returned error","metadata":{"error_type":"provider_overloaded","provider_code":"overloaded_error"}}"#
            )
            json.rawField(
                "choices",
                #"[{"index":0,"delta":{"content":""},"finish_reason":"error","native_finish_reason":null,"logprobs":null}]"#
            )
        }
        return (Self.finishEvent(json), true)
    }

    // MARK: Chunks

    private func chunk(step: Delta, choice: Int, isFirst: Bool, isFinal: Bool, progress: inout Progress) -> ByteBuffer {
        let plan = self.plan
        let provider = plan.provider
        let style = plan.usageStyle
        var json = Self.eventWriter()
        json.object { json in
            self.envelope(into: &json)
            json.array("choices") { json in
                self.choice(step: step, choice: choice, progress: &progress, into: &json)
            }
            let usage: UsageSlot
            switch style {
            case .finish: usage = isFinal ? .value : self.nullUsageSlot
            case .xGroq: usage = isFinal && plan.includeUsage ? .value : self.nullUsageSlot
            case .separate, .none: usage = self.nullUsageSlot
            }
            switch usage {
            case .omit: break
            case .null: json.nullField("usage")
            case .value:
                json.key("usage")
                UsageEncoder.write(plan.usage, provider: provider, into: &json)
            }
            if style == .xGroq && (isFirst || isFinal) {
                json.object("x_groq") { json in
                    json.field("id", plan.requestID)
                    if isFinal {
                        json.key("usage")
                        UsageEncoder.writeGroq(plan.usage, into: &json)
                    }
                }
            }
            self.obfuscation(progress.eventCount, into: &json)
        }
        progress.eventCount += 1
        return Self.finishEvent(json)
    }

    /// The `choices: []` chunk carrying usage, just before `[DONE]`.
    private func usageChunk(progress: inout Progress) -> ByteBuffer {
        var json = Self.eventWriter()
        json.object { json in
            self.envelope(into: &json)
            json.rawField("choices", "[]")
            json.key("usage")
            UsageEncoder.write(self.plan.usage, provider: self.plan.provider, into: &json)
            self.obfuscation(progress.eventCount, into: &json)
        }
        progress.eventCount += 1
        return Self.finishEvent(json)
    }

    /// `"usage": null` on chunks before the usage arrives, where the provider does that.
    private var nullUsageSlot: UsageSlot {
        let plan = self.plan
        guard plan.provider.nullUsageOnChunks, plan.usageStyle != .none else { return .omit }
        return plan.includeUsage || plan.usageStyle == .finish ? .null : .omit
    }

    /// Fields every chunk repeats (rule 1 of `openai.md` §4).
    private func envelope(into json: inout JSONWriter) {
        let plan = self.plan
        let provider = plan.provider
        json.field("id", plan.id)
        // Perplexity keeps the non-stream object name in chunks.
        json.field("object", provider == .perplexity ? "chat.completion" : "chat.completion.chunk")
        json.field("created", plan.created)
        json.field("model", plan.model)
        if provider == .openrouter { json.field("provider", "FakeProvider") }
        if provider == .perplexity {
            json.rawField("citations", PerplexitySearch.citations)
            json.rawField("search_results", PerplexitySearch.searchResults)
        }
        if provider != .groq {
            json.field("service_tier", provider.serviceTier)
        }
        json.field("system_fingerprint", provider.systemFingerprint)
    }

    private func choice(step: Delta, choice: Int, progress: inout Progress, into json: inout JSONWriter) {
        let plan = self.plan
        let provider = plan.provider
        let dialect = provider.streamDialect
        json.object { json in
            json.field("index", choice)
            json.object("delta") { json in
                self.delta(step, choice: choice, tokenID: 1000 + progress.eventCount, into: &json)
            }
            if provider.choiceHasLogprobs { json.nullField("logprobs") }
            var finishReason: String?
            if case .finish = step {
                // Together reports a natural stop as "eos" in streams.
                finishReason = dialect == .together && plan.finishReason == "stop" ? "eos" : plan.finishReason
            }
            json.field("finish_reason", orNull: finishReason)
            switch dialect {
            case .roleOnEveryDelta where provider == .openrouter:
                json.field("native_finish_reason", orNull: finishReason)
            case .together:
                if case .content(let text) = step { json.field("text", text) } else { json.field("text", "") }
                json.nullField("seed")
            case .perplexity:
                if case .content(let text) = step { progress.textSoFar[choice] += text }
                json.object("message") { json in
                    json.field("role", "assistant")
                    json.field("content", progress.textSoFar[choice])
                }
            default:
                break
            }
            if provider == .azureOpenAI {
                if case .role = step {
                    json.rawField("content_filter_results", "{}")
                } else {
                    json.rawField("content_filter_results", AzureContentFilter.chunkResults)
                }
            }
        }
    }

    private func delta(_ step: Delta, choice: Int, tokenID: Int, into json: inout JSONWriter) {
        let plan = self.plan
        let dialect = plan.provider.streamDialect
        let reasoningField = plan.provider.reasoningField ?? "reasoning_content"
        // DeepSeek/Qwen pair `content` and `reasoning_content` only when the model reasons.
        let pairsReasoning = dialect == .reasoningContent && plan.reasoning != nil
        if dialect == .together { json.field("token_id", tokenID) }
        switch step {
        case .role:
            json.field("role", "assistant")
            if pairsReasoning {
                json.nullField("content")
                json.key(reasoningField)
                json.string("")
            } else {
                json.field("content", "")
            }
            if dialect == .openai { json.nullField("refusal") }
        case .reasoning(let text):
            switch dialect {
            case .reasoningContent:
                json.nullField("content")
            case .roleOnEveryDelta, .together:
                json.field("role", "assistant")
                json.field("content", "")
            default:
                break
            }
            json.key(reasoningField)
            json.string(text)
        case .content(let text):
            if dialect.repeatsRole { json.field("role", "assistant") }
            json.field("content", text)
            if pairsReasoning {
                json.key(reasoningField)
                json.null()
            }
        case .toolCallStart(let name):
            json.field("role", "assistant")
            json.nullField("content")
            json.array("tool_calls") { json in
                json.object { json in
                    json.field("index", 0)
                    json.field("id", self.toolCallID(choice))
                    json.field("type", "function")
                    json.object("function") { json in
                        json.field("name", name)
                        json.field("arguments", "")
                    }
                }
            }
            if dialect == .openai { json.nullField("refusal") }
        case .toolCallArguments(let fragment):
            json.array("tool_calls") { json in
                json.object { json in
                    json.field("index", 0)
                    json.object("function") { json in json.field("arguments", fragment) }
                }
            }
        case .toolCallWhole(let name, let arguments):
            json.array("tool_calls") { json in
                json.object { json in
                    json.field("id", self.toolCallID(choice))
                    json.field("type", "function")
                    json.object("function") { json in
                        json.field("name", name)
                        json.field("arguments", arguments)
                    }
                    json.field("index", 0)
                }
            }
        case .finish:
            switch dialect {
            case .openai, .plain:
                break
            case .reasoningContent, .mistral:
                json.field("content", "")
                if pairsReasoning {
                    json.key(reasoningField)
                    json.null()
                }
            case .together, .perplexity, .roleOnEveryDelta:
                json.field("role", "assistant")
                json.field("content", "")
            }
        }
        if dialect == .together, !step.isToolCall { json.nullField("tool_calls") }
    }

    private func toolCallID(_ choice: Int) -> String {
        guard case .toolCall(let call) = self.plan.answer else { return "" }
        return call.ids[choice]
    }

    /// OpenAI pads chunks with a random-length `obfuscation` string; a fixed cycle keeps it cheap.
    private func obfuscation(_ counter: Int, into json: inout JSONWriter) {
        guard self.plan.includeObfuscation else { return }
        json.field("obfuscation", Self.obfuscationPads[counter % Self.obfuscationPads.count])
    }

    private static let obfuscationPads = ["bxwMyluXw0", "2P2", "xns07ClCqcg", "ZDGBL", "AHh9tOyMwUw", "BEUrjFyvyG"]

    // MARK: Framing

    private static func eventWriter() -> JSONWriter {
        var buffer = ByteBufferAllocator().buffer(capacity: 512)
        buffer.writeStaticString("data: ")
        return JSONWriter(appendingTo: buffer)
    }

    private static func finishEvent(_ json: JSONWriter) -> ByteBuffer {
        var buffer = json.buffer
        buffer.writeStaticString("\n\n")
        return buffer
    }

    /// Azure's first event: empty id/model/object, `created: 0`, `choices: []`, prompt filters.
    private static let azurePromptFilterEvent: ByteBuffer = {
        var json = eventWriter()
        json.object { json in
            json.rawField("choices", "[]")
            json.field("created", 0)
            json.field("id", "")
            json.field("model", "")
            json.field("object", "")
            json.rawField("prompt_filter_results", AzureContentFilter.promptFilterResults)
        }
        return finishEvent(json)
    }()
}

extension FakeProvider.StreamDialect {
    /// Together and Perplexity start straight with content.
    var hasRoleChunk: Bool {
        switch self {
        case .together, .perplexity: return false
        default: return true
        }
    }

    /// Dialects whose content deltas repeat `"role": "assistant"`.
    var repeatsRole: Bool {
        switch self {
        case .together, .perplexity, .roleOnEveryDelta: return true
        default: return false
        }
    }
}
