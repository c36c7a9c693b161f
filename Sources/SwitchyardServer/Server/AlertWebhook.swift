import AsyncHTTPClient
import Logging
import NIOCore
import SwitchyardCore
import SwitchyardGovernance
import SwitchyardStore

/// Posts budget alerts to `governance.alerts.webhook` (CONTRACT §2 payload). A failed post is retried a
/// few times, then logged; it never affects requests.
struct AlertWebhook: Sendable {
    let url: String
    let logger: Logger

    func post(_ alert: BudgetAlert) async {
        let payload: JSONValue = [
            "type": "budget.soft_limit", "scope": .string(alert.scope.rawValue), "id": .string(alert.id),
            "name": .string(alert.name), "period": .string(alert.period.rawValue), "spent_usd": .double(Money.usd(alert.spent)),
            "soft_usd": .double(Money.usd(alert.soft)), "max_usd": .double(Money.usd(alert.max)),
            "at": .string(UTCTime.format(alert.at)),
        ]
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: JSON.encode(payload)))
        for attempt in 1...3 {
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                _ = try await response.body.collect(upTo: 64 * 1024)
                if (200..<300).contains(response.status.code) { return }
                logger.warning("the budget alert webhook answered \(response.status.code)", metadata: ["attempt": "\(attempt)"])
            } catch {
                logger.warning("could not post a budget alert", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(attempt))
        }
    }
}
