import DialectBedrock
import Foundation
import SwitchyardConfig
import SwitchyardCore

/// Amazon Bedrock's Converse API: a Bedrock API key is a plain Bearer header; with IAM access keys every
/// request is SigV4-signed over its final bytes.
public struct BedrockAdapter: ProviderAdapter {
    public init() {}

    public var dialect: Dialect { .bedrock }

    public func passthroughPath(_ operation: ProviderOperation) -> String? { nil }

    public func codec(maxOutputTokens: Int?) -> any ProviderCodec { BedrockCodec() }

    public func endpoint(_ provider: GatewayConfig.Provider, model: String, path: String) -> ProviderEndpoint {
        ProviderEndpoint(url: (provider.effectiveBaseURL ?? "") + path, provider: provider, auth: .bearer)
    }

    public func sign(_ endpoint: ProviderEndpoint, body: [UInt8], provider: GatewayConfig.Provider) throws(GatewayError)
        -> ProviderEndpoint
    {
        guard provider.apiKey == nil, let accessKey = provider.awsAccessKeyID, let secret = provider.awsSecretAccessKey
        else { return endpoint }
        guard let url = URLComponents(string: endpoint.url), let host = url.host else {
            throw GatewayError(.internalError, "The Bedrock endpoint URL is not valid.")
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        let credentials = AWSCredentials(
            accessKeyId: accessKey, secretAccessKey: secret, sessionToken: provider.awsSessionToken)
        let query = (url.percentEncodedQueryItems ?? []).map { ($0.name, $0.value ?? "") }
        var signed = endpoint
        let headers = BedrockAuth.headers(
            for: .aws(credentials), host: hostHeader, path: url.percentEncodedPath, query: query, body: body,
            region: provider.region ?? "us-east-1", date: Date())
        // The HTTP client writes the same Host header itself; every other signed header is added here.
        signed.headers.append(contentsOf: headers.filter { $0.0.lowercased() != "host" })
        return signed
    }
}
