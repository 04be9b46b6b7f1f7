import Benchmark
import Foundation
import Orch8Core
import Orch8Plugins

/// The guide's text classifier: one call through the WASM sandbox (fresh instance per call, module
/// cached) with a ~200-byte and a 100 KB input, beside the same classification in native Swift.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        maxDuration: .seconds(4),
        maxIterations: 100_000
    )
    let module = ClassifierModule.path
    let runtime = WasmRuntime()
    let small = ClassifierModule.envelope(text: ClassifierModule.smallText)
    let large = ClassifierModule.envelope(text: ClassifierModule.largeText)

    Benchmark("wasm classifier, ~200 B envelope (fresh instance)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(await runtime.invoke(path: module, config: nil, input: small, timeout: .seconds(5)))
        }
    }
    Benchmark("wasm classifier, 100 KB envelope (fresh instance)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(await runtime.invoke(path: module, config: nil, input: large, timeout: .seconds(5)))
        }
    }
    // The baseline: the same work in Swift, from envelope JSON text to output JSON text.
    let smallText = small.serializedBytes()
    let largeText = large.serializedBytes()
    Benchmark("native Swift classifier, ~200 B envelope") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(NativeClassifier.handle(smallText))
        }
    }
    Benchmark("native Swift classifier, 100 KB envelope") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(NativeClassifier.handle(largeText))
        }
    }
}
