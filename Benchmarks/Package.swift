// swift-tools-version:6.1
import PackageDescription

// A separate package so that the benchmark harness and its dependencies stay out of the main
// manifest (swift-nio does the same). Run from this directory:
//   swift package --allow-writing-to-package-directory benchmark
let package = Package(
    name: "orch8-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "orch8", path: ".."),
        // The explicit trait matters: the default traits pull a runtime interposer that is not
        // available here (see STYLE.md §4).
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "Orch8Core", package: "orch8"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        .executableTarget(
            name: "PluginBenchmarks",
            dependencies: [
                .product(name: "Orch8Core", package: "orch8"),
                .product(name: "Orch8Plugins", package: "orch8"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/PluginBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
