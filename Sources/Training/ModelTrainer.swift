import EngageML
import Features
import Foundation
import Hashing
import MongoKit
import Registry

/// Trains a model on a built feature collection (`engage train --task`): reads the features through
/// the numeric fast path (no `Document` per row), holds rows out by the split rule, runs the one
/// ``TrainingRun`` path, and registers the result as the next version.
public struct ModelTrainer: Sendable {
    /// The database holding the feature collections.
    public let database: MongoDatabase
    /// The registry new versions are registered in.
    public let registry: ModelRegistry

    /// A trainer reading features from `database` and registering in `registry`.
    public init(database: MongoDatabase, registry: ModelRegistry) {
        self.database = database
        self.registry = registry
    }

    /// What a training run produced.
    public struct Outcome: Sendable {
        /// The fit and its evaluation.
        public var run: TrainingRun
        /// The artifact as registered (with its version).
        public var artifact: ModelArtifact
        /// The registry's record of it.
        public var record: ModelRecord
    }

    /// Trains `algorithm` on `set`'s rows and registers it as `modelName` (default: the set's name).
    public func train(
        set: FeatureSet, algorithm: AlgorithmSpec, split: SplitRule, folds: Int = 0, seed: UInt64 = 0, modelName: String? = nil,
        progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> Outcome {
        guard algorithm.task == set.task else { throw TrainingError.wrongTask(set: set.name, task: set.task, algorithm: algorithm) }
        progress?("reading \(set.collection)")
        let rows = try await SplitFeatureRows.read(
            database.collection(set.collection), featureNames: set.featureNames, task: algorithm.task, split: split)
        guard rows.table.rowCount > 0 else { throw TrainingError.noRows(set.collection) }
        guard rows.train.count >= 2, !rows.test.isEmpty else {
            throw TrainingError.emptySplit(set: set.name, split: split.description, train: rows.train.count, test: rows.test.count)
        }
        progress?("fitting \(algorithm.family.rawValue) on \(rows.train.count) rows")
        let run = try TrainingRun.fit(
            algorithm, features: rows.features, target: rows.labels, train: rows.train, test: rows.test, label: "label", folds: folds,
            seed: seed)
        let artifact = run.artifact(
            name: modelName ?? set.name,
            featureSet: FeatureSetReference(
                name: set.name, version: set.version, definitionHash: set.definitionHash, definition: try FeatureSetFile.text(of: set)),
            dataFingerprint: fingerprint(table: rows.table, rows: rows.train), split: split.description)
        progress?("registering")
        let (saved, record) = try await registry.register(artifact)
        return Outcome(run: run, artifact: saved, record: record)
    }

    /// SHA-256 over the training rows' keys and values, in row order.
    private func fingerprint(table: NumericTable, rows: [Int]) -> String {
        var hasher = SHA256()
        for row in rows {
            hasher.update(Array(table.keys[row].utf8))
            for column in 0..<table.columnNames.count {
                withUnsafeBytes(of: table.values[column * table.rowCount + row].bitPattern.littleEndian) { hasher.update($0) }
            }
        }
        return SHA256.hex(digest: hasher.finalize())
    }
}

/// Why a training run could not start, and what to do.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    case noRows(String)
    case emptySplit(set: String, split: String, train: Int, test: Int)
    case wrongTask(set: String, task: LearningTask, algorithm: AlgorithmSpec)
    case tooFewRows(path: String, rows: Int)
    case noColumn(option: String, name: String, path: String, columns: [String])
    case textLabel(String)

    /// The problem, with what to do about it.
    public var description: String {
        switch self {
        case .noRows(let collection): "\(collection) is empty: run engage features build first"
        case .emptySplit(let set, let split, let train, let test):
            "split \(split) leaves \(train) training and \(test) test rows of \(set); choose another cutoff or fraction"
        case .wrongTask(let set, let task, let algorithm):
            "\(set) is a \(task.rawValue) set; \(algorithm.family.rawValue) does \(algorithm.task.rawValue)"
        case .tooFewRows(let path, let rows): "\(path) has \(rows) rows; too few to train and test"
        case .noColumn(let option, let name, let path, let columns):
            "\(option) \(name): \(path) has no such column (it has \(columns.joined(separator: ", ")))"
        case .textLabel(let label): "--label \(label) is text: text labels are classes; train a classifier or give a numeric label"
        }
    }
}
