import ArgumentParser
import Foundation
import Registry

/// `engage models …`: the versioned model registry.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, inspect, compare, promote and archive registered model versions.",
        subcommands: [List.self, Show.self, Promote.self, Diff.self, Archive.self])

    /// Options of every registry command.
    struct Location: ParsableArguments {
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Folder of local model artifacts.") var models = "models"
        @Flag(help: "Print JSON.") var json = false

        func withRegistry<T>(_ body: (ModelRegistry) async throws -> T) async throws -> T {
            try await connection.withDatabase { database in try await body(ModelRegistry(database: database, folder: models)) }
        }
    }

    /// `NAME`, `NAME@VERSION`, `NAME@ALIAS`, or `@VERSION` / `@ALIAS` (an empty name: the other argument's).
    static func parse(_ reference: String) -> (name: String, reference: String?) {
        guard let at = reference.firstIndex(of: "@") else { return (reference, nil) }
        return (String(reference[..<at]), String(reference[reference.index(after: at)...]))
    }

    /// Parameters as `key=value` pairs in key order.
    static func describe(_ parameters: [String: String]) -> String {
        parameters.isEmpty ? "(defaults)" : parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    static func line(_ record: ModelRecord) -> String {
        let metrics = record.metrics.sorted { $0.key < $1.key }.filter {
            ["roc_auc", "accuracy", "r2", "rmse", "silhouette", "inertia"].contains($0.key)
        }
        .map { "\($0.key) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")
        let aliases = record.aliases.isEmpty ? "" : " [\(record.aliases.joined(separator: ", "))]"
        return
            "\(record.name)@\(record.version)\(aliases)\(record.archived ? " (archived)" : ""): \(record.algorithm.rawValue) on \(record.featureSet); \(metrics)"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every model version, newest first, with aliases and key metrics.")
        @OptionGroup var location: Location
        @Argument(help: "Only this model.") var name: String?

        func run() async throws {
            let records = try await location.withRegistry { try await $0.list(name) }
            if location.json { return try printJSON(records) }
            if records.isEmpty { print("no models registered yet: engage train --task …") }
            for record in records { print(ModelsCommand.line(record)) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One version's metadata (checksum verified).")
        @OptionGroup var location: Location
        @Argument(help: "NAME[@VERSION|@ALIAS].") var model: String

        func run() async throws {
            let (name, reference) = ModelsCommand.parse(model)
            let artifact = try await location.withRegistry { try await $0.load(name, reference: reference) }
            if location.json { return try printJSON(artifact.metadata) }
            let metadata = artifact.metadata
            print(
                "\(artifact.name)@\(artifact.version): \(artifact.task.rawValue), \(metadata.algorithm.rawValue) \(ModelsCommand.describe(metadata.parameters))"
            )
            print(
                "  feature set \(metadata.featureSet.name) v\(metadata.featureSet.version) (\(metadata.featureSet.definitionHash.prefix(12))), \(artifact.features.count) features"
            )
            print(
                "  \(metadata.trainingRows) training rows, \(metadata.testRows) test rows, split \(metadata.split), seed \(metadata.seed)")
            print("  data fingerprint \(metadata.dataFingerprint.prefix(16))…, \(metadata.codeVersion), created \(metadata.createdAt)")
            for (key, value) in metadata.metrics.sorted(by: { $0.key < $1.key }) {
                print(
                    "  \(key.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%.4f", value))"
                        + (metadata.baseline[key].map { String(format: "  (baseline %.4f)", $0) } ?? ""))
            }
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point an alias (production, staging, …) at a version, or at the best one by a metric.")
        @OptionGroup var location: Location
        @Argument(help: "The model name.") var name: String
        @Argument(help: "The version (omit with --best-by).") var version: Int?
        @Option(help: "The alias to move.") var alias = "production"
        @Option(
            help:
                "Choose the version with the best held-out METRIC (higher is better except for mae, rmse, log_loss, brier, inertia, davies_bouldin)."
        )
        var bestBy: String?

        func validate() throws {
            guard (version == nil) != (bestBy == nil) else { throw ValidationError("give a VERSION or --best-by METRIC") }
        }

        func run() async throws {
            let chosen = try await location.withRegistry { registry in
                var target = version ?? 0
                if let bestBy {
                    let lowerIsBetter: Set<String> = ["mae", "rmse", "log_loss", "brier", "inertia", "davies_bouldin"]
                    let candidates = try await registry.list(name).filter { !$0.archived && $0.metrics[bestBy] != nil }
                    guard
                        let best = candidates.max(by: { a, b in
                            let x = a.metrics[bestBy]!, y = b.metrics[bestBy]!
                            return lowerIsBetter.contains(bestBy) ? x > y : x < y
                        })
                    else { throw ValidationError("no version of \(name) has the metric \(bestBy)") }
                    target = best.version
                }
                try await registry.promote(name, version: target, alias: alias)
                return target
            }
            print("\(name)@\(alias) → version \(chosen)")
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compare two versions: parameters, data and metrics.")
        @OptionGroup var location: Location
        @Argument(help: "NAME@A") var first: String
        @Argument(help: "NAME@B (or @B for the same name)") var second: String

        func run() async throws {
            let a = ModelsCommand.parse(first)
            var b = ModelsCommand.parse(second)
            if b.name.isEmpty { b.name = a.name }
            let (left, right) = try await location.withRegistry { registry in
                (try await registry.load(a.name, reference: a.reference), try await registry.load(b.name, reference: b.reference))
            }
            print("\(left.name)@\(left.version) → \(right.name)@\(right.version)")
            func row(_ label: String, _ x: String, _ y: String) { if x != y { print("  \(label): \(x) → \(y)") } }
            row("algorithm", left.metadata.algorithm.rawValue, right.metadata.algorithm.rawValue)
            row("parameters", ModelsCommand.describe(left.metadata.parameters), ModelsCommand.describe(right.metadata.parameters))
            row(
                "feature set", "\(left.metadata.featureSet.name) \(left.metadata.featureSet.definitionHash.prefix(12))",
                "\(right.metadata.featureSet.name) \(right.metadata.featureSet.definitionHash.prefix(12))")
            row("training rows", "\(left.metadata.trainingRows)", "\(right.metadata.trainingRows)")
            row("data fingerprint", String(left.metadata.dataFingerprint.prefix(16)), String(right.metadata.dataFingerprint.prefix(16)))
            for key in Set(left.metadata.metrics.keys).union(right.metadata.metrics.keys).sorted() {
                let x = left.metadata.metrics[key], y = right.metadata.metrics[key]
                let delta = (x != nil && y != nil) ? String(format: " (%+.4f)", y! - x!) : ""
                print(
                    "  \(key.padding(toLength: 16, withPad: " ", startingAt: 0)) \(x.map { String(format: "%.4f", $0) } ?? "-") → \(y.map { String(format: "%.4f", $0) } ?? "-")\(delta)"
                )
            }
        }
    }

    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Archive a version (kept, but no longer latest or promotable).")
        @OptionGroup var location: Location
        @Argument(help: "The model name.") var name: String
        @Argument(help: "The version.") var version: Int

        func run() async throws {
            try await location.withRegistry { try await $0.archive(name, version: version) }
            print("\(name)@\(version) archived")
        }
    }
}
