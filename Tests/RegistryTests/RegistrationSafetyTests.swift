import EngageML
import EngageTestSupport
import Features
import Foundation
import MongoKit
import Registry
import Testing

/// Registering under races, crashes and hostile names (issue 15, items 2, 11, 12), on the real database.
@Suite(.serialized) struct RegistrationSafetyTests {
    /// A small trained artifact named `name`, fitted once and reused.
    static func artifact(named name: String) throws -> ModelArtifact {
        let table = try FeatureTable(names: ["x"], columns: [.numeric((0..<40).map(Double.init))])
        let pipeline = try ModelPipeline.fit(
            try AlgorithmSpec(name: "tree", task: .classification, parameters: ["max_depth": "2"]), features: table,
            target: (0..<40).map { $0 < 20 ? 0 : 1 }, label: "y")
        return ModelArtifact(
            name: name, task: .classification, features: ["x"], pipeline: pipeline,
            metadata: ModelMetadata(
                algorithm: .tree, parameters: [:], featureSet: FeatureSetReference(name: "file:tiny.csv", version: 1, definitionHash: ""),
                trainingRows: 40, testRows: 0, dataFingerprint: "", seed: 0, split: "none", metrics: ["accuracy": 1], baseline: [:],
                crossValidation: nil, codeVersion: "test", createdAt: Date()))
    }

    func withRegistry(_ body: (MongoDatabase, ModelRegistry, String) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withTestDatabase { database in try await body(database, ModelRegistry(database: database, folder: folder), folder) }
    }

    @Test func concurrentRegistrationsOfOneNameGetDistinctLoadableVersions() async throws {
        try await withRegistry { database, registry, folder in
            let artifact = try Self.artifact(named: "race")
            let versions = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 { group.addTask { try await registry.register(artifact).1.version } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(versions.sorted() == Array(1...8))
            for version in 1...8 {
                let loaded = try await registry.load("race", reference: String(version))
                #expect(loaded.version == version)
            }
            #expect(try await database.collection("model_artifacts.files").countDocuments() == 8)
            #expect(try await database.collection("models").countDocuments(["status": ["$ne": "ready"]]) == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/race").sorted() == (1...8).map(String.init).sorted())
        }
    }

    @Test func anAbandonedRegistrationIsIgnoredThenCleanedUp() async throws {
        try await withRegistry { database, registry, folder in
            _ = try await registry.register(try Self.artifact(named: "crashy"))
            // A trainer that died after claiming version 2 and uploading its file.
            try await database.collection("models").insertMany([
                [
                    "_id": "crashy@2", "name": "crashy", "version": 2, "status": "registering",
                    "claimed_at": .date(Date().addingTimeInterval(-3_600)), "archived": false,
                ]
            ])
            _ = try await GridFSBucket(database: database, name: "model_artifacts").upload(
                Array("{}".utf8), filename: "crashy/2/model.json", metadata: ["model": "crashy", "version": 2])
            try FileManager.default.createDirectory(atPath: "\(folder)/crashy/2", withIntermediateDirectories: true)
            #expect(try await registry.resolve("crashy") == 1)
            #expect(try await registry.list("crashy").map(\.version) == [1])
            await #expect(throws: RegistryError.self) { _ = try await registry.load("crashy", reference: "2") }

            let next = try await registry.register(try Self.artifact(named: "crashy"))
            #expect(next.1.version == 2)
            #expect(try await database.collection("model_artifacts.files").countDocuments(["metadata.model": "crashy"]) == 2)
            #expect(try await registry.load("crashy", reference: "2").version == 2)
        }
    }

    @Test func namesThatWouldEscapeTheFolderOrCollideAreRefused() async throws {
        try await withRegistry { _, registry, folder in
            for name in ["../escape", "a/b", "", ".hidden", "a@b", "a:b", String(repeating: "n", count: 65)] {
                await #expect(throws: RegistryError.self, "\(name)") { _ = try await registry.register(try Self.artifact(named: name)) }
            }
            #expect(!FileManager.default.fileExists(atPath: "\(folder)/../escape"))
            _ = try await registry.register(try Self.artifact(named: "a"))
            _ = try await registry.register(try Self.artifact(named: "a.b"))
            await #expect(throws: RegistryError.self) { try await registry.promote("a", version: 1, alias: "b:c") }
            // Keys are structural: ("a.b", "c") and ("a", "b.c") are two aliases.
            try await registry.promote("a.b", version: 1, alias: "c")
            try await registry.promote("a", version: 1, alias: "b.c")
            #expect(try await registry.resolve("a.b", reference: "c") == 1)
            #expect(try await registry.resolve("a", reference: "b.c") == 1)
            await #expect(throws: RegistryError.self) { _ = try await registry.resolve("a", reference: "c") }
        }
    }

    @Test func artifactsLoadFromTheRegistrysFolderNotTheTrainersPath() async throws {
        try await withRegistry { database, registry, folder in
            _ = try await registry.register(try Self.artifact(named: "moved"))
            let elsewhere = folder + "-served"
            defer { try? FileManager.default.removeItem(atPath: elsewhere) }
            try FileManager.default.copyItem(atPath: folder, toPath: elsewhere)
            // The trainer's copy changes; the served folder's copy is the one loaded.
            try Data("{}".utf8).write(to: URL(fileURLWithPath: "\(folder)/moved/1/model.json"))
            let served = ModelRegistry(database: database, folder: elsewhere)
            #expect(try await served.load("moved").name == "moved")
        }
    }
}
