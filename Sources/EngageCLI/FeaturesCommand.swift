import ArgumentParser
import Features
import Foundation
import MongoKit

/// `engage features …`: build and inspect feature collections.
struct FeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Build feature collections inside MongoDB and describe them.",
        subcommands: [List.self, Init.self, Check.self, Build.self, Show.self, Verify.self, Pipeline.self, Definition.self])

    /// `engage features list`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The feature sets (built in, and yours in features/) and their features.")

        func run() throws {
            for name in FeatureCatalog.allNames() {
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

    /// `engage features init --collection C`
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose a feature set file for a collection from a profile of its documents, to edit.",
            discussion: """
                Numbers become features (log-scaled across orders of magnitude), text of few values one-hot columns, \
                dates their hour, weekday and month, lists their length; count-like fields (views, likes, revenue, \
                votes, …) are declared outcomes, never features. With a numeric --label, the creator's earlier rows \
                become history. Without --label the set is for clustering.

                Example: engage features init --collection raw_videos --label views --out features/my_videos.yaml
                """)

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The raw collection to describe.") var collection: String
        @Option(help: "The field to predict (a number, a boolean, or text of two classes).") var label: String?
        @Option(help: "Where to write the file (default: features/NAME.yaml).", completion: .file(extensions: ["yaml"])) var out: String?
        @Option(help: "The set's name (default: the file's name, else COLLECTION_LABEL).") var name: String?
        @Flag(help: "Overwrite an existing file.") var force = false
        @Flag(help: "Print a JSON summary instead of text.") var json = false

        /// What `--json` prints.
        struct Summary: Encodable {
            let file: String, featureSet: String, task: String, sampled: Int, documents: Int, features: [String], outcomes: [String]
            let notes: [String]
            enum CodingKeys: String, CodingKey {
                case file, featureSet = "feature_set", task, sampled, documents, features, outcomes, notes
            }
        }

        func run() async throws {
            let setName =
                name ?? out.map { (($0 as NSString).lastPathComponent as NSString).deletingPathExtension }
                ?? ([collection.replacingOccurrences(of: "raw_", with: "")] + (label.map { [$0] } ?? [])).joined(separator: "_")
                .replacingOccurrences(of: ".", with: "_").lowercased()
            guard setName.range(of: "^[a-z][a-z0-9_]{0,63}$", options: .regularExpression) != nil else {
                throw ValidationError(
                    "\(setName) is not a set name (lower-case letters, digits and _, starting with a letter); give --name")
            }
            let path = out ?? "features/\(setName).yaml"
            if FileManager.default.fileExists(atPath: path) && !force {
                throw ValidationError("\(path) exists; give --force to overwrite it, or another --out")
            }
            let proposal = try await connection.withDatabase { database in
                try await FeatureSetProposal.propose(name: setName, collection: collection, label: label, in: database)
            }
            let header =
                [
                    "Proposed by engage features init from \(proposal.sampled) of \(proposal.documents) documents of \(collection).",
                    "Edit it freely; engage features check \(path) validates it. What the profile found:",
                ] + proposal.notes.map { "  " + $0 }
            let text = try FeatureSetFile.text(of: proposal.set, header: header)
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            if json {
                return try printJSON(
                    Summary(
                        file: path, featureSet: setName, task: proposal.set.task.rawValue, sampled: proposal.sampled,
                        documents: proposal.documents, features: proposal.set.featureNames, outcomes: proposal.set.outcomeFields.sorted(),
                        notes: proposal.notes))
            }
            print(
                "wrote \(path): \(setName), \(proposal.set.task.rawValue), \(proposal.set.featureNames.count) features from "
                    + "\(proposal.sampled) of \(proposal.documents) documents; outcomes: \(proposal.set.outcomeFields.sorted().joined(separator: ", "))"
            )
            print("next: edit it, then engage features build \(path == "features/\(setName).yaml" ? setName : path)")
        }
    }

    /// `engage features check FILE…`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate feature set files; each problem names the file, line, column and key.")

        @Argument(help: "Feature set files (YAML or JSON).", completion: .file(extensions: FeatureSetFile.extensions)) var files: [String]
        @Flag(help: "Print JSON.") var json = false

        /// One file's result.
        struct Result: Encodable {
            let file: String
            var featureSet: String?, task: String?, features: Int?, history: Int?
            var error: Problem?
            enum CodingKeys: String, CodingKey { case file, featureSet = "feature_set", task, features, history, error }
        }

        /// Where a file is wrong.
        struct Problem: Encodable { let line: Int?, column: Int?, key: String, problem: String, message: String }

        func run() throws {
            var results: [Result] = []
            for file in files {
                var result = Result(file: file)
                do {
                    let set = try FeatureSetFile.load(path: file)
                    result.featureSet = set.name
                    result.task = set.task.rawValue
                    result.features = set.features.count
                    result.history = set.historyNames.count
                    if !json {
                        print(
                            "\(file): ok, \(set.name) (\(set.task.rawValue) on \(set.source)), \(set.features.count) features, "
                                + "\(set.historyNames.count) history features")
                    }
                } catch {
                    result.error = Problem(
                        line: error.line, column: error.column, key: error.key, problem: error.problem, message: error.description)
                    if !json { FileHandle.standardError.write(Data("\(error.description)\n".utf8)) }
                }
                results.append(result)
            }
            if json { try printJSON(results) }
            if results.contains(where: { $0.error != nil }) { throw ExitCode(1) }
        }
    }

    /// `engage features verify SET`
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every built row against what serving computes for its raw document (features in Swift, history by lookup).")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Feature sets, or all.") var sets: [String]
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let names = sets == ["all"] ? FeatureCatalog.allNames() : sets
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
