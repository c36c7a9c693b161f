import NIOCore
import SwitchyardCore

/// What one attempt produced (DESIGN.md "An attempt produces an upstream answer"): never an HTTP
/// response — how the client sees it is its inbound dialect's business.
enum UpstreamAnswer: Sendable {
    /// A complete answer, read for usage; decoded too when the request was translated.
    case whole(WholeAnswer)
    /// A stream whose first bytes arrived.
    case stream(UpstreamStream)
}

struct WholeAnswer: Sendable {
    let contentType: String?
    /// The provider's bytes.
    let body: ByteBuffer
    let usage: Usage?
    /// The canonical answer, for a translated request.
    let decoded: ChatResponse?
}

/// How a request went to the provider.
enum Route: Sendable {
    /// The client's own bytes (same dialect), only the model replaced.
    case passthrough
    /// Encoded from the canonical request by the provider's codec; `adjustments` are the client parameters
    /// honoured another way than sending them (`Adjustment`).
    /// Boxed (`indirect`, one allocation on the translated path): the canonical request is large, and every
    /// stream keeps its route as long as it lasts.
    indirect case translated(ChatRequest, adjustments: [String])

    var adjustments: [String] {
        if case .translated(_, let adjustments) = self { return adjustments }
        return []
    }
}

/// An attempt's answer with how it was obtained: what the inbound dialect needs to write it.
struct Attempted: Sendable {
    let answer: UpstreamAnswer
    let route: Route
    /// The provider's codec: reads the answer's stream events and usage.
    let codec: any ProviderCodec
}
