import EngageML
import EngageTestSupport
import Features
import Foundation
import MongoKit
import Registry
import Testing
import Training

/// Training from a built feature collection into the registry, against the real database:
/// versions count up, artifacts are checksummed on load (local file, else GridFS), unknown schema
/// versions and tampered bytes are refused, aliases move.
@Suite(.serialized) struct RegistryTests {
    /// 240 TikTok-shaped raw videos whose views follow followers, built into `tiktok_engagement` and `tiktok_virality`.
    static func prepare(_ database: MongoDatabase) async throws {
        let documents = syntheticVideos(240)
        try await database.collection("raw_tiktok_videos").insertMany(documents)
        for name in ["tiktok_engagement", "tiktok_virality"] {
            _ = try await FeatureBuilder(database: database, set: try FeatureCatalog.set(name)).build()
        }
    }

    private func withRegistry(_ body: (MongoDatabase, ModelRegistry, String) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withTestDatabase { database in
            try await Self.prepare(database)
            try await body(database, ModelRegistry(database: database, folder: folder), folder)
        }
    }

    @Test func trainingRegistersVersionsThatLoadBackIdentically() async throws {
        try await withRegistry { database, registry, folder in
            let trainer = ModelTrainer(database: database, registry: registry)
            let set = try FeatureCatalog.set("tiktok_virality")
            let first = try await trainer.train(
                set: set, algorithm: try AlgorithmSpec(name: "tree", task: .classification, parameters: ["max_depth": "4"]),
                split: try SplitRule(parsing: "hash:0.25"), folds: 3)
            let second = try await trainer.train(
                set: set, algorithm: try AlgorithmSpec(name: "logistic"), split: try SplitRule(parsing: "hash:0.25"))
            #expect(first.record.version == 1 && second.record.version == 2)
            #expect(FileManager.default.fileExists(atPath: "\(folder)/tiktok_virality/1/model.json"))
            #expect(FileManager.default.fileExists(atPath: "\(folder)/tiktok_virality/2/metadata.json"))
            let metadata = first.artifact.metadata
            #expect(metadata.trainingRows + metadata.testRows == 240)
            #expect(metadata.featureSet.definitionHash == set.definitionHash)
            #expect(metadata.metrics["roc_auc"] != nil && metadata.baseline["accuracy"] != nil)
            #expect(metadata.crossValidation?["accuracy"].map { (0...1).contains($0.mean) && $0.standardDeviation >= 0 } == true)
            let loaded = try await registry.load("tiktok_virality", reference: "1")
            #expect(loaded == first.artifact)
            #expect(try await registry.resolve("tiktok_virality") == 2)

            // The same training data gives the same fingerprint.
            let again = try await trainer.train(
                set: set, algorithm: try AlgorithmSpec(name: "tree", task: .classification, parameters: ["max_depth": "4"]),
                split: try SplitRule(parsing: "hash:0.25"))
            #expect(again.artifact.metadata.dataFingerprint == metadata.dataFingerprint)
            #expect(again.artifact.pipeline == first.artifact.pipeline)
        }
    }

    @Test func checksumsSchemaVersionsAndGridFSFallback() async throws {
        try await withRegistry { database, registry, folder in
            let trainer = ModelTrainer(database: database, registry: registry)
            _ = try await trainer.train(
                set: try FeatureCatalog.set("tiktok_engagement"), algorithm: try AlgorithmSpec(name: "ridge"),
                split: try SplitRule(parsing: "hash:0.2"))
            let path = "\(folder)/tiktok_engagement/1/model.json"
            let original = try Data(contentsOf: URL(fileURLWithPath: path))

            try FileManager.default.removeItem(atPath: path)
            let fromGridFS = try await registry.load("tiktok_engagement")
            #expect(fromGridFS.version == 1)

            var tampered = original
            tampered[tampered.count / 2] ^= 0x01
            try tampered.write(to: URL(fileURLWithPath: path))
            await #expect {
                _ = try await registry.load("tiktok_engagement")
            } throws: { error in
                guard case RegistryError.checksumMismatch(let model, _, _)? = error as? RegistryError else { return false }
                return model == "tiktok_engagement@1"
            }

            let text = String(decoding: original, as: UTF8.self)
            let future = text.replacingOccurrences(of: "\"schema_version\":3", with: "\"schema_version\":99")
            #expect(throws: RegistryError.unsupportedSchema(found: 99, supported: 3)) { try ModelArtifact.decode(Array(future.utf8)) }
            // Schema 1 (cross-validation as [mean, sd]) is still read.
            #expect(
                try ModelArtifact.decode(Array(text.replacingOccurrences(of: "\"schema_version\":3", with: "\"schema_version\":2").utf8))
                    .classLabels == nil)
            let old = text.replacingOccurrences(of: "\"schema_version\":3", with: "\"schema_version\":1")
                .replacingOccurrences(of: "\"code_version\"", with: "\"cross_validation\":{\"r2\":[0.5,0.1]},\"code_version\"")
            let read = try ModelArtifact.decode(Array(old.utf8))
            #expect(read.metadata.crossValidation?["r2"] == CrossValidationSummary(mean: 0.5, standardDeviation: 0.1))
        }
    }

    @Test func aliasesMoveAndArchivedVersionsStayPut() async throws {
        try await withRegistry { database, registry, _ in
            let trainer = ModelTrainer(database: database, registry: registry)
            for _ in 0..<2 {
                _ = try await trainer.train(
                    set: try FeatureCatalog.set("tiktok_engagement"), algorithm: try AlgorithmSpec(name: "ridge"),
                    split: try SplitRule(parsing: "hash:0.2"))
            }
            try await registry.promote("tiktok_engagement", version: 1, alias: "production")
            #expect(try await registry.resolve("tiktok_engagement", reference: "production") == 1)
            try await registry.promote("tiktok_engagement", version: 2, alias: "production")
            #expect(try await registry.resolve("tiktok_engagement", reference: "production") == 2)
            #expect(try await registry.record("tiktok_engagement", version: 2).aliases == ["production"])
            try await registry.archive("tiktok_engagement", version: 2)
            #expect(try await registry.resolve("tiktok_engagement") == 1)
            await #expect(throws: RegistryError.archived(model: "tiktok_engagement", version: 2)) {
                try await registry.promote("tiktok_engagement", version: 2, alias: "staging")
            }
            await #expect(throws: RegistryError.unknownVersion(model: "tiktok_engagement", reference: "canary")) {
                _ = try await registry.resolve("tiktok_engagement", reference: "canary")
            }
        }
    }
}
