import EngageML
import EngageTestSupport
import Foundation
import MongoKit
import Registry
import Testing
import Training

/// `engage train --data`'s path: a CSV table through the one TrainingRun into the registry, and
/// the errors that name the option and the column.
@Suite struct TableTrainerTests {
    /// 200 rows: x decides y, z is noise, id is an identifier to drop.
    static func table() throws -> String {
        let rows = (0..<200).map { i in "\(i),\(Double(i % 20) / 2),\((i * 37) % 11),\(i % 20 >= 10 ? 1 : 0)" }
        return try temporaryFile((["id,x,z,y"] + rows).joined(separator: "\n"), suffix: ".csv")
    }

    @Test func aTableTrainsEvaluatesAndRegistersLikeAFeatureSet() async throws {
        let path = try Self.table()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trainer = TableTrainer(path: path, label: "y", drop: ["id"], testFraction: 0.25, folds: 3, seed: 1)
        let run = try trainer.train(try AlgorithmSpec(name: "tree", parameters: ["max_depth": "2"]))
        #expect(run.trainingRows == 150 && run.testRows == 50)
        #expect(run.pipeline.featureNames == ["x", "z"])
        #expect(run.evaluation.metrics["accuracy"] == 1 && (run.baseline.metrics["accuracy"] ?? 1) < 0.7)
        #expect(run.crossValidation?["accuracy"]?.mean == 1)
        let again = try trainer.train(try AlgorithmSpec(name: "tree", parameters: ["max_depth": "2"]))
        #expect(again.pipeline == run.pipeline)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("table-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withTestDatabase { database in
            let registry = ModelRegistry(database: database, folder: folder)
            let record = try await trainer.register(run, as: "tiny", in: registry)
            #expect(record.version == 1 && record.featureSet == "file:" + URL(fileURLWithPath: path).lastPathComponent)
            let artifact = try await registry.load("tiny")
            #expect(artifact.features == ["x", "z"] && artifact.metadata.split == "shuffle:0.25")
            #expect(artifact.metadata.dataFingerprint.count == 64)
        }
    }

    @Test func badColumnsAreNamed() throws {
        let path = try Self.table()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = try AlgorithmSpec(name: "logistic")
        #expect(throws: TrainingError.self) { _ = try TableTrainer(path: path, label: "nope").train(spec) }
        do {
            _ = try TableTrainer(path: path, label: "y", drop: ["ghost"]).train(spec)
            Issue.record("a missing --drop column was accepted")
        } catch {
            #expect("\(error)".contains("--drop ghost") && "\(error)".contains("id, x, z, y"))
        }
    }
}
