import HTTPTypes
import SwitchyardCore
import SwitchyardGovernance
import SwitchyardRouting
import SwitchyardStore

/// What admission decides on: who asks, for which model and plan, and how.
struct AdmissionRequest: Sendable {
    let identity: Identity
    let plan: RoutePlan
    let stream: Bool
    let requestBytes: Int
    /// The client's `max_tokens` / `max_completion_tokens`, when it set one.
    var maxOutputTokens: Int? = nil
}

/// One rule a request must pass before its first attempt: throws the refusal, in canonical form; the
/// endpoint writes it in the client's dialect.
protocol AdmissionPolicy: Sendable {
    func admit(_ request: AdmissionRequest) throws(GatewayError)
}

/// What an admitted request carries to its end: the governance hold to settle, and headers for its answer.
struct Admission: Sendable {
    var ticket: AdmissionTicket?
    var headers: HTTPFields = [:]
}

/// Before the first attempt (DESIGN.md "admission"): the spend log's backpressure, the configured
/// policies, then governance — a virtual key's allow-list, rate limits and budget reservation.
struct AdmissionStage: Sendable {
    let policies: [any AdmissionPolicy]
    let governance: Governance?
    let spendWriter: SpendWriter?

    init(policies: [any AdmissionPolicy], governance: Governance? = nil, spendWriter: SpendWriter? = nil) {
        self.policies = policies
        self.governance = governance
        self.spendWriter = spendWriter
    }

    /// The output limit assumed for a worst case when neither the request nor the catalog gives one.
    static let defaultOutputLimit = 4096

    func admit(_ request: AdmissionRequest) async throws(GatewayError) -> Admission {
        if let spendWriter, spendWriter.isBackedUp {
            throw GatewayError(
                .overloaded, "The gateway cannot record requests right now (its store is behind); try again shortly.",
                code: "overloaded", retryAfter: "5")
        }
        for policy in policies { try policy.admit(request) }
        guard let grant = request.identity.grant, let governance else { return Admission() }

        let plan = request.plan
        var names = [plan.publicName]
        if let first = plan.deployments.first, first.label != plan.publicName { names.append(first.label) }
        // Worst case: input at two bytes a token (above every tokenizer's average for text), output at the
        // request's limit, else the model's, priced at the most expensive planned deployment.
        let inputEstimate = request.requestBytes / 2
        var worstCase: MicroUSD? = 0
        var outputLimit = 0
        var inputCost: MicroUSD = 0
        var outputPrice = 0.0
        for deployment in plan.deployments {
            let output = request.maxOutputTokens ?? deployment.maxOutputTokens ?? Self.defaultOutputLimit
            outputLimit = max(outputLimit, output)
            guard let price = deployment.price else {
                worstCase = nil
                break
            }
            let cost = price.costMicroUSD(of: Usage(input: inputEstimate, output: output))
            worstCase = worstCase.map { max($0, cost) }
            let input = price.micro(of: Usage(input: inputEstimate))
            inputCost = max(inputCost, MicroUSD(input.rounded(.up)))
            // The output rate at this prompt size (a long-context tier may apply).
            outputPrice = max(outputPrice, price.micro(of: Usage(input: inputEstimate, output: 1)) - input)
        }
        let query = AdmissionQuery(
            names: names, model: plan.publicName, worstCase: worstCase,
            estimatedTokens: request.requestBytes / 4 + outputLimit,
            fitting: AdmissionQuery.Fitting(inputCost: inputCost, outputLimit: outputLimit, outputPricePerToken: outputPrice))
        switch await governance.admit(grant, query) {
        case .success(let ticket):
            return Admission(ticket: ticket, headers: HTTPFields(pairs: ticket.rateLimitHeaders))
        case .failure(let refusal):
            throw Self.error(for: refusal)
        }
    }

    /// CONTRACT §2's error table.
    static func error(for refusal: Refusal) -> GatewayError {
        switch refusal {
        case .modelNotAllowed(let model):
            return GatewayError(.permission, "The model '\(model)' is not allowed for this key.", param: "model", code: "model_not_allowed")
        case .rateLimited(let limit, let seconds):
            var error = GatewayError(
                .rateLimited, "Rate limit exceeded: the \(limit) limit is reached. Retry after \(seconds)s.",
                code: "rate_limit_exceeded", retryAfter: String(seconds))
            error.openAIType = "rate_limit_error"
            return error
        case .tooManyParallel(let limit):
            var error = GatewayError(
                .rateLimited, "Too many parallel requests: this key allows \(limit) at once.",
                code: "too_many_parallel_requests", retryAfter: "1")
            error.openAIType = "rate_limit_error"
            return error
        case .budgetExceeded(let scope, let period):
            return GatewayError(
                .quotaExhausted, "Budget exceeded: the \(scope) budget for this \(period.rawValue) cannot cover this request.",
                code: "budget_exceeded")
        case .unpriced(let model, let scope):
            return GatewayError(
                .quotaExhausted, "Budget exceeded: '\(model)' has no price in the catalog, so the \(scope) budget cannot be enforced for it.",
                code: "budget_exceeded")
        case .storeUnavailable:
            return GatewayError(
                .overloaded, "The budget store cannot be reached; budgets are enforced, so the request is refused.",
                code: "overloaded", retryAfter: "1")
        }
    }
}
