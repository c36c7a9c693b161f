// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "switchyard",
    platforms: [.macOS(.v14)],
    products: [
        .library(
            name: "SwitchyardCore",
            targets: [
                "SwitchyardCore", "DialectOpenAI", "DialectAnthropic", "DialectGemini", "DialectBedrock", "DialectCohere",
                "SwitchyardConfig", "SwitchyardRouting", "SwitchyardProviders",
            ]),
        .library(name: "SwitchyardServer", targets: ["SwitchyardServer"]),
        .executable(name: "switchyard", targets: ["switchyard"]),
        .executable(name: "switchyard-fake-providers", targets: ["FakeProviders"]),
        .library(name: "FakeProviderKit", targets: ["FakeProviderKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        // The layers, bottom up (README "Layout"): canonical types, wire helpers and the codec protocol; one
        // module per dialect, OpenAI's included; config and catalog; routing and the provider adapters; the server.
        .target(
            name: "SwitchyardCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            // Full cross-module optimisation: the dialect modules and the server call the core's JSON and SSE
            // helpers on every event; without it they run unspecialised (+9 % CPU on a translated stream,
            // docs/BENCHMARKS.md). `unsafeFlags` is fine for a root package.
            swiftSettings: swiftSettings + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
        ),
        .target(name: "DialectOpenAI", dependencies: ["SwitchyardCore"], path: "Sources/Dialects/OpenAI", swiftSettings: swiftSettings),
        .target(name: "DialectAnthropic", dependencies: ["SwitchyardCore"], path: "Sources/Dialects/Anthropic", swiftSettings: swiftSettings),
        .target(name: "DialectGemini", dependencies: ["SwitchyardCore"], path: "Sources/Dialects/Gemini", swiftSettings: swiftSettings),
        .target(
            name: "DialectBedrock",
            dependencies: ["SwitchyardCore", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Dialects/Bedrock", swiftSettings: swiftSettings),
        .target(name: "DialectCohere", dependencies: ["SwitchyardCore"], path: "Sources/Dialects/Cohere", swiftSettings: swiftSettings),
        .testTarget(name: "DialectAnthropicTests", dependencies: ["DialectAnthropic"], swiftSettings: swiftSettings),
        .testTarget(name: "DialectGeminiTests", dependencies: ["DialectGemini"], swiftSettings: swiftSettings),
        .testTarget(name: "DialectBedrockTests", dependencies: ["DialectBedrock"], swiftSettings: swiftSettings),
        .testTarget(name: "DialectCohereTests", dependencies: ["DialectCohere", "DialectOpenAI"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DialectMatrixTests",
            dependencies: ["SwitchyardCore", "DialectOpenAI", "DialectAnthropic", "DialectGemini", "DialectBedrock", "DialectCohere"],
            swiftSettings: swiftSettings),
        .target(
            name: "SwitchyardConfig",
            dependencies: ["SwitchyardCore", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Catalog/Resources/catalog.json")],
            swiftSettings: swiftSettings
        ),
        .target(name: "SwitchyardRouting", dependencies: ["SwitchyardConfig"], swiftSettings: swiftSettings),
        .target(
            name: "SwitchyardProviders",
            dependencies: [
                "SwitchyardConfig", "DialectOpenAI", "DialectAnthropic", "DialectGemini", "DialectBedrock", "DialectCohere",
            ],
            swiftSettings: swiftSettings
        ),
        // The store (SQLite, PostgreSQL, memory) knows nothing of routing; governance (keys, teams, limits,
        // budgets) sits on it, below the server.
        .target(
            name: "SwitchyardStore",
            dependencies: [
                "SwitchyardCore",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardGovernance",
            dependencies: [
                "SwitchyardStore", "SwitchyardConfig",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardTestSupport",
            dependencies: ["SwitchyardStore", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Tests/SwitchyardTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardStoreTests",
            dependencies: [
                "SwitchyardStore", "SwitchyardGovernance", "SwitchyardTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchyardServer",
            dependencies: [
                "SwitchyardCore", "DialectOpenAI", "DialectAnthropic", "DialectGemini", "DialectBedrock", "DialectCohere",
                "SwitchyardConfig", "SwitchyardRouting", "SwitchyardProviders", "SwitchyardStore", "SwitchyardGovernance",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchyard",
            dependencies: [
                "SwitchyardServer", "SwitchyardStore", "SwitchyardGovernance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FakeProviders",
            dependencies: [
                "FakeProviderKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FakeProviderKit",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FakeProviderKitTests",
            dependencies: [
                "FakeProviderKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardCoreTests",
            dependencies: [
                "SwitchyardCore", "DialectOpenAI", "DialectAnthropic", "DialectGemini", "DialectBedrock", "SwitchyardConfig",
                "SwitchyardRouting", "SwitchyardProviders",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchyardServerTests",
            dependencies: [
                "SwitchyardServer",
                "FakeProviderKit",
                "SwitchyardTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
