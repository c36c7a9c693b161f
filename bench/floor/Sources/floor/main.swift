import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

// floor fixed PORT          answers every request with a fixed JSON body (no upstream)
// floor proxy PORT URL      forwards every request body to URL (POST) and relays the answer's body
// One event loop, no async/await: the shortest path SwiftNIO and AsyncHTTPClient allow.

let arguments = CommandLine.arguments
guard arguments.count >= 3, let port = Int(arguments[2]), arguments[1] == "fixed" || arguments.count >= 4 else {
    print("usage: floor fixed PORT | floor proxy PORT URL")
    exit(2)
}
let mode = arguments[1]
let upstreamURL = arguments.count >= 4 ? arguments[3] : ""
let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
var configuration = HTTPClient.Configuration()
configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
configuration.tracing.tracer = nil
let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
let fixedBody = ByteBuffer(string: #"{"id":"floor","object":"chat.completion","choices":[]}"#)

final class FloorHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private var body = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            guard mode == "proxy" else {
                respond(context: context, status: .ok, fixedBody)
                return
            }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            do {
                var headers = HTTPHeaders()
                headers.add(name: "content-type", value: "application/json")
                let request = try HTTPClient.Request(url: upstreamURL, method: .POST, headers: headers, body: .byteBuffer(body))
                client.execute(
                    request: request, delegate: ResponseAccumulator(request: request),
                    eventLoop: .delegate(on: context.eventLoop)
                ).futureResult.whenComplete { result in
                    switch result {
                    case .success(let response):
                        self.respond(context: bound.value, status: response.status, response.body ?? ByteBuffer())
                    case .failure:
                        self.respond(context: bound.value, status: .badGateway, ByteBuffer())
                    }
                }
            } catch {
                respond(context: context, status: .badRequest, ByteBuffer())
            }
        }
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, _ out: ByteBuffer) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(out.readableBytes))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(out))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

let server = try await ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(FloorHandler())
        }
    }
    .bind(host: "127.0.0.1", port: port).get()
print("floor \(mode) listening on 127.0.0.1:\(port)")
try await server.closeFuture.get()
