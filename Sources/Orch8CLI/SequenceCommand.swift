import ArgumentParser
import Foundation
import NIOHTTP1
import Orch8Core

/// `orch8 sequence …`: sequence definitions on a server (ORCH8-SPEC §1.5).
struct SequenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sequence",
        abstract: "Create, list and show sequence definitions on a server.",
        subcommands: [Create.self, List.self, Get.self]
    )
}

extension SequenceCommand {
    /// `orch8 sequence create FILE`: posts a definition, filling in what a hand-written file leaves out.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a sequence from a JSON file (- reads standard input).",
            discussion: """
                Fields the file leaves out are filled in: id (a new UUID), version (1), created_at (now), \
                namespace ("default") and tenant_id (--tenant, else "default"). Prints the new id; the \
                server's warnings go to standard error.
                """
        )

        @Argument(help: "The definition (JSON).")
        var file: String

        @OptionGroup var options: ClientOptions

        func run() async throws {
            guard case .object(var definition) = try JSONArgument.parse("@" + file, option: "FILE") else {
                throw ValidationError("FILE: \(file) does not hold a JSON object")
            }
            let now = Date()
            if definition["id"] == nil { definition["id"] = .string(UUIDv7.generate(now: now).lowercasedText) }
            if definition["version"] == nil { definition["version"] = 1 }
            if definition["created_at"] == nil { definition["created_at"] = .string(RFC3339.format(now)) }
            if definition["namespace"] == nil { definition["namespace"] = "default" }
            if definition["tenant_id"] == nil { definition["tenant_id"] = .string(options.bodyTenant) }
            try await options.perform { client in
                let answer = try await client.send(.POST, "/sequences", body: .object(definition))
                for warning in answer["warnings"]?.arrayValue ?? [] {
                    Terminal.printError("warning: \(warning.cell)")
                }
                options.emit(answer) { $0["id"]?.cell ?? "" }
            }
        }
    }

    /// `orch8 sequence list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List sequences, newest first.")

        @Option(help: "Only this namespace.")
        var namespace: String?

        @Option(help: "At most this many (server default 200, max 1000).")
        var limit: Int?

        @Option(help: "Skip this many.")
        var offset: Int?

        @OptionGroup var options: ClientOptions

        func run() async throws {
            var query: [(String, String)] = []
            if let namespace { query.append(("namespace", namespace)) }
            if let limit { query.append(("limit", String(limit))) }
            if let offset { query.append(("offset", String(offset))) }
            try await options.perform { client in
                let page = try await client.get("/sequences", query: query)
                options.emit(page) { page in
                    let rows = (page["items"]?.arrayValue ?? []).map { sequence in
                        [
                            "id", "name", "version", "namespace", "tenant_id", "deprecated", "created_at",
                        ].map { sequence[$0]?.cell ?? "-" } + [String(sequence["blocks"]?.arrayValue?.count ?? 0)]
                    }
                    var text = Table(
                        ["id", "name", "version", "namespace", "tenant", "deprecated", "created", "blocks"],
                        rows: rows
                    ).rendered()
                    if page["has_more"]?.boolValue == true {
                        text += "\n(more: --offset \((offset ?? 0) + rows.count))"
                    }
                    return text
                }
            }
        }
    }

    /// `orch8 sequence get ID`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one sequence and its top-level blocks.")

        @Argument(help: "The sequence's id.")
        var id: String

        @OptionGroup var options: ClientOptions

        func run() async throws {
            try await options.perform { client in
                let sequence = try await client.get("/sequences/\(APIClient.segment(id))")
                options.emit(sequence) { sequence in
                    let fields = [
                        "id", "name", "version", "namespace", "tenant_id", "status", "deprecated", "created_at",
                    ]
                    let details = Table.details(fields.map { ($0, sequence[$0]?.cell ?? "-") })
                    let blocks = (sequence["blocks"]?.arrayValue ?? []).map { block in
                        [block["id"]?.cell ?? "-", block["type"]?.cell ?? "-", block["handler"]?.cell ?? ""]
                    }
                    return details + "\n\n" + Table(["block", "type", "handler"], rows: blocks).rendered()
                }
            }
        }
    }
}
