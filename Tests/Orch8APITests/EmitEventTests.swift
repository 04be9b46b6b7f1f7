import Foundation
import HTTPTypes
import Orch8API
import Orch8Core
import Testing

/// `emit_event` (ORCH8-SPEC §4): an instance starting another through an `event` trigger of its
/// tenant, with dedupe keys per emitting instance or per tenant.
@Suite struct EmitEventTests {
    /// The sequence `child` (echoes `context.data.x`) and the event trigger `on-order` that starts it.
    func eventTrigger(_ api: APIClient, slug: String = "on-order") async throws -> UUID {
        let child = try await api.createSequence(TriggerRouteTests.echoBlocks(), name: "child")
        let reply = try await api.createTrigger(slug, sequence: "child", extra: #", "trigger_type": "event""#)
        #expect(reply.status == .created, "\(reply.text)")
        return child
    }

    /// A sequence of `emit_event` steps, one per params object (JSON text), ids `e0`, `e1`, …; with a
    /// retry policy, so that a permanent failure shows as a single attempt.
    func emitter(_ api: APIClient, _ params: [String]) async throws -> UUID {
        let steps = params.enumerated().map { index, params in
            #"{"type": "step", "id": "e\#(index)", "handler": "emit_event", "params": \#(params), "#
                + #""retry": {"max_attempts": 3, "initial_backoff": 10, "max_backoff": 10}}"#
        }
        return try await api.createSequence("[\(steps.joined(separator: ", "))]")
    }

    /// The output of step `block` of `instance`.
    func output(_ api: APIClient, _ instance: UUID, _ block: String) async throws -> JSON {
        try await api.outputs(instance).last { $0["block_id"] == .string(block) }?["output"] ?? .null
    }

    /// The instances `trigger` started.
    func started(_ api: APIClient, by trigger: String = "on-order") async throws -> [JSON] {
        try await api.send(.get, "/instances?metadata.trigger=\(trigger)").json["items"]?.arrayValue ?? []
    }

    @Test func anEmittedEventStartsAnInstanceThatCompletesWithTheData() async throws {
        try await APIHarness().run { api in
            let child = try await eventTrigger(api)
            let sequence = try await emitter(
                api,
                [
                    #"{"trigger_slug": "on-order", "data": {"x": "{{context.data.x}}"}, "meta": {"origin": "test", "source": "spoof"}}"#
                ]
            )
            let parent = try await api.createInstance(sequence, data: #"{"x": "hi"}"#)
            try await api.waitFor(parent, "completed")
            let emitted = try await output(api, parent, "e0")
            #expect(emitted["sequence_name"] == "child")
            #expect(emitted["deduped"] == false)
            let id = try #require(emitted["instance_id"]?.stringValue.flatMap(UUID.init(uuidString:)))

            let instance = try await api.waitFor(id, "completed")
            #expect(instance["sequence_id"] == .string(child.wire))
            #expect(instance["context"]?["data"] == ["x": "hi"])
            #expect(
                instance["metadata"]
                    == [
                        "origin": "test", "source": "emit_event", "trigger": "on-order",
                        "parent_instance_id": .string(parent.wire),
                    ],
                "meta is merged; the engine's keys win"
            )
            #expect(instance["parent_instance_id"] == nil, "not a sub-sequence child: the emitter does not wait")
            #expect(try await api.send(.get, "/instances/\(parent.wire)/children").json == [])
            #expect(try await api.outputs(id).last?["output"] == ["echo": "hi", "v": 1])
            #expect(instance["context"]?["runtime"]?["dry_run"] == false)

            // A rehearsal starts a rehearsal.
            let rehearsal = try await api.createInstance(sequence, data: #"{"x": "dry"}"#, extra: #", "dry_run": true"#)
            try await api.waitFor(rehearsal, "completed")
            let dry = try await output(api, rehearsal, "e0")["instance_id"]?.stringValue.flatMap(UUID.init(uuidString:))
            let dryChild = try await api.waitFor(try #require(dry), "completed")
            #expect(dryChild["context"]?["runtime"]?["dry_run"] == true)
        }
    }

    @Test func oneKeyTwiceFromOneInstanceStartsOneInstance() async throws {
        try await APIHarness().run { api in
            _ = try await eventTrigger(api)
            let params = #"{"trigger_slug": "on-order", "data": {"x": "once"}, "dedupe_key": "order-1"}"#
            let sequence = try await emitter(api, [params, params])
            let parent = try await api.createInstance(sequence)
            try await api.waitFor(parent, "completed")
            let first = try await output(api, parent, "e0")
            let second = try await output(api, parent, "e1")
            #expect(first["deduped"] == false)
            #expect(second["deduped"] == true)
            #expect(second["instance_id"] == first["instance_id"])
            #expect(second["sequence_name"] == "child")
            #expect(try await started(api).count == 1)

            // The key is per emitting instance: another instance of the emitter starts its own.
            let other = try await api.createInstance(sequence)
            try await api.waitFor(other, "completed")
            let own = try await output(api, other, "e0")
            #expect(own["deduped"] == false)
            #expect(own["instance_id"] != first["instance_id"])
            #expect(try await started(api).count == 2)
        }
    }

    @Test func aTenantScopedKeyDedupesAcrossEmittingInstances() async throws {
        try await APIHarness().run { api in
            _ = try await eventTrigger(api)
            let sequence = try await emitter(
                api,
                [#"{"trigger_slug": "on-order", "dedupe_key": "{{context.data.key}}", "dedupe_scope": "tenant"}"#]
            )
            var outputs: [JSON] = []
            for key in ["daily", "daily", "weekly"] {
                let parent = try await api.createInstance(sequence, data: #"{"key": "\#(key)"}"#)
                try await api.waitFor(parent, "completed")
                outputs.append(try await output(api, parent, "e0"))
            }
            #expect(outputs.map { $0["deduped"] } == [false, true, false])
            #expect(outputs[1]["instance_id"] == outputs[0]["instance_id"])
            #expect(outputs[2]["instance_id"] != outputs[0]["instance_id"])
            #expect(try await started(api).count == 2)
        }
    }

    @Test func unusableTriggersAndBadParamsFailTheStepPermanently() async throws {
        try await APIHarness().run { api in
            _ = try await eventTrigger(api)
            #expect(try await api.createTrigger("hook", sequence: "child").status == .created)
            let off = try await api.createTrigger(
                "off",
                sequence: "child",
                extra: #", "trigger_type": "event", "enabled": false"#
            )
            #expect(off.status == .created)
            #expect(
                try await api.createTrigger("lost", sequence: "gone", extra: #", "trigger_type": "event""#).status
                    == .created
            )
            try await api.createSequence(
                TriggerRouteTests.echoBlocks(),
                name: "strict",
                extra: #", "input_schema": {"type": "object", "required": ["x"]}"#
            )
            #expect(
                try await api.createTrigger("strict", sequence: "strict", extra: #", "trigger_type": "event""#).status
                    == .created
            )
            var globex = api
            globex.tenant = "globex"
            let theirs = try await globex.createTrigger(
                "theirs",
                sequence: "child",
                extra: #", "trigger_type": "event""#
            )
            #expect(theirs.status == .created)

            let cases: [(params: String, message: String)] = [
                (#"{"trigger_slug": "nobody"}"#, "emit_event: trigger 'nobody' not found"),
                (
                    #"{"trigger_slug": "hook"}"#,
                    "emit_event: trigger 'hook' is a `webhook` trigger; emit_event starts only `event` triggers"
                ),
                (#"{"trigger_slug": "off"}"#, "emit_event: trigger 'off' is disabled"),
                (#"{"trigger_slug": "theirs"}"#, "emit_event: trigger 'theirs' belongs to another tenant"),
                (
                    #"{"trigger_slug": "lost"}"#,
                    "emit_event: trigger 'lost': sequence 'gone' in namespace 'default' not found"
                ),
                (
                    #"{"trigger_slug": "strict", "data": {"y": 1}}"#,
                    #"emit_event: trigger 'strict': params.data failed the input_schema of sequence 'strict': at /: "x" is a required property"#
                ),
                (#"{"data": {}}"#, "emit_event: params.trigger_slug is required (a non-empty string)"),
                (#"{"trigger_slug": ""}"#, "emit_event: params.trigger_slug is required (a non-empty string)"),
                (
                    #"{"trigger_slug": "on-order", "data": [1]}"#,
                    "emit_event: params.data must be an object, found array"
                ),
                (
                    #"{"trigger_slug": "on-order", "meta": "m"}"#,
                    "emit_event: params.meta must be an object, found string"
                ),
                (
                    #"{"trigger_slug": "on-order", "dedupe_key": ""}"#,
                    "emit_event: params.dedupe_key must be a non-empty string, found an empty string"
                ),
                (
                    #"{"trigger_slug": "on-order", "dedupe_key": "k", "dedupe_scope": "global"}"#,
                    #"emit_event: params.dedupe_scope must be "parent" or "tenant", found "global""#
                ),
            ]
            for (params, message) in cases {
                let id = try await api.createInstance(try await emitter(api, [params]))
                try await api.waitFor(id, "failed")
                let rows = try await api.outputs(id)
                #expect(rows.compactMap { $0["output_ref"]?.stringValue } == ["__error__"], "one attempt: \(params)")
                // The engine names the block.
                #expect(
                    rows.last?["output"]?["message"]?.stringValue == "block `e0`: \(message)",
                    "\(params) → \(rows)"
                )
            }
            #expect(try await started(api, by: "theirs").isEmpty)
            #expect(try await globex.send(.get, "/instances").json["items"] == [], "nothing started for globex")
            #expect(try await api.send(.get, "/instances?metadata.source=emit_event").json["items"] == [])
        }
    }

    @Test func dataOverFourMebibytesIsRefused() async throws {
        // Without a context limit, so that 2.2 MB of data can reach the step, which sends it twice.
        try await APIHarness().run(APIConfiguration(maxContextBytes: 0)) { api in
            _ = try await eventTrigger(api)
            let sequence = try await emitter(
                api,
                [#"{"trigger_slug": "on-order", "data": {"a": "{{context.data.s}}", "b": "{{context.data.s}}"}}"#]
            )
            let half = String(repeating: "a", count: 2_200_000)
            let id = try await api.createInstance(sequence, data: #"{"s": "\#(half)"}"#)
            try await api.waitFor(id, "failed")
            let message = try await api.outputs(id).last?["output"]?["message"]?.stringValue ?? ""
            #expect(
                message
                    == "block `e0`: emit_event: params.data is 4400015 bytes serialized, more than the limit of 4194304 bytes"
            )
            #expect(try await started(api).isEmpty)
        }
    }
}
