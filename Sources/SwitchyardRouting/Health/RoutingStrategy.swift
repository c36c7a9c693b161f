import SwitchyardConfig
import SwitchyardCore

/// Orders a plan's deployments for one request: the seat of latency-, cost- and load-aware choice.
public protocol RoutingStrategy: Sendable {
    func order(_ deployments: [Deployment]) -> [Deployment]
}

/// The plan's own order: the weighted pick first, the rest of the split, then the fallbacks.
public struct PlanOrder: RoutingStrategy {
    public init() {}
    public func order(_ deployments: [Deployment]) -> [Deployment] { deployments }
}
