/// Error bodies copied byte for byte (minified) from `shared/fixtures/providers/<provider>/error-*.json`,
/// with the response headers their `manifest.json` entries list (fresh `x-request-id`s are added
/// elsewhere). `status=` picks the first entry for that provider and status; `error=` picks one
/// by name. OpenAI's set also serves the `openai-compatible` prefix.
struct ErrorFixture: Sendable {
    let provider: FakeProvider
    /// The `error=` knob value that selects it.
    let name: String
    let status: Int
    let body: StaticString
    let headers: [(name: String, value: String)]

    static func find(provider: FakeProvider, name: String?, status: Int?) -> ErrorFixture? {
        Self.fixtures(for: provider).first { fixture in
            (name.map { $0 == fixture.name } ?? true) && (status.map { $0 == fixture.status } ?? true)
        }
    }

    static func fixtures(for provider: FakeProvider) -> [ErrorFixture] {
        let owner = provider == .openaiCompatible ? FakeProvider.openai : provider
        return Self.all.filter { $0.provider == owner }
    }

    static let all: [ErrorFixture] = [
        // openai/error-400-invalid-request.json
        ErrorFixture(
            provider: .openai,
            name: "invalid_request",
            status: 400,
            body: #"{"error":{"message":"Invalid value for 'temperature': must be a number between 0 and 2.","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}"#,
            headers: []
        ),
        // openai/error-400-context-length.json
        ErrorFixture(
            provider: .openai,
            name: "context_length",
            status: 400,
            body: #"{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
            headers: []
        ),
        // openai/error-401-invalid-api-key.json
        ErrorFixture(
            provider: .openai,
            name: "invalid_api_key",
            status: 401,
            body: #"{"error":{"message":"Incorrect API key provided: sk-abc1***wxyz. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#,
            headers: []
        ),
        // openai/error-403-unsupported-country.json
        ErrorFixture(
            provider: .openai,
            name: "unsupported_country",
            status: 403,
            body: #"{"error":{"message":"Country, region, or territory not supported","type":"request_forbidden","param":null,"code":"unsupported_country_region_territory"}}"#,
            headers: []
        ),
        // openai/error-404-model-not-found.json
        ErrorFixture(
            provider: .openai,
            name: "model_not_found",
            status: 404,
            body: #"{"error":{"message":"The model `gpt-9-turbo` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
            headers: []
        ),
        // openai/error-429-rate-limit.json
        ErrorFixture(
            provider: .openai,
            name: "rate_limit",
            status: 429,
            body: #"{"error":{"message":"Rate limit reached for gpt-4o in organization org-Abc123 on tokens per min (TPM): Limit 30000, Used 29410, Requested 1200. Please try again in 1.22s.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#,
            headers: [("retry-after", "2"), ("retry-after-ms", "1220"), ("x-ratelimit-limit-tokens", "30000"), ("x-ratelimit-remaining-tokens", "0"), ("x-ratelimit-reset-tokens", "1.22s")]
        ),
        // openai/error-429-insufficient-quota.json
        ErrorFixture(
            provider: .openai,
            name: "insufficient_quota",
            status: 429,
            body: #"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
            headers: []
        ),
        // openai/error-500-server-error.json
        ErrorFixture(
            provider: .openai,
            name: "server_error",
            status: 500,
            body: #"{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"#,
            headers: []
        ),
        // openai/error-503-overloaded.json
        ErrorFixture(
            provider: .openai,
            name: "overloaded",
            status: 503,
            body: #"{"error":{"message":"The engine is currently overloaded, please try again later.","type":"server_error","param":null,"code":"overloaded"}}"#,
            headers: []
        ),
        // azure-openai/error-400-content-filter.json
        ErrorFixture(
            provider: .azureOpenAI,
            name: "content_filter",
            status: 400,
            body: #"{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"},"jailbreak":{"filtered":false,"detected":false}}}}}"#,
            headers: []
        ),
        // azure-openai/error-404-deployment.json
        ErrorFixture(
            provider: .azureOpenAI,
            name: "deployment_not_found",
            status: 404,
            body: #"{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."}}"#,
            headers: []
        ),
        // azure-openai/error-429.json
        ErrorFixture(
            provider: .azureOpenAI,
            name: "rate_limit",
            status: 429,
            body: #"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds."}}"#,
            headers: [("retry-after", "6"), ("retry-after-ms", "6000")]
        ),
        // mistral/error-422-validation.json
        ErrorFixture(
            provider: .mistral,
            name: "validation",
            status: 422,
            body: #"{"detail":[{"type":"missing","loc":["body","messages"],"msg":"Field required","input":{"model":"mistral-medium-latest"}}]}"#,
            headers: []
        ),
        // groq/error-429.json
        ErrorFixture(
            provider: .groq,
            name: "rate_limit",
            status: 429,
            body: #"{"error":{"message":"Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_01abc` service tier `on_demand` on tokens per minute (TPM): Limit 12000, Used 11893, Requested 466. Please try again in 1.795s.","type":"tokens","code":"rate_limit_exceeded"}}"#,
            headers: [("retry-after", "2")]
        ),
        // openrouter/error-402.json
        ErrorFixture(
            provider: .openrouter,
            name: "insufficient_credits",
            status: 402,
            body: #"{"error":{"code":402,"message":"This request requires more credits, or fewer max_tokens. You requested up to 4096 tokens, but can only afford 1310."}}"#,
            headers: []
        ),
        // openrouter/error-429.json
        ErrorFixture(
            provider: .openrouter,
            name: "rate_limit",
            status: 429,
            body: #"{"error":{"code":429,"message":"Provider returned error","metadata":{"raw":"anthropic/claude-sonnet-4.6 is temporarily rate-limited upstream. Please retry shortly.","provider_name":"Anthropic"}},"user_id":"user_6nJSjydvwfWaWBaEG26JAwnSWAb"}"#,
            headers: []
        ),
    ]
}
