import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the connection's channel, which `hang`/`hang_after`
/// watch to learn that the client has gone (`ClientDepartureWatcher`).
struct FakeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
