import Foundation
public import Orch8Core

/// The JSON every plugin receives (PLUGINS.md §5): the step's resolved params, the context's data
/// and config, the 1-based attempt and the plugin's config.
public enum PluginEnvelope {
    public static func make(_ invocation: StepInvocation, config: JSON) -> JSON {
        let context: [String: JSON] = ["data": invocation.context.data, "config": invocation.context.config]
        return [
            "instance_id": .string(invocation.instanceID.lowercasedText),
            "block_id": .string(invocation.blockID),
            "params": invocation.params,
            "context": .object(context),
            "attempt": .int(Int64(invocation.attempt) + 1),
            "config": config,
        ]
    }
}
