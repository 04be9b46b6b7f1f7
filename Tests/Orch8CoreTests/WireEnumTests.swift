import Orch8Core
import Testing

@Suite struct WireEnumTests {
    @Test func spellings() {
        #expect(
            InstanceState.allCases.map(\.rawValue)
                == ["scheduled", "running", "waiting", "paused", "completed", "failed", "cancelled"]
        )
        #expect(
            NodeState.allCases.map(\.rawValue)
                == ["pending", "running", "waiting", "completed", "failed", "cancelled", "skipped"]
        )
        #expect(WorkerTaskState.allCases.map(\.rawValue) == ["pending", "claimed", "completed", "failed"])
        #expect(PluginType.allCases.map(\.rawValue) == ["wasm", "grpc"])
        #expect(SequenceStatus.allCases.map(\.rawValue) == ["draft", "staging", "production", "unpublished"])
        #expect(RaceSemantics.allCases.map(\.rawValue) == ["first_to_resolve", "first_to_succeed"])
        #expect(
            BlockType.allCases.map(\.rawValue) == [
                "step", "parallel", "race", "loop", "for_each", "router", "try_catch", "sub_sequence", "a_b_split",
                "cancellation_scope", "saga",
            ]
        )
    }

    @Test(arguments: InstanceState.allCases)
    func instanceStateRoundTrips(state: InstanceState) throws {
        #expect(try encode(state) == .string(state.rawValue))
        #expect(try decode(InstanceState.self, "\"\(state.rawValue)\"") == state)
    }

    @Test func unknownValueListsTheAllowedOnes() {
        #expect(
            decodingFailure(PluginType.self, #""WASM""#) == "unknown variant `WASM`, expected one of `wasm`, `grpc`"
        )
        #expect(decodingFailure(NodeState.self, "1") == "expected string, found integer")
    }
}
