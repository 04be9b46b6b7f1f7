import ArgumentParser
import Foundation
import NIOHTTP1
import Orch8Core

/// `orch8 instance …`: running sequences on a server (ORCH8-SPEC §1.6, §1.7).
struct InstanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instance",
        abstract: "Start, inspect, signal and retry instances on a server.",
        subcommands: [Start.self, Get.self, List.self, Outputs.self, Signal.self, Retry.self]
    )

    /// The steps an instance has run, from its runtime context.
    static func steps(_ instance: JSON) -> String {
        instance["context"]?["runtime"]?["total_steps_executed"]?.cell ?? "0"
    }

    /// The `label: value` view of one instance.
    static func details(_ instance: JSON) -> String {
        var pairs = ["id", "sequence_id", "tenant_id", "namespace", "state", "priority"].map {
            ($0, instance[$0]?.cell ?? "-")
        }
        let runtime = instance["context"]?["runtime"]
        pairs.append(("steps", steps(instance)))
        pairs.append(("current_step", runtime?["current_step"]?.cell ?? "-"))
        pairs += ["next_fire_at", "created_at", "updated_at"].map { ($0, instance[$0]?.cell ?? "-") }
        pairs.append(("data", instance["context"]?["data"]?.cell ?? "-"))
        return Table.details(pairs)
    }

    /// The table of `GET /instances/{id}/outputs` rows.
    static func outputsTable(_ outputs: JSON) -> String {
        let rows = (outputs.arrayValue ?? []).map { row in
            [
                row["block_id"]?.cell ?? "-", row["attempt"]?.cell ?? "-", row["created_at"]?.cell ?? "-",
                row["output"]?.cell ?? "-",
            ]
        }
        return Table(["block", "attempt", "created", "output"], rows: rows, maxCellWidth: 60).rendered()
    }
}

extension InstanceCommand {
    /// `orch8 instance get ID`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one instance.")

        @Argument(help: "The instance's id.")
        var id: String

        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.perform { client in
                let instance = try await client.get("/instances/\(APIClient.segment(id))")
                options.emit(instance, table: InstanceCommand.details)
            }
        }
    }

    /// `orch8 instance list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List instances, most recently updated first.")

        @Option(help: "Only these states, comma-separated (scheduled, running, waiting, paused, completed, …).")
        var state: String?

        @Option(help: "Only instances of this sequence id.")
        var sequence: String?

        @Option(help: "Only this namespace.")
        var namespace: String?

        @Option(help: "At most this many (server default 100, max 1000).")
        var limit: Int?

        @Option(help: "Skip this many.")
        var offset: Int?

        @OptionGroup var options: ClientOptions

        func run() async throws {
            var query: [(String, String)] = []
            if let state { query.append(("state", state)) }
            if let sequence { query.append(("sequence_id", sequence)) }
            if let namespace { query.append(("namespace", namespace)) }
            if let limit { query.append(("limit", String(limit))) }
            if let offset { query.append(("offset", String(offset))) }
            try await options.perform { client in
                let page = try await client.get("/instances", query: query)
                options.emit(page) { page in
                    let rows = (page["items"]?.arrayValue ?? []).map { instance in
                        [
                            instance["id"]?.cell ?? "-", instance["sequence_id"]?.cell ?? "-",
                            instance["state"]?.cell ?? "-", InstanceCommand.steps(instance),
                            instance["updated_at"]?.cell ?? "-",
                        ]
                    }
                    var text = Table(["id", "sequence", "state", "steps", "updated"], rows: rows).rendered()
                    if page["has_more"]?.boolValue == true {
                        text += "\n(more: --offset \((offset ?? 0) + rows.count))"
                    }
                    return text
                }
            }
        }
    }

    /// `orch8 instance outputs ID`.
    struct Outputs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the outputs an instance's blocks wrote.")

        @Argument(help: "The instance's id.")
        var id: String

        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.perform { client in
                let outputs = try await client.get("/instances/\(APIClient.segment(id))/outputs")
                options.emit(outputs, table: InstanceCommand.outputsTable)
            }
        }
    }

    /// `orch8 instance signal ID TYPE`.
    struct Signal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a signal: pause, resume, cancel, update_context or custom:NAME.",
            discussion: """
                update_context merges the payload's data into the instance's, e.g. \
                --payload '{"data": {"k": 1}}'. Prints the signal's id.
                """
        )

        @Argument(help: "The instance's id.")
        var id: String

        @Argument(help: "pause, resume, cancel, update_context, or custom:NAME.")
        var type: String

        @Option(help: "The signal's payload: JSON, or @FILE.")
        var payload: String?

        @OptionGroup var options: ClientOptions

        func run() async throws {
            let signalType: JSON
            if type.hasPrefix("custom:") {
                let name = String(type.dropFirst("custom:".count))
                guard !name.isEmpty else { throw ValidationError("TYPE: custom: needs a name, e.g. custom:approve") }
                signalType = ["custom": .string(name)]
            } else {
                guard ["pause", "resume", "cancel", "update_context"].contains(type) else {
                    throw ValidationError(
                        "TYPE: unknown signal '\(type)': expected pause, resume, cancel, update_context or custom:NAME"
                    )
                }
                signalType = .string(type)
            }
            var body: JSON = ["signal_type": signalType]
            if let payload { body["payload"] = try JSONArgument.parse(payload, option: "--payload") }
            try await options.perform { client in
                let answer = try await client.send(.POST, "/instances/\(APIClient.segment(id))/signals", body: body)
                options.emit(answer) { $0["signal_id"]?.cell ?? "" }
            }
        }
    }

    /// `orch8 instance retry ID`.
    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a failed instance again; the outputs of its completed steps are kept."
        )

        @Argument(help: "The instance's id.")
        var id: String

        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.perform { client in
                let answer = try await client.send(.POST, "/instances/\(APIClient.segment(id))/retry")
                options.emit(answer) { answer in
                    Table.details([("id", answer["id"]?.cell ?? "-"), ("state", answer["state"]?.cell ?? "-")])
                }
            }
        }
    }
}
