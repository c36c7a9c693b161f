import ArgumentParser

@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "A self-hosted gateway in front of every model provider.",
        subcommands: [Serve.self, Check.self, Models.self, Keys.self, Teams.self, Spend.self, BenchStore.self],
        defaultSubcommand: Serve.self
    )
}
