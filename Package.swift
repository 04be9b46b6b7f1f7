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
        // Exported so that the Benchmarks/ package can measure it.
        .library(name: "Orch8Core", targets: ["Orch8Core"])
    ],
    targets: [
        // Pure model and semantics: no package dependencies, no I/O (DESIGN.md §1).
        .target(name: "Orch8Core", swiftSettings: swiftSettings),
        .testTarget(name: "Orch8CoreTests", dependencies: ["Orch8Core"], swiftSettings: swiftSettings),
    ]
)
