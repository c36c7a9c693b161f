import SwitchyardCore

/// Request signing for providers that authenticate with a signature over the request rather than a
/// key header (AWS SigV4 for Bedrock with access keys).
enum ProviderSigning {
    static func sign(
        _ endpoint: ProviderEndpoint, body: [UInt8], provider: GatewayConfig.Provider
    ) throws(GatewayError) -> ProviderEndpoint {
        endpoint
    }
}
