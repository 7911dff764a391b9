import EngageML
import Features
import Foundation
import Hashing
import MongoKit

/// Trains a model on a built feature collection: reads the features through the numeric fast
/// path (no `Document` per row), holds rows out by the split rule, fits preprocessing and model on
/// the training rows only, evaluates against the naive baseline, and registers the result.
public struct ModelTrainer: Sendable {
    public let database: MongoDatabase
    public let registry: ModelRegistry

    public init(database: MongoDatabase, registry: ModelRegistry) {
        self.database = database
        self.registry = registry
    }

    /// What a training run produced.
    public struct Outcome: Sendable {
        public var artifact: ModelArtifact
        public var record: ModelRecord
    }

    /// The code version recorded in every artifact.
    public static let codeVersion = "engage 0.4.0"

    public func train(
        set: FeatureSet, algorithm: AlgorithmSpec, split: SplitRule, folds: Int = 0, seed: UInt64 = 0, modelName: String? = nil,
        progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> Outcome {
        progress?("reading \(set.collection)")
        let rows = try await SplitFeatureRows.read(
            database.collection(set.collection), featureNames: set.featureNames, task: algorithm.task, split: split)
        guard rows.table.rowCount > 0 else { throw TrainingError.noRows(set.collection) }
        let (train, test, labels, features) = (rows.train, rows.test, rows.labels, rows.features)
        guard train.count >= 2, !test.isEmpty else {
            throw TrainingError.emptySplit(set: set.name, split: split.description, train: train.count, test: test.count)
        }
        progress?("fitting \(algorithm.family.rawValue) on \(train.count) rows")
        let trainTarget = train.map { labels[$0] }
        let testTarget = test.map { labels[$0] }
        let pipeline = try ModelPipeline.fit(
            algorithm, features: features.selectingRows(train), target: trainTarget, label: algorithm.task == .clustering ? nil : "label")
        let evaluation = try Evaluation.evaluate(pipeline.model, x: pipeline.matrix(features.selectingRows(test)), truth: testTarget)
        let baseline = Evaluation.baseline(task: algorithm.task, trainTarget: trainTarget, truth: testTarget)
        var crossValidation: [String: [Double]]?
        if folds >= 2, algorithm.task != .clustering {
            progress?("cross-validating, \(folds) folds")
            crossValidation = try ModelPipeline.crossValidate(
                algorithm, features: features.selectingRows(train), target: trainTarget, label: "label", folds: folds, seed: seed
            ).mapValues { [$0.mean, $0.standardDeviation] }
        }
        let artifact = ModelArtifact(
            name: modelName ?? set.name, task: algorithm.task.rawValue, features: set.featureNames, pipeline: pipeline,
            metadata: ModelMetadata(
                algorithm: algorithm.family.rawValue, parameters: algorithm.parameters,
                featureSet: FeatureSetReference(name: set.name, version: set.version, definitionHash: set.definitionHash),
                trainingRows: train.count, testRows: test.count, dataFingerprint: fingerprint(table: rows.table, rows: train), seed: seed,
                split: split.description, metrics: evaluation.metrics, baseline: baseline.metrics, crossValidation: crossValidation,
                codeVersion: Self.codeVersion, createdAt: Date()))
        progress?("registering")
        let (saved, record) = try await registry.register(artifact)
        return Outcome(artifact: saved, record: record)
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
        return hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// Why a training run could not start.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    case noRows(String)
    case emptySplit(set: String, split: String, train: Int, test: Int)

    public var description: String {
        switch self {
        case .noRows(let collection): "\(collection) is empty: run engage features build first"
        case .emptySplit(let set, let split, let train, let test):
            "split \(split) leaves \(train) training and \(test) test rows of \(set); choose another cutoff or fraction"
        }
    }
}
