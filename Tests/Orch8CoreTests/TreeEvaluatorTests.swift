import Foundation
import Orch8Core
import Testing

/// The block semantics without an engine: a runtime that keeps node states in a dictionary and
/// answers conditions from a table.
struct FakeRuntime: BlockRuntime {
    var instanceID = UUID()
    var nodes: [String: NodeState] = [:]
    var truths: [String: Bool] = [:]
    var started: [String: Int] = [:]
    var list: [JSON] = []
    var caughtFailures: [String] = []
    var variants: [String: Int] = [:]

    func state(of blockID: String) -> NodeState { nodes[blockID] ?? .pending }
    mutating func setState(_ state: NodeState, of blockID: String) { nodes[blockID] = state }
    func isTrue(_ expression: String, withOutputs: Bool) -> Bool { truths[expression] ?? false }
    func iterations(of blockID: String) -> Int { started[blockID] ?? 0 }
    mutating func items(of block: ForEachBlock) -> [JSON] { list }
    mutating func beginIteration(_ index: Int, of blockID: String, item: JSON?) { started[blockID] = index + 1 }
    mutating func endIterations(of block: ForEachBlock) {}
    mutating func pollIntervalElapsed(of block: LoopBlock) -> Bool { true }
    mutating func caught(_ block: TryCatchBlock, failedBlocks: [String]) { caughtFailures = failedBlocks }
    mutating func chose(variant index: Int, of block: ABSplitBlock) { variants[block.id] = index }

    /// Finishes every ready leaf as `state`.
    mutating func finish(_ leaves: [String], as state: NodeState = .completed) {
        for leaf in leaves { nodes[leaf] = state }
    }
}

@Suite struct TreeEvaluatorTests {
    func blocks(_ json: String) throws -> [BlockDefinition] {
        try JSONDecoder().decode([BlockDefinition].self, from: Data(json.utf8))
    }

    @Test func rootsRunInOrderAndTheFirstFailureEndsTheInstance() throws {
        let roots = try blocks(
            #"[{"type": "step", "id": "a", "handler": "noop"}, {"type": "step", "id": "b", "handler": "noop"}]"#
        )
        var runtime = FakeRuntime()
        var evaluator = TreeEvaluator()
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["a"])
        #expect(runtime.state(of: "b") == .pending)
        runtime.finish(["a"], as: .failed)
        #expect(evaluator.advance(roots, runtime: &runtime).outcome == .failed(blockID: "a"))
        #expect(runtime.state(of: "b") == .pending)
    }

    @Test func everyBranchOfAParallelIsReadyAtOnce() throws {
        let roots = try blocks(
            """
            [{"type": "parallel", "id": "p", "branches": [
                [{"type": "step", "id": "a1", "handler": "noop"}, {"type": "step", "id": "a2", "handler": "noop"}],
                [{"type": "step", "id": "b1", "handler": "noop"}]]}]
            """
        )
        var runtime = FakeRuntime()
        var evaluator = TreeEvaluator()
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["a1", "b1"])
        runtime.finish(["a1"], as: .failed)
        // The cursor moves past the failed child; the parallel waits for every branch.
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["a2", "b1"])
        runtime.finish(["a2", "b1"])
        #expect(evaluator.advance(roots, runtime: &runtime).outcome == .failed(blockID: "p"))
    }

    @Test func aRaceWinnerCancelsTheOtherBranches() throws {
        let roots = try blocks(
            """
            [{"type": "race", "id": "r", "branches": [
                [{"type": "step", "id": "slow", "handler": "noop"}],
                [{"type": "step", "id": "fast", "handler": "noop"}, {"type": "step", "id": "fast2", "handler": "noop"}]]}]
            """
        )
        var runtime = FakeRuntime()
        var evaluator = TreeEvaluator()
        _ = evaluator.advance(roots, runtime: &runtime)
        runtime.finish(["fast"])
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["slow", "fast2"])
        runtime.finish(["fast2"])
        #expect(evaluator.advance(roots, runtime: &runtime).outcome == .completed)
        #expect(runtime.state(of: "slow") == .cancelled)
    }

    @Test func theRouterSkipsEveryRouteButTheChosenOne() throws {
        let roots = try blocks(
            """
            [{"type": "router", "id": "r", "routes": [
                {"condition": "first", "blocks": [{"type": "step", "id": "one", "handler": "noop"}]},
                {"condition": "second", "blocks": [{"type": "step", "id": "two", "handler": "noop"}]}],
              "default": [{"type": "step", "id": "other", "handler": "noop"}]}]
            """
        )
        var runtime = FakeRuntime(truths: ["second": true])
        var evaluator = TreeEvaluator()
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["two"])
        #expect(runtime.state(of: "one") == .skipped)
        #expect(runtime.state(of: "other") == .skipped)
        // The choice is made once: later passes do not look at the conditions again.
        runtime.truths = ["first": true]
        runtime.finish(["two"])
        #expect(evaluator.advance(roots, runtime: &runtime).outcome == .completed)
    }

    @Test func tryCatchNamesTheFailedBlocksAndFinallyOutlivesACancel() throws {
        let roots = try blocks(
            """
            [{"type": "try_catch", "id": "t",
              "try_block": [{"type": "step", "id": "a", "handler": "noop"}, {"type": "step", "id": "b", "handler": "noop"}],
              "catch_block": [{"type": "step", "id": "c", "handler": "noop"}],
              "finally_block": [{"type": "step", "id": "f", "handler": "noop"}, {"type": "step", "id": "g", "handler": "noop"}]}]
            """
        )
        var runtime = FakeRuntime()
        var evaluator = TreeEvaluator()
        _ = evaluator.advance(roots, runtime: &runtime)
        runtime.finish(["a"], as: .failed)
        _ = evaluator.advance(roots, runtime: &runtime)
        runtime.finish(["b"])
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["c"])
        #expect(runtime.caughtFailures == ["a"])
        runtime.finish(["c"])
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["f"])
        var cancelling = TreeEvaluator(cancelling: true)
        #expect(cancelling.advance(roots, runtime: &runtime).ready == ["f"])
        runtime.finish(["f"])
        #expect(cancelling.advance(roots, runtime: &runtime).ready == ["g"])
        runtime.finish(["g"])
        #expect(cancelling.advance(roots, runtime: &runtime).outcome == .completed)
    }

    @Test func aCancelSparesScopesAndNonCancellableSteps() throws {
        let roots = try blocks(
            """
            [{"type": "parallel", "id": "p", "branches": [
                [{"type": "step", "id": "free", "handler": "noop"}],
                [{"type": "step", "id": "pinned", "handler": "noop", "cancellable": false}],
                [{"type": "cancellation_scope", "id": "s", "blocks": [{"type": "step", "id": "inside", "handler": "noop"}]}]]},
             {"type": "step", "id": "after", "handler": "noop"}]
            """
        )
        var runtime = FakeRuntime()
        var evaluator = TreeEvaluator()
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["free", "pinned", "inside"])
        var cancelling = TreeEvaluator(cancelling: true)
        #expect(cancelling.advance(roots, runtime: &runtime).ready == ["pinned", "inside"])
        #expect(runtime.state(of: "free") == .cancelled)
        runtime.finish(["pinned", "inside"])
        #expect(cancelling.advance(roots, runtime: &runtime).outcome == .cancelled)
        #expect(runtime.state(of: "after") == .pending)
    }

    @Test func aCancelStopsNonCancellableWorkThatHasNotStarted() throws {
        let roots = try blocks(
            """
            [{"type": "step", "id": "a", "handler": "noop"},
             {"type": "step", "id": "charge", "handler": "noop", "cancellable": false},
             {"type": "cancellation_scope", "id": "s", "blocks": [{"type": "step", "id": "inside", "handler": "noop"}]}]
            """
        )
        var runtime = FakeRuntime()
        var evaluator = TreeEvaluator()
        _ = evaluator.advance(roots, runtime: &runtime)
        var cancelling = TreeEvaluator(cancelling: true)
        #expect(cancelling.advance(roots, runtime: &runtime).outcome == .cancelled)
        #expect(runtime.state(of: "charge") == .pending, "never started")
        #expect(runtime.state(of: "inside") == .pending)
    }

    @Test func aCatchCancelledByASignalCancelsTheTryCatch() throws {
        let roots = try blocks(
            """
            [{"type": "try_catch", "id": "t", "try_block": [{"type": "step", "id": "a", "handler": "noop"}],
              "catch_block": [{"type": "step", "id": "c", "handler": "noop"}]}]
            """
        )
        var runtime = FakeRuntime()
        var evaluator = TreeEvaluator()
        _ = evaluator.advance(roots, runtime: &runtime)
        runtime.finish(["a"], as: .failed)
        #expect(evaluator.advance(roots, runtime: &runtime).ready == ["c"])
        var cancelling = TreeEvaluator(cancelling: true)
        #expect(cancelling.advance(roots, runtime: &runtime).outcome == .cancelled)
        #expect(runtime.state(of: "t") == .cancelled)
    }

    @Test func aLoopStopsAtMaxIterationsAndForEachAtItsItems() throws {
        let roots = try blocks(
            """
            [{"type": "loop", "id": "l", "condition": "go", "max_iterations": 3,
              "body": [{"type": "step", "id": "x", "handler": "noop"}]},
             {"type": "for_each", "id": "e", "collection": "items", "body": [{"type": "step", "id": "y", "handler": "noop"}]}]
            """
        )
        var runtime = FakeRuntime(truths: ["go": true], list: [1, 2])
        var evaluator = TreeEvaluator()
        var runs = 0
        while evaluator.advance(roots, runtime: &runtime).ready == ["x"] {
            runs += 1
            runtime.finish(["x"])
        }
        #expect(runs == 3)
        #expect(runtime.state(of: "l") == .completed)
        var items = 0
        while evaluator.advance(roots, runtime: &runtime).ready == ["y"] {
            items += 1
            runtime.finish(["y"])
        }
        #expect(items == 2)
        #expect(evaluator.advance(roots, runtime: &runtime).outcome == .completed)
    }

    @Test func abSplitHashesTheInstanceBytesAZeroAndTheBlockID() throws {
        // Points computed independently (Python's hashlib): "exp" → 36 of 100, "x" → 2 of 7.
        let id = try #require(UUID(uuidString: "0192f5a4-1234-7000-8000-00000000abcd"))
        #expect(ABSplitChoice.variantIndex(instanceID: id, blockID: "exp", weights: [30, 70]) == 1)
        #expect(ABSplitChoice.variantIndex(instanceID: id, blockID: "exp", weights: [50, 50]) == 0)
        #expect(ABSplitChoice.variantIndex(instanceID: id, blockID: "x", weights: [3, 4]) == 0)
        #expect(ABSplitChoice.variantIndex(instanceID: id, blockID: "x", weights: [1, 1, 5]) == 2)
    }

    @Test func abSplitChoicesAreStableAndFollowTheWeights() {
        let id = UUID()
        #expect(
            ABSplitChoice.variantIndex(instanceID: id, blockID: "x", weights: [1, 3])
                == ABSplitChoice.variantIndex(instanceID: id, blockID: "x", weights: [1, 3])
        )
        var counts = [0, 0]
        for _ in 0..<4_000 {
            counts[ABSplitChoice.variantIndex(instanceID: UUID(), blockID: "x", weights: [1, 3])] += 1
        }
        // A quarter in expectation; ±5 points is over six standard deviations.
        #expect((800...1200).contains(counts[0]), "\(counts)")
        #expect(ABSplitChoice.variantIndex(instanceID: id, blockID: "x", weights: [0, 0]) == 0)
    }
}

@Suite struct RouterDecodingTests {
    @Test func theGuidesDefaultRouteIsTheRoutersDefault() throws {
        let router = try decode(
            BlockDefinition.self,
            """
            {"type": "router", "id": "r", "routes": [
                {"condition": "a", "blocks": []},
                {"default": true, "blocks": [{"type": "step", "id": "d", "handler": "noop"}]}]}
            """
        )
        guard case .router(let block) = router else {
            Issue.record("not a router")
            return
        }
        #expect(block.routes.map(\.condition) == ["a"])
        #expect(block.default?.map(\.id) == ["d"])
    }

    @Test func twoDefaultsOrARouteWithoutConditionAreRefused() {
        #expect(throws: DecodingError.self) {
            try decode(
                BlockDefinition.self,
                """
                {"type": "router", "id": "r", "default": [], "routes": [{"default": true, "blocks": []}]}
                """
            )
        }
        #expect(throws: DecodingError.self) {
            try decode(BlockDefinition.self, #"{"type": "router", "id": "r", "routes": [{"blocks": []}]}"#)
        }
    }
}
