import DialectAnthropic
import DialectBedrock
import DialectCohere
import DialectGemini
import SwitchyardCore

/// The codec for each provider dialect.
enum ProviderCodecs {
    static func codec(for deployment: Deployment) -> (any ProviderCodec)? {
        let kind = deployment.provider.kind
        switch kind.dialect {
        case .openai: return OpenAIChatCodec(usageFlavor: kind.usageFlavor)
        case .cohere: return CohereCodec()
        case .anthropic:
            // Anthropic requires max_tokens; the catalog's max output is the natural default.
            let maxOutput = deployment.maxOutputTokens ?? AnthropicCodec.fallbackMaxTokens
            return AnthropicCodec(defaultMaxTokens: maxOutput)
        case .bedrock: return BedrockCodec()
        case .gemini: return GeminiCodec()
        }
    }
}
