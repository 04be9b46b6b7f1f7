import ArgumentParser
import Foundation
import Orch8Core

extension InstanceCommand.Start {
    /// Polls the instance until it ends, with a refreshed status line when a person watches, then
    /// prints it and its outputs.
    /// - Throws: `ExitCode(2)` when it failed or was cancelled, `ExitCode(3)` when `--timeout` ran out.
    func follow(_ id: String, _ client: APIClient) async throws {
        let live = Terminal.errorIsTerminal
        let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        let deadline = timeoutSeconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        let path = "/instances/\(APIClient.segment(id))"
        var frame = 0
        var instance = try await client.get(path)
        while !Self.endStates.contains(instance["state"]?.stringValue ?? "") {
            if let deadline, ContinuousClock.now >= deadline {
                if live { Terminal.writeError("\r\u{1B}[2K") }
                Terminal.printError(
                    "error: instance \(id) is still \(instance["state"]?.cell ?? "?") after \(timeoutSeconds ?? 0) s"
                )
                throw ExitCode(3)
            }
            if live {
                var line = "\(frames[frame % frames.count]) \(id)  \(instance["state"]?.cell ?? "?")"
                line += "  \(InstanceCommand.steps(instance)) step(s)"
                if let step = instance["context"]?["runtime"]?["current_step"]?.stringValue { line += "  at \(step)" }
                Terminal.writeError("\r\u{1B}[2K" + line)
                frame += 1
            }
            try await Task.sleep(for: .milliseconds(200))
            instance = try await client.get(path)
        }
        if live { Terminal.writeError("\r\u{1B}[2K") }
        let outputs = try await client.get(path + "/outputs")
        options.emit(["instance": instance, "outputs": outputs]) { _ in
            InstanceCommand.details(instance) + "\n\n" + InstanceCommand.outputsTable(outputs)
        }
        let state = instance["state"]?.stringValue ?? ""
        guard state == "completed" else {
            var message = "error: instance \(id) \(state)"
            if let reason = Self.failureMessage(outputs) { message += ": \(reason)" }
            Terminal.printError(message)
            throw ExitCode(2)
        }
    }

    /// The message of the permanent failure the engine recorded, if any.
    static func failureMessage(_ outputs: JSON) -> String? {
        (outputs.arrayValue ?? []).reversed().lazy.compactMap { row -> String? in
            guard row["output"]?["__error__"]?.boolValue == true else { return nil }
            return row["output"]?["message"]?.cell
        }.first
    }
}
