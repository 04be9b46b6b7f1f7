import ArgumentParser
import Foundation
import NIOHTTP1
import Orch8Core

extension InstanceCommand {
    /// `orch8 instance start`: creates an instance, and with `--wait` follows it to its end.
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start an instance of a sequence, by id or by name.",
            discussion: """
                Prints the new instance's id. With --wait, follows the instance until it completes, fails \
                or is cancelled (a live status line on standard error when it is a terminal), then prints \
                the instance and its outputs (-o json: {"instance": …, "outputs": […]}). Exit status with \
                --wait: 0 completed, 2 failed or cancelled, 3 when --timeout ran out first.
                """
        )

        @Option(help: "The sequence's id.")
        var sequence: String?

        @Option(help: "The sequence's name (with --namespace); its newest version unless --version.")
        var name: String?

        @Option(help: "With --name: this version of the sequence.")
        var version: Int?

        @Option(help: "The instance's namespace (and, with --name, the sequence's).")
        var namespace = "default"

        @Option(help: "The instance context, JSON or @FILE: {\"data\": {…}, \"config\": {…}}.")
        var context: String?

        @Option(help: "The context's data alone, JSON or @FILE (merged over --context's).")
        var data: String?

        @Option(help: "Low, Normal (default), High or Critical.")
        var priority: String?

        @Option(name: .customLong("idempotency-key"), help: "A second start with the same key returns the first.")
        var idempotencyKey: String?

        @Flag(help: "Follow the instance to its end and print it with its outputs.")
        var wait = false

        @Option(name: .customLong("timeout"), help: "With --wait: give up after this many seconds.")
        var timeoutSeconds: Double?

        @OptionGroup var options: ClientOptions

        /// The states an instance does not leave by itself.
        static let endStates: Set<String> = ["completed", "failed", "cancelled"]

        func validate() throws {
            guard (sequence == nil) != (name == nil) else {
                throw ValidationError("give either --sequence ID or --name NAME")
            }
            if version != nil && name == nil { throw ValidationError("--version goes with --name") }
            if let timeoutSeconds, !(timeoutSeconds > 0) { throw ValidationError("--timeout must be > 0") }
            if timeoutSeconds != nil && !wait { throw ValidationError("--timeout goes with --wait") }
        }

        func run() async throws {
            var body: JSON = [
                "tenant_id": .string(options.bodyTenant), "namespace": .string(namespace),
                "context": try instanceContext(),
            ]
            if let priority { body["priority"] = .string(try Self.priority(priority)) }
            if let idempotencyKey { body["idempotency_key"] = .string(idempotencyKey) }
            try await options.perform { client in
                body["sequence_id"] = .string(try await sequenceID(client))
                let answer = try await client.send(.POST, "/instances", body: body)
                guard let id = answer["id"]?.stringValue else {
                    throw ClientError.unexpected("no `id` in \(answer.serialized())")
                }
                if answer["deduplicated"]?.boolValue == true {
                    Terminal.printError("note: an instance with this idempotency key exists already: \(id)")
                }
                guard wait else {
                    options.emit(answer) { _ in id }
                    return
                }
                try await follow(id, client)
            }
        }

        /// `--sequence`, or the id `--name` (and `--version`) resolve to.
        private func sequenceID(_ client: APIClient) async throws -> String {
            if let sequence { return sequence }
            var query = [("tenant_id", options.bodyTenant), ("namespace", namespace), ("name", name ?? "")]
            if let version { query.append(("version", String(version))) }
            let found = try await client.get("/sequences/by-name", query: query)
            guard let id = found["id"]?.stringValue else { throw ClientError.unexpected("sequence without an id") }
            return id
        }

        /// `--context` with `--data` merged in.
        private func instanceContext() throws -> JSON {
            var context: [String: JSON] = [:]
            if let text = self.context {
                guard case .object(let object) = try JSONArgument.parse(text, option: "--context") else {
                    throw ValidationError("--context: expected a JSON object {\"data\": …, \"config\": …}")
                }
                let unknown = Set(object.keys).subtracting(["data", "config", "audit", "runtime"])
                guard unknown.isEmpty else {
                    throw ValidationError(
                        "--context: unknown field(s) \(unknown.sorted().joined(separator: ", ")): expected "
                            + "{\"data\": …, \"config\": …} (use --data for the data alone)"
                    )
                }
                context = object
            }
            if let data {
                let parsed = try JSONArgument.parse(data, option: "--data")
                guard case .object(let fields) = parsed else { throw ValidationError("--data: expected a JSON object") }
                var merged = context["data"]?.objectValue ?? [:]
                merged.merge(fields) { _, new in new }
                context["data"] = .object(merged)
            }
            return .object(context)
        }

        /// `priority` in the server's capitalized spelling.
        private static func priority(_ text: String) throws -> String {
            let known = ["Low", "Normal", "High", "Critical"]
            guard let match = known.first(where: { $0.lowercased() == text.lowercased() }) else {
                throw ValidationError("--priority: expected Low, Normal, High or Critical, got '\(text)'")
            }
            return match
        }
    }
}
