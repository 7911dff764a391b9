import ArgumentParser
import Foundation
import Insights
import Registry
import Serving

/// `engage insights …`: the summaries the dashboard of `engage serve` reads.
struct InsightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights",
        abstract: "Build the dashboard's summaries inside MongoDB (insights_videos, insights_summaries).",
        subcommands: [Build.self, Export.self])

    /// `engage insights build`
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge collected videos into insights_videos, store one summary per platform, and build the audience numbers.")

        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Rebuild every row instead of those ingested since the last build.") var full = false
        @Flag(help: "Print the summary as JSON, and no progress.") var json = false

        func run() async throws {
            let quiet = json
            let summary = try await connection.withDatabase { database in
                try await InsightsBuilder(database: database, logger: connection.logger("engage.insights")).build(full: full) { step in
                    if !quiet { FileHandle.standardError.write(Data("insights: \(step)\n".utf8)) }
                }
            }
            if json { return try printJSON(summary) }
            let merged = summary.merged.sorted { $0.key < $1.key }.map { "\($0.value) from \($0.key)" }.joined(separator: ", ")
            print(
                "insights_videos: \(summary.full ? "full" : "incremental") build merged \(merged); \(summary.rows) rows, "
                    + "\(summary.scopes.count) summaries (\(summary.scopes.joined(separator: ", "))) in \(String(format: "%.1f", summary.seconds)) s"
            )
            if let audience = summary.audience, audience.events > 0 { print(audience.text) }
        }
    }

    /// `engage insights export --out DIR`
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dashboard as static files: every page, its JSON, every row as CSV, the reports.",
            discussion: "Pages are written unfiltered, as of the last `engage insights build`; they open from disk without a server.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The folder to write into (created if needed).") var out: String
        @Option(help: "The folder of `engage evaluate`'s reports.") var reports = "reports"
        @Option(help: "Folder of local model artifacts.") var models = "models"
        @Flag(help: "Print what was written as JSON.") var json = false

        func run() async throws {
            let summary = try await connection.withDatabase { database in
                try await DashboardExport(
                    insights: InsightsStore(database: database), registry: ModelRegistry(database: database, folder: models),
                    reportsFolder: reports
                ).write(to: out)
            }
            if json { return try printJSON(summary) }
            print("\(out)/: \(summary.files.count) files (index.html and every page, api/*.json, rows.csv with \(summary.rows) rows)")
        }
    }
}
