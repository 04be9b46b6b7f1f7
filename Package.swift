// swift-tools-version:6.1
import PackageDescription

// Upcoming features from STYLE.md §3.20: they keep imports honest and existentials explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "orch8",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "orch8", targets: ["Orch8CLI"]),
        // The gRPC plugin client's benchmark against h2load (docs/benchmarks.md).
        .executable(name: "orch8-h2bench", targets: ["Orch8H2Bench"]),
        // Exported so that the Benchmarks/ package can measure them.
        .library(name: "Orch8Core", targets: ["Orch8Core"]),
        .library(name: "Orch8Plugins", targets: ["Orch8Plugins"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Exact: the memory limiter is SPI (DESIGN.md §4); one explicit trait keeps build and test
        // from recompiling it with different flags.
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2", traits: ["MultiThread"]),
        // The gRPC plugins' HTTP/2 client (async-http-client cannot speak h2c; DESIGN.md §4).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // http_request's client.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The PostgreSQL Store (several engine nodes on one database).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // `GET /metrics`: the engine's counters, gauges and histograms as Prometheus text.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .executableTarget(
            name: "Orch8H2Bench",
            dependencies: [
                "Orch8Plugins",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure model and semantics: no package dependencies, no I/O (DESIGN.md §1).
        .target(name: "Orch8Core", swiftSettings: swiftSettings),
        // The Store implementations behind Orch8Core's Store protocol.
        .target(
            name: "Orch8Storage",
            dependencies: [
                "Orch8Core",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Built-in step handlers.
        .target(
            name: "Orch8Handlers",
            dependencies: [
                "Orch8Core",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The plugin system: registry cache and tenant resolution, the WASM sandbox.
        .target(
            name: "Orch8Plugins",
            dependencies: [
                "Orch8Core",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The engine service: claims instances and runs their steps against a Store.
        .target(
            name: "Orch8Engine",
            dependencies: [
                "Orch8Core", "Orch8Handlers", "Orch8Plugins",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The REST API; `buildApplication` is the one composition root.
        .target(
            name: "Orch8API",
            dependencies: [
                "Orch8Core", "Orch8Engine", "Orch8Storage", "Orch8Plugins",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The OpenAPI document, compiled into the binary so that it is served wherever the binary goes.
            resources: [.embedInCode("Resources/openapi.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Orch8CLI",
            dependencies: [
                "Orch8API", "Orch8Plugins", "Orch8Handlers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // The client commands' REST client.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "Orch8CoreTests", dependencies: ["Orch8Core"], swiftSettings: swiftSettings),
        .testTarget(
            name: "Orch8StorageTests",
            dependencies: ["Orch8Core", "Orch8Storage"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Orch8PluginsTests",
            dependencies: [
                "Orch8Core", "Orch8Plugins",
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "WasmKit", package: "WasmKit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Orch8EngineTests",
            dependencies: [
                "Orch8Core", "Orch8Engine", "Orch8Handlers", "Orch8Storage", "Orch8Plugins",
                .product(name: "WAT", package: "WasmKit"),
            ],
            swiftSettings: swiftSettings
        ),
        // Starts the real `orch8` binary (built with the tests) and talks to it over HTTP.
        .testTarget(
            name: "Orch8EndToEndTests",
            dependencies: [
                "Orch8Core", "Orch8Storage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "Orch8APITests",
            dependencies: [
                "Orch8API", "Orch8Core", "Orch8Storage", "Orch8Engine", "Orch8Handlers", "Orch8Plugins",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // Captures the engine's log lines to check their metadata (MetricsTests).
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
