import SwitchyardCore

/// The codec for each provider dialect.
enum ProviderCodecs {
    static func codec(for deployment: Deployment) -> (any ProviderCodec)? {
        let kind = deployment.provider.kind
        switch kind.dialect {
        case .openai: return OpenAIChatCodec(usageFlavor: kind.usageFlavor)
        case .anthropic, .gemini, .bedrock, .cohere: return nil
        }
    }
}
