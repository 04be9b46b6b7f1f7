import ArgumentParser

@main
struct Orch8Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orch8",
        abstract:
            "A durable workflow engine: sequences of steps that complete, retry or land in the dead-letter queue.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, SequenceCommand.self, InstanceCommand.self, PluginCommand.self,
        ],
        defaultSubcommand: nil
    )
}
