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

    /// Reads the table and trains `spec` on it.
    public func train(_ spec: AlgorithmSpec) throws -> TrainingRun {
        let table = try FeatureTable(csv: path)
        let (features, target) = try splitLabel(table)
        var generator = SeededGenerator(seed: seed)
        let order = Array(0..<table.rows).shuffled(using: &generator)
        let testCount = max(1, Int((Double(table.rows) * testFraction).rounded()))
        guard table.rows - testCount >= 2 else { throw TrainingError.tooFewRows(path: path, rows: table.rows) }
        return try TrainingRun.fit(
            spec, features: features, target: target, train: Array(order.dropFirst(testCount)).sorted(),
            test: Array(order.prefix(testCount)).sorted(), label: label, folds: folds, seed: seed)
    }

    /// Registers `run` as the next version of `name`, recording the file and its SHA-256.
    public func register(_ run: TrainingRun, as name: String, in registry: ModelRegistry) async throws -> ModelRecord {
        let reference = FeatureSetReference(name: "file:" + URL(fileURLWithPath: path).lastPathComponent, version: 1, definitionHash: "")
        let artifact = run.artifact(name: name, featureSet: reference, dataFingerprint: try fileDigest(), split: "shuffle:\(testFraction)")
        return try await registry.register(artifact).1
    }

    private func splitLabel(_ table: FeatureTable) throws(TrainingError) -> (FeatureTable, [Double]) {
        for name in drop where table.column(named: name) == nil {
            throw .noColumn(option: "--drop", name: name, path: path, columns: table.names)
        }
        guard let label else { return (table.removing(Set(drop)), [Double](repeating: 0, count: table.rows)) }
        guard let column = table.column(named: label) else {
            throw .noColumn(option: "--label", name: label, path: path, columns: table.names)
        }
        guard case .numeric(let values) = column else { throw .textLabel(label) }
        if let row = values.firstIndex(where: { $0.isNaN }) { throw .missingLabel(label, row: row + 1) }
        return (table.removing(Set(drop + [label])), values)
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
