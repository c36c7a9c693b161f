/// Chat `usage` objects in each provider's shape (fixtures: `openai/chat-response-basic.json`,
/// `deepseek/chat-response-reasoning.json`, `groq/chat-stream-x-groq.txt`, …).
enum UsageEncoder {
    /// Writes the usage object as the next value.
    static func write(_ usage: ChatPlan.Usage, provider: FakeProvider, into json: inout JSONWriter) {
        json.object { json in
            switch provider {
            case .openai, .azureOpenAI, .openaiCompatible, .fireworks:
                Self.counts(usage, into: &json)
                json.rawField("prompt_tokens_details", #"{"cached_tokens":0,"audio_tokens":0}"#)
                json.object("completion_tokens_details") { json in
                    json.field("reasoning_tokens", usage.reasoning)
                    json.field("audio_tokens", 0)
                    json.field("accepted_prediction_tokens", 0)
                    json.field("rejected_prediction_tokens", 0)
                }
            case .deepseek:
                Self.counts(usage, into: &json)
                json.rawField("prompt_tokens_details", #"{"cached_tokens":0}"#)
                json.object("completion_tokens_details") { json in
                    json.field("reasoning_tokens", usage.reasoning)
                }
                json.field("prompt_cache_hit_tokens", 0)
                json.field("prompt_cache_miss_tokens", usage.prompt)
            case .mistral, .vllm:
                json.field("prompt_tokens", usage.prompt)
                json.field("total_tokens", usage.total)
                json.field("completion_tokens", usage.completion)
                if provider == .vllm { json.nullField("prompt_tokens_details") }
            case .groq:
                Self.groq(usage, into: &json)
            case .qwen:
                Self.counts(usage, into: &json)
                if usage.reasoning > 0 {
                    json.object("completion_tokens_details") { json in
                        json.field("reasoning_tokens", usage.reasoning)
                    }
                }
                json.rawField("prompt_tokens_details", #"{"cached_tokens":0}"#)
            case .xai:
                Self.counts(usage, into: &json)
                json.object("prompt_tokens_details") { json in
                    json.field("text_tokens", usage.prompt)
                    json.field("audio_tokens", 0)
                    json.field("image_tokens", 0)
                    json.field("cached_tokens", 0)
                }
                json.object("completion_tokens_details") { json in
                    json.field("reasoning_tokens", usage.reasoning)
                    json.field("audio_tokens", 0)
                    json.field("accepted_prediction_tokens", 0)
                    json.field("rejected_prediction_tokens", 0)
                }
                json.field("num_sources_used", 0)
            case .together:
                Self.counts(usage, into: &json)
                json.field("cached_tokens", 0)
            case .perplexity:
                Self.counts(usage, into: &json)
                json.field("search_context_size", "low")
                // USD at $1 per million tokens each way plus Sonar's $0.005 request fee.
                let input = Double(usage.prompt) / 1_000_000
                let output = Double(usage.completion) / 1_000_000
                json.object("cost") { json in
                    json.field("input_tokens_cost", input)
                    json.field("output_tokens_cost", output)
                    json.field("request_cost", 0.005)
                    json.field("total_cost", input + output + 0.005)
                }
            case .openrouter:
                Self.counts(usage, into: &json)
                json.field("cost", Self.openRouterCost(usage))
                json.field("is_byok", false)
                json.rawField("prompt_tokens_details", #"{"cached_tokens":0,"audio_tokens":0}"#)
                json.rawField("cost_details", #"{"upstream_inference_cost":null}"#)
                json.object("completion_tokens_details") { json in
                    json.field("reasoning_tokens", usage.reasoning)
                    json.field("image_tokens", 0)
                }
            // Native dialects write their own usage; they never reach the OpenAI encoders.
            case .ollama, .anthropic, .gemini, .bedrock, .cohere:
                Self.counts(usage, into: &json)
            }
        }
    }

    /// Groq's usage with its timing fields; used at the top level and inside `x_groq`.
    static func writeGroq(_ usage: ChatPlan.Usage, into json: inout JSONWriter) {
        json.object { json in Self.groq(usage, into: &json) }
    }

    /// `{"prompt_tokens","total_tokens"}` for embeddings and `{"prompt_tokens","completion_tokens","total_tokens"}`
    /// for legacy completions, which every provider reports the plain way.
    static func writePlain(prompt: Int, completion: Int?, into json: inout JSONWriter) {
        json.object { json in
            json.field("prompt_tokens", prompt)
            if let completion {
                json.field("completion_tokens", completion)
                json.field("total_tokens", prompt + completion)
            } else {
                json.field("total_tokens", prompt)
            }
        }
    }

    private static func counts(_ usage: ChatPlan.Usage, into json: inout JSONWriter) {
        json.field("prompt_tokens", usage.prompt)
        json.field("completion_tokens", usage.completion)
        json.field("total_tokens", usage.total)
    }

    private static func groq(_ usage: ChatPlan.Usage, into json: inout JSONWriter) {
        json.field("queue_time", 0.02)
        json.field("prompt_tokens", usage.prompt)
        json.field("prompt_time", 0.002)
        json.field("completion_tokens", usage.completion)
        json.field("completion_time", 0.004)
        json.field("total_tokens", usage.total)
        json.field("total_time", 0.006)
        if usage.reasoning > 0 {
            json.object("completion_tokens_details") { json in
                json.field("reasoning_tokens", usage.reasoning)
            }
        }
    }

    /// USD at $1 per million input and $4 per million output tokens.
    private static func openRouterCost(_ usage: ChatPlan.Usage) -> Double {
        Double(usage.prompt + 4 * usage.completion) / 1_000_000
    }
}
