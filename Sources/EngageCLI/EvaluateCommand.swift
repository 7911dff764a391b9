import ArgumentParser
import Foundation
import Registry
import Reports

/// `engage evaluate NAME[@VERSION|@ALIAS]`: HTML, Markdown and JSON reports of a model version.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Write an evaluation report (self-contained HTML with charts, Markdown, JSON) for a model version.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "NAME, NAME@VERSION or NAME@ALIAS (default: the newest version).") var model: String
    @Option(help: "Folder of local model artifacts.") var models = "models"
    @Option(help: "Where to write the reports.") var out = "reports"

    func run() async throws {
        let (name, reference) = ModelsCommand.parse(model)
        let paths = try await connection.withDatabase { database in
            let report = try await ReportBuilder(database: database, registry: ModelRegistry(database: database, folder: models)).build(
                name, reference: reference)
            return try ReportWriter.write(report, to: out)
        }
        for path in paths { print(path) }
    }
}
