import Foundation
import Logging
public import Orch8Core
import PostgresNIO

extension PostgresStore {
    /// The channel every node listens on; the payload says what changed.
    static let channel = "orch8"
    static let workChannel = "work"
    static let taskChannel = "tasks"
    static let pluginChannel = "plugins"
    /// Followed by the instance id.
    static let signalPrefix = "signal:"

    /// Tells every node (this one too) that work is due.
    func notifyWork() async throws {
        try await execute("SELECT pg_notify(\(Self.channel), \(Self.workChannel))")
    }

    /// Tells every node that worker tasks are available.
    func notifyTasks() async throws {
        try await execute("SELECT pg_notify(\(Self.channel), \(Self.taskChannel))")
    }

    /// Listens on one connection of its own for as long as the stream is consumed; a lost connection
    /// is listened on again after a second (a wake missed meanwhile is found by the engine's periodic
    /// claim).
    public func changes() -> AsyncStream<StoreChange>? {
        let client = client
        let logger = logger
        return AsyncStream { continuation in
            let listener = Task {
                while !Task.isCancelled {
                    do {
                        try await client.withConnection { connection in
                            try await connection.listen(on: Self.channel) { notes in
                                for try await note in notes {
                                    switch note.payload {
                                    case Self.taskChannel: continuation.yield(.tasks)
                                    case Self.pluginChannel: continuation.yield(.plugins)
                                    case let payload where payload.hasPrefix(Self.signalPrefix):
                                        if let id = UUID(text: String(payload.dropFirst(Self.signalPrefix.count))) {
                                            continuation.yield(.signal(id))
                                        }
                                    default: continuation.yield(.work)
                                    }
                                }
                            }
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning(
                            "LISTEN failed, retrying",
                            metadata: ["error": "\(PostgresStore.describe(error))"]
                        )
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in listener.cancel() }
        }
    }
}
