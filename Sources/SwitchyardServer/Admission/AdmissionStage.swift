import SwitchyardCore
import SwitchyardRouting

/// What admission decides on: who asks, for which model and plan, and how.
struct AdmissionRequest: Sendable {
    let identity: Identity
    let plan: RoutePlan
    let stream: Bool
    let requestBytes: Int
}

/// One rule a request must pass before its first attempt (access lists, rate limits, budget reservations,
/// a cache lookup): throws the refusal, in canonical form; the endpoint writes it in the client's dialect.
protocol AdmissionPolicy: Sendable {
    func admit(_ request: AdmissionRequest) throws(GatewayError)
}

/// The policies in order; empty today (the master key is allowed everything).
struct AdmissionStage: Sendable {
    let policies: [any AdmissionPolicy]

    func admit(_ request: AdmissionRequest) throws(GatewayError) {
        for policy in policies { try policy.admit(request) }
    }
}
