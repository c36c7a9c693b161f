import DialectBedrock
import Foundation
import SwitchyardCore

/// Request signing for providers that authenticate with a signature over the request rather than a
/// key header: AWS SigV4 for Bedrock with access keys (a Bedrock API key is a plain Bearer header).
enum ProviderSigning {
    static func sign(
        _ endpoint: ProviderEndpoint, body: [UInt8], provider: GatewayConfig.Provider
    ) throws(GatewayError) -> ProviderEndpoint {
        guard provider.kind.dialect == .bedrock, provider.apiKey == nil,
            let accessKey = provider.awsAccessKeyID, let secret = provider.awsSecretAccessKey
        else { return endpoint }
        guard let url = URLComponents(string: endpoint.url), let host = url.host else {
            throw GatewayError(.internalError, "The Bedrock endpoint URL is not valid.")
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        let region = provider.region ?? "us-east-1"
        let credentials = AWSCredentials(
            accessKeyId: accessKey, secretAccessKey: secret, sessionToken: provider.awsSessionToken)
        let query = (url.percentEncodedQueryItems ?? []).map { ($0.name, $0.value ?? "") }
        var signed = endpoint
        let headers = BedrockAuth.headers(
            for: .aws(credentials), host: hostHeader, path: url.percentEncodedPath, query: query, body: body,
            region: region, date: Date())
        // The HTTP client writes the same Host header itself; every other signed header is added here.
        signed.headers.append(contentsOf: headers.filter { $0.0.lowercased() != "host" })
        return signed
    }
}
