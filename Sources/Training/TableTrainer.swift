import EngageML
import Foundation
import Hashing
import Registry

/// Training on a CSV feature table on disk (`engage train --data`): the label and dropped columns
/// are taken out, a seeded shuffle holds out `testFraction` of the rows, and the rest is the one
/// ``TrainingRun`` path. With a name, the result is registered like any other model.
public struct TableTrainer: Sendable {
    /// The CSV file (a header row, then one row per example).
    public let path: String
    /// The column to predict; nil for clustering.
    public let label: String?
    /// Columns left out (ids, leaking outcomes).
    public let drop: [String]
    /// The share of rows held out for evaluation.
    public let testFraction: Double
    /// Cross-validation folds on the training rows (0: none).
    public let folds: Int
    /// The seed of the shuffle and the folds.
    public let seed: UInt64

    /// A trainer for the table at `path` predicting `label`, leaving out `drop`.
    public init(path: String, label: String?, drop: [String] = [], testFraction: Double = 0.2, folds: Int = 0, seed: UInt64 = 0) {
        self.path = path
        self.label = label
        self.drop = drop
        self.testFraction = testFraction
        self.folds = folds
        self.seed = seed
    }

    /// Reads the table and trains `spec` on it. Rows whose label is missing are left out (and
    /// counted in ``TrainingRun/rowsWithoutLabel``); a text label is a classifier's classes, coded
    /// 0, 1, … in sorted order and kept by name in ``TrainingRun/classLabels``.
    public func train(_ spec: AlgorithmSpec) throws -> TrainingRun {
        let table = try FeatureTable(csv: path)
        let (features, target, classLabels) = try splitLabel(table, task: spec.task)
        var generator = SeededGenerator(seed: seed)
        let order = Array(0..<features.rows).shuffled(using: &generator)
        let testCount = max(1, Int((Double(features.rows) * testFraction).rounded()))
        guard features.rows - testCount >= 2 else { throw TrainingError.tooFewRows(path: path, rows: features.rows) }
        var run = try TrainingRun.fit(
            spec, features: features, target: target, train: Array(order.dropFirst(testCount)).sorted(),
            test: Array(order.prefix(testCount)).sorted(), label: label, folds: folds, seed: seed)
        run.classLabels = classLabels
        run.rowsWithoutLabel = table.rows - features.rows
        return run
    }

    /// Registers `run` as the next version of `name`, recording the file and its SHA-256.
    public func register(_ run: TrainingRun, as name: String, in registry: ModelRegistry) async throws -> ModelRecord {
        let reference = FeatureSetReference(name: "file:" + URL(fileURLWithPath: path).lastPathComponent, version: 1, definitionHash: "")
        let artifact = run.artifact(name: name, featureSet: reference, dataFingerprint: try fileDigest(), split: "shuffle:\(testFraction)")
        return try await registry.register(artifact).1
    }

    /// The features (without the label and dropped columns) and the target of the rows that have
    /// a label, with the class names of a text label.
    private func splitLabel(_ table: FeatureTable, task: LearningTask) throws(TrainingError) -> (FeatureTable, [Double], [String]?) {
        for name in drop where table.column(named: name) == nil {
            throw .noColumn(option: "--drop", name: name, path: path, columns: table.names)
        }
        guard let label else { return (table.removing(Set(drop)), [Double](repeating: 0, count: table.rows), nil) }
        guard let column = table.column(named: label) else {
            throw .noColumn(option: "--label", name: label, path: path, columns: table.names)
        }
        let target: [Double]
        var classLabels: [String]?
        switch column {
        case .numeric(let values):
            target = values
        case .categorical(let values):
            guard task == .classification else { throw .textLabel(label) }
            let names = Set(values.compactMap { $0 }).sorted()
            let codes = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Double($0)) })
            target = values.map { $0.flatMap { codes[$0] } ?? .nan }
            classLabels = names
        }
        let labelled = target.indices.filter { !target[$0].isNaN }
        let features = table.removing(Set(drop + [label]))
        guard labelled.count < table.rows else { return (features, target, classLabels) }
        return (features.selectingRows(labelled), labelled.map { target[$0] }, classLabels)
    }

    /// SHA-256 of the file's bytes, read a mebibyte at a time so that any size takes constant memory.
    private func fileDigest() throws -> String {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty { hasher.update(piece) }
        return SHA256.hex(digest: hasher.finalize())
    }
}
