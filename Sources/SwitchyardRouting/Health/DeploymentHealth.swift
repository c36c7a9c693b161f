import SwitchyardConfig
import SwitchyardCore

/// What the attempt loop asks before trying a deployment and tells after each attempt: the seat of circuit
/// breakers, cooldowns and latency tracking. Called on the request path, so implementations must not block.
public protocol DeploymentHealth: Sendable {
    /// Whether to try the deployment now (an open breaker says no).
    func admits(_ deployment: Deployment) -> Bool
    /// The result of one attempt on it.
    func observe(_ attempt: AttemptRecord)
}

/// Every deployment is always tried (no breakers yet).
public struct AlwaysHealthy: DeploymentHealth {
    public init() {}
    public func admits(_ deployment: Deployment) -> Bool { true }
    public func observe(_ attempt: AttemptRecord) {}
}
