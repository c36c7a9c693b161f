import NIOCore

/// Non-streamed `chat.completion` bodies, in the shapes of `openai/chat-response-basic.json`,
/// `azure-openai/chat-response.json`, `perplexity/chat-response.json`, `vllm/…` and the rest.
enum ChatCompletionEncoder {
    static func encode(_ plan: ChatPlan) -> ByteBuffer {
        let provider = plan.provider
        var json = JSONWriter(capacity: 1024)
        json.object { json in
            json.field("id", plan.id)
            json.field("object", "chat.completion")
            json.field("created", plan.created)
            json.field("model", plan.model)
            if provider == .openrouter { json.field("provider", "FakeProvider") }
            json.array("choices") { json in
                for index in 0..<plan.choiceCount {
                    Self.choice(plan, index: index, into: &json)
                }
            }
            json.key("usage")
            UsageEncoder.write(plan.usage, provider: provider, into: &json)
            if provider == .perplexity {
                json.rawField("citations", PerplexitySearch.citations)
                json.rawField("search_results", PerplexitySearch.searchResults)
            }
            if provider == .azureOpenAI {
                json.rawField("prompt_filter_results", AzureContentFilter.promptFilterResults)
            }
            json.field("system_fingerprint", provider.systemFingerprint)
            json.field("service_tier", provider.serviceTier)
            if provider == .groq {
                json.nullField("usage_breakdown")
                json.object("x_groq") { json in json.field("id", plan.requestID) }
            }
            if provider == .vllm {
                json.nullField("prompt_logprobs")
                json.nullField("kv_transfer_params")
            }
        }
        return json.buffer
    }

    private static func choice(_ plan: ChatPlan, index: Int, into json: inout JSONWriter) {
        let provider = plan.provider
        json.object { json in
            json.field("index", index)
            json.object("message") { json in
                Self.message(plan, choice: index, into: &json)
            }
            if provider.choiceHasLogprobs { json.nullField("logprobs") }
            json.field("finish_reason", plan.finishReason)
            switch provider {
            case .openrouter: json.field("native_finish_reason", plan.finishReason)
            case .vllm: json.nullField("stop_reason")
            case .azureOpenAI: json.rawField("content_filter_results", AzureContentFilter.completionResults)
            case .perplexity: json.rawField("delta", #"{"role":"assistant","content":""}"#)
            default: break
            }
        }
    }

    private static func message(_ plan: ChatPlan, choice: Int, into json: inout JSONWriter) {
        let provider = plan.provider
        let style = provider.messageStyle
        json.field("role", "assistant")
        switch plan.answer {
        case .text(let pieces):
            json.field("content", pieces.joined())
        case .toolCall:
            // Mistral sends "" next to tool calls; the OpenAI family sends null.
            if style == .mistral { json.field("content", "") } else { json.nullField("content") }
        }
        if let reasoning = plan.reasoning, let field = provider.reasoningField {
            json.key(field)
            json.string(reasoning)
        }
        switch style {
        case .openai:
            json.nullField("refusal")
            json.rawField("annotations", "[]")
        case .refusal:
            json.nullField("refusal")
            if provider == .openrouter, plan.reasoning == nil { json.nullField("reasoning") }
        case .vllm:
            json.nullField("refusal")
            json.nullField("annotations")
            json.nullField("audio")
            json.nullField("function_call")
            if plan.reasoning == nil { json.nullField("reasoning") }
        case .mistral, .plain:
            break
        }
        if case .toolCall(let call) = plan.answer {
            json.array("tool_calls") { json in
                json.object { json in
                    json.field("id", call.ids[choice])
                    json.field("type", "function")
                    json.object("function") { json in
                        json.field("name", call.name)
                        json.field("arguments", call.arguments)
                    }
                    if provider == .mistral { json.field("index", 0) }
                }
            }
        } else if style == .mistral {
            json.nullField("tool_calls")
        } else if style == .vllm {
            json.rawField("tool_calls", "[]")
        }
    }
}
