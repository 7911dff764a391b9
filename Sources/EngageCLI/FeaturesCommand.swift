import ArgumentParser
import Features
import Foundation
import MongoKit

/// `engage features …`: build and inspect feature collections.
struct FeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Build feature collections inside MongoDB and describe them.",
        subcommands: [List.self, Build.self, Show.self, Verify.self, Pipeline.self, Definition.self])

    /// `engage features list`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The feature sets and their features.")

        func run() throws {
            for name in FeatureCatalog.names {
                let set = try FeatureCatalog.resolve(name)
                print("\(name) (\(set.task.rawValue), v\(set.version), from \(set.source)): \(set.featureNames.joined(separator: ", "))")
            }
        }
    }

    /// `engage features build SET`
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Materialize a feature set into features_SET with $merge (incremental unless --full).",
            discussion: """
                SET is a built-in set (\(FeatureCatalog.names.joined(separator: ", "))), a set of yours in \
                features/SET.yaml, a path to a feature set file, or all (built-in sets and yours).
                """)

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The feature set, or all.") var name: String
        @Flag(help: "Rebuild every row instead of those ingested since the last build.") var full = false
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            let names = name == "all" ? FeatureCatalog.allNames() : [name]
            let sets = try names.map { try FeatureCatalog.resolve($0) }
            try await connection.withDatabase { database in
                var summaries: [FeatureBuildSummary] = []
                for set in sets {
                    let summary = try await FeatureBuilder(database: database, set: set, logger: connection.logger("engage.features"))
                        .build(full: full)
                    summaries.append(summary)
                    if !json {
                        let threshold = summary.labelThreshold.map { String(format: ", label threshold %.4g", $0) } ?? ""
                        print(
                            "\(set.collection): \(summary.full ? "full" : "incremental") build wrote \(summary.written), "
                                + "\(summary.rows) rows\(threshold) in \(String(format: "%.1f", summary.seconds)) s")
                    }
                }
                if json { try printJSON(summaries) }
            }
        }
    }

    /// `engage features pipeline SET`
    struct Pipeline: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the aggregation a full build of SET runs, as MongoDB Extended JSON (one stage per line).",
            discussion: """
                Paste it into mongosh or Compass to see what the build does; a quantile label's threshold is \
                measured at build time, so its label column is left out here.
                """)

        @Argument(help: "The feature set: a name (built in or features/NAME.yaml) or a file.") var name: String

        func run() throws {
            let set = try FeatureCatalog.resolve(name)
            let stages = set.pipeline(builtAt: Date()) + [set.mergeStage]
            print("// db.\(set.source).aggregate([ … ]): \(stages.count) stages")
            for stage in stages { print(try stage.extendedJSON(.relaxed) + ",") }
        }
    }

    /// `engage features definition SET`
    struct Definition: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a feature set's definition as a feature set file (YAML), to copy into features/ and edit.")

        @Argument(help: "The feature set: a name (built in or features/NAME.yaml) or a file.") var name: String

        func run() throws {
            print(try FeatureSetFile.text(of: try FeatureCatalog.resolve(name)), terminator: "")
        }
    }

    /// `engage features verify SET`
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every built row against what serving computes for its raw document (features in Swift, history by lookup).")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Feature sets, or all (every set whose rows are one raw document each).") var sets: [String]
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let names =
                sets == ["all"]
                ? FeatureCatalog.allNames().filter { name in (try? FeatureCatalog.resolve(name))?.preparation.isEmpty == true } : sets
            let results = try await connection.withDatabase { database in
                var results: [FeatureVerification] = []
                for name in names { results.append(try await FeatureVerification.verify(try FeatureCatalog.resolve(name), in: database)) }
                return results
            }
            if json { try printJSON(results) }
            for result in results where !json {
                print(
                    "\(result.featureSet): \(result.rows) rows, \(result.compared) values compared, \(result.mismatches.count) mismatches")
                for mismatch in result.mismatches.prefix(10) {
                    print(
                        "  \(mismatch.id) \(mismatch.feature): database \(mismatch.database.map { "\($0)" } ?? "missing"), swift \(mismatch.swift.map { "\($0)" } ?? "missing")"
                    )
                }
            }
            if results.contains(where: { !$0.mismatches.isEmpty }) { throw ExitCode(1) }
        }
    }

    /// `engage features show SET`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Schema, counts, null rates and min / median / max per feature.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The feature set: a name (built in or features/NAME.yaml) or a file.") var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let set = try FeatureCatalog.resolve(name)
            try await connection.withDatabase { database in
                let profile = try await FeatureProfile.measure(set, in: database)
                if json { return try printJSON(profile) }
                print(
                    "\(set.collection): \(profile.rows) rows, \(set.task.rawValue), version \(set.version), definition \(profile.definitionHash.prefix(12))"
                )
                let width = max(14, (profile.columns.map(\.name.count).max() ?? 0) + 2)
                func row(_ cells: [String]) -> String {
                    "  " + cells[0].padding(toLength: width, withPad: " ", startingAt: 0)
                        + cells.dropFirst().map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined()
                }
                print(row(["column", "kind", "null %", "min", "median", "max"]))
                for column in profile.columns {
                    let cells = [
                        column.name, column.kind, String(format: "%.1f", column.nullRate * 100),
                        column.min.map { String(format: "%.4g", $0) } ?? "-", column.median.map { String(format: "%.4g", $0) } ?? "-",
                        column.max.map { String(format: "%.4g", $0) } ?? "-",
                    ]
                    print(row(cells))
                }
                for (title, counts) in [
                    ("labels", profile.labelCounts), ("performance tiers", profile.tiers), ("viral potential", profile.potential),
                ] {
                    if let counts {
                        print("  \(title): " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: " · "))
                    }
                }
            }
        }
    }
}
