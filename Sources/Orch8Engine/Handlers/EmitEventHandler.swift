import Foundation
import Orch8Core

/// `emit_event` (ORCH8-SPEC §4): starts an instance through an enabled `event` trigger of the emitting
/// instance's tenant. Output `{"instance_id", "sequence_name", "deduped"}`.
///
/// Params: `trigger_slug` (required), `data` (an object, default `{}`, at most 4 MiB serialized: the
/// new instance's `context.data`), `meta` (an object merged into its metadata), `dedupe_key` (a
/// non-empty string) and `dedupe_scope` (`parent`, the default: keys are per emitting instance;
/// `tenant`: shared by the tenant's instances). A key seen in its scope in the last 30 days starts
/// nothing and answers the earlier instance with `deduped: true`; that is also what makes a step run
/// again after a crash start one instance, not two, so long as it has a key. (A deduped answer's
/// `sequence_name` is the sequence the trigger resolves to now.)
///
/// The new instance is not a sub-sequence child: the emitter does not wait for it, and its end does
/// not wake the emitter. A dry-run emitter starts a dry-run instance, as sub-sequences do. The data
/// must pass the sequence's `input_schema`, as for `POST /instances`.
struct EmitEventHandler: StepHandler {
    /// Largest serialized `data`.
    static let maxDataBytes = 4 * 1024 * 1024

    let store: any Store
    let link: EngineLink

    func run(_ invocation: StepInvocation) async throws(StepFailure) -> StepResult {
        let request = try Request(invocation)
        let slug = request.slug
        let trigger: TriggerDefinition?
        do { trigger = try await store.trigger(slug: slug) } catch {
            throw .retryable("emit_event: reading trigger '\(slug)': \(error)")
        }
        guard let trigger else { throw .permanent("emit_event: trigger '\(slug)' not found") }
        // Slugs are global, so saying "another tenant's" reveals nothing `POST /triggers` would not.
        guard trigger.tenantID == invocation.tenantID else {
            throw .permanent("emit_event: trigger '\(slug)' belongs to another tenant")
        }
        guard trigger.enabled else { throw .permanent("emit_event: trigger '\(slug)' is disabled") }
        guard trigger.triggerType == .event else {
            throw .permanent(
                "emit_event: trigger '\(slug)' is a `\(trigger.triggerType.rawValue)` trigger; "
                    + "emit_event starts only `event` triggers"
            )
        }
        let sequence: SequenceDefinition?
        do { sequence = try await store.sequence(for: trigger) } catch {
            throw .retryable("emit_event: reading \(trigger.sequenceDescription): \(error)")
        }
        guard let sequence else {
            throw .permanent("emit_event: trigger '\(slug)': \(trigger.sequenceDescription) not found")
        }
        if let schema = sequence.inputSchema {
            let violations = JSONSchema(schema).violations(of: request.data)
            if !violations.isEmpty {
                throw .permanent(
                    "emit_event: trigger '\(slug)': params.data failed the input_schema of sequence "
                        + "'\(sequence.name)': \(violations.joined(separator: "; "))"
                )
            }
        }

        let now = Date()
        var metadata = request.meta
        // The engine's keys win over `meta`, so an instance cannot pass for another source.
        metadata["source"] = "emit_event"
        metadata["trigger"] = .string(slug)
        metadata["parent_instance_id"] = .string(invocation.instanceID.lowercasedText)
        var instance = trigger.instance(of: sequence, data: request.data, metadata: .object(metadata), now: now)
        instance.context.runtime.dryRun = invocation.context.runtime.dryRun
        instance.context.runtime.dryRunAutoApprove = invocation.context.runtime.dryRunAutoApprove
        let dedupe = request.dedupeKey.map { key in
            request.tenantScope
                ? EventDedupe.tenant(invocation.tenantID, key: key)
                : EventDedupe.parent(invocation.instanceID, key: key)
        }
        let created: EventInstanceCreation
        do { created = try await store.createInstance(instance, dedupe: dedupe, now: now) } catch {
            throw .retryable("emit_event: storing the instance of trigger '\(slug)': \(error)")
        }
        if !created.deduplicated { link.wake() }
        return StepResult(output: [
            "instance_id": .string(created.instanceID.lowercasedText),
            "sequence_name": .string(sequence.name),
            "deduped": .bool(created.deduplicated),
        ])
    }

    /// The params, checked.
    private struct Request {
        var slug: String
        var data: JSON
        var meta: [String: JSON]
        var dedupeKey: String?
        var tenantScope: Bool

        init(_ invocation: StepInvocation) throws(StepFailure) {
            let params = invocation.params
            guard let slug = params["trigger_slug"]?.stringValue, !slug.isEmpty else {
                throw .permanent("emit_event: params.trigger_slug is required (a non-empty string)")
            }
            self.slug = slug
            data = try Self.object(params, "data") ?? .emptyObject
            let size = data.serializedBytes().count
            guard size <= EmitEventHandler.maxDataBytes else {
                throw .permanent(
                    "emit_event: params.data is \(size) bytes serialized, more than the limit of "
                        + "\(EmitEventHandler.maxDataBytes) bytes"
                )
            }
            meta = try Self.object(params, "meta")?.objectValue ?? [:]
            switch params["dedupe_key"] {
            case nil, .null?:
                dedupeKey = nil
            case .string(let key)? where !key.isEmpty:
                dedupeKey = key
            case let other?:
                throw .permanent(
                    "emit_event: params.dedupe_key must be a non-empty string, found \(Self.show(other))"
                )
            }
            switch params["dedupe_scope"] {
            case nil, .null?, "parent"?:
                tenantScope = false
            case "tenant"?:
                tenantScope = true
            case let other?:
                throw .permanent(
                    "emit_event: params.dedupe_scope must be \"parent\" or \"tenant\", found \(Self.show(other))"
                )
            }
        }

        /// `params[name]` when it is an object; nil when absent or null.
        private static func object(_ params: JSON, _ name: String) throws(StepFailure) -> JSON? {
            switch params[name] {
            case nil, .null?: return nil
            case let value? where value.objectValue != nil: return value
            case let other?: throw .permanent("emit_event: params.\(name) must be an object, found \(other.typeName)")
            }
        }

        private static func show(_ value: JSON) -> String {
            if case .string(let text) = value { return text.isEmpty ? "an empty string" : "\"\(text)\"" }
            return value.typeName
        }
    }
}
