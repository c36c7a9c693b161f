// swift-tools-version:6.0
// The floor under the gateway's added latency: the least a SwiftNIO server (and a SwiftNIO server with
// AsyncHTTPClient) can add on this machine. Not part of the gateway or its tests; see ../floor.sh.
import PackageDescription

let package = Package(
    name: "floor",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .executableTarget(
            name: "floor",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ])
    ]
)
