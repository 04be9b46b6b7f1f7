import Benchmark
import Foundation
import Orch8Core

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    let context = SampleContext.json
    let text = context.serialized()

    // The baseline: what one JSON encode + decode of the same context costs.
    Benchmark("JSON encode+decode of the step context") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSON.parse(context.serialized()))
        }
    }
    Benchmark("JSON decode of the step context") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSON.parse(text))
        }
    }
    // For scale: the same decode with Foundation (which cannot keep 3000 and 3000.0 apart).
    let data = Data(text.utf8)
    Benchmark("Foundation JSONSerialization decode of the step context") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try JSONSerialization.jsonObject(with: data))
        }
    }

    // What the engine does per step: render the step's params from a template compiled once.
    let scope = SampleContext.scope
    let params = Template(SampleContext.params)
    Benchmark("Template render of typical step params (10 templates, 3 filters)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try params.render(in: scope))
        }
    }
    // What a router does per route: evaluate a condition parsed once.
    let condition = try! Expression(parsing: SampleContext.routerCondition)
    Benchmark("Router condition evaluation") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(condition.isTrue(in: scope))
        }
    }
}
