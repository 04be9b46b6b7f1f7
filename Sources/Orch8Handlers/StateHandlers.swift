import Orch8Core

/// `set_state`: sets one key of the instance's KV state; the write commits with the step's output.
struct SetStateHandler: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let params = Params(invocation)
        let key = try params.requiredString("key")
        let value = invocation.params["value"] ?? .null
        return StepResult(output: ["key": .string(key), "value": value], stateWrites: [key: value])
    }
}

/// `get_state`: reads one key (`null` when absent).
struct GetStateHandler: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let key = try Params(invocation).requiredString("key")
        return StepResult(output: ["key": .string(key), "value": invocation.state[key] ?? .null])
    }
}

/// `delete_state`: removes one key.
struct DeleteStateHandler: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let key = try Params(invocation).requiredString("key")
        // `JSON` is itself nil-literal-expressible, so spell out the Optional's `none` (delete).
        let deletion: [String: JSON?] = [key: Optional<JSON>.none]
        return StepResult(output: ["key": .string(key), "deleted": true], stateWrites: deletion)
    }
}

/// `merge_state`: sets every key of the `values` object.
struct MergeStateHandler: StepHandler {
    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        guard case .object(let values)? = Params(invocation)["values"] else {
            throw .permanent("merge_state: params.values must be an object")
        }
        let keys = values.keys.sorted()
        return StepResult(
            output: ["merged_keys": .array(keys.map(JSON.string))],
            stateWrites: values.mapValues { Optional($0) }
        )
    }
}
