import Collectors
import EngageML
@testable import EngageCLI
import EngageTestSupport
import Features
import Foundation
import MongoKit
import Registry
import SeedData
import Testing
import Training

/// `engage predict` on files, against the real database and a registered model: the same stored
/// videos scored as raw documents (features and history computed as serving does) and as their
/// built feature rows give the same answers, and a bad record is reported and left out while the
/// records around it are scored (issue 16).
@Suite struct PredictCommandTests {
    @Test func rawDocumentsAndTheirFeatureRowsScoreAlikeAndBadRecordsAreLeftOut() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("predict-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try SeedGenerator(seed: 5, scale: 0.04).write(to: folder)
        try await withTestDatabase { database in
            let items = try FileInput.open("\(folder)/tiktok_items.jsonl", kind: .tiktok)
            _ = try await Ingestor(database: database, collection: "raw_tiktok_videos", source: "seed").run(next: items.next)
            let set = try FeatureCatalog.set("tiktok_virality")
            _ = try await FeatureBuilder(database: database, set: set).build()
            let registry = ModelRegistry(database: database, folder: "\(folder)/models")
            _ = try await ModelTrainer(database: database, registry: registry).train(
                set: set, algorithm: try AlgorithmSpec(name: "logistic"), split: try SplitRule(parsing: "hash:0.25"))

            // 80 raw items as the crawler wrote them, a broken record third.
            var lines = try String(contentsOfFile: "\(folder)/tiktok_items.jsonl", encoding: .utf8).split(separator: "\n").prefix(80)
                .map(String.init)
            lines.insert(#"{"id": "7000000000000000001", "createTime": "next week"}"#, at: 2)
            try (lines.joined(separator: "\n") + "\n").write(toFile: "\(folder)/items.jsonl", atomically: true, encoding: .utf8)
            // The same videos' built feature rows, as a CSV with an id column.
            let ids = lines.compactMap { line -> BSONValue? in
                guard let document = try? Document(extendedJSON: line), case .string(let id)? = document["id"] else { return nil }
                return .string(id)
            }
            let rows = try await database.collection(set.collection).find(["_id": ["$in": .array(ids)]])
            #expect(rows.count == 80)
            var csv = "id," + set.featureNames.joined(separator: ",") + "\n"
            for row in rows {
                let values = set.featureNames.map { name in row[name]?.doubleValue.map { "\($0)" } ?? "" }
                csv += "\(row["_id"]?.stringValue ?? ""),\(values.joined(separator: ","))\n"
            }
            csv += "broken," + set.featureNames.map { _ in "many" }.joined(separator: ",") + "\n"
            try csv.write(toFile: "\(folder)/rows.csv", atomically: true, encoding: .utf8)

            func predict(_ file: String, out: String) async throws -> [String: (label: String, probability: Double)] {
                let parsed = try Engage.parseAsRoot([
                    "predict", "tiktok_virality", "--from", "\(folder)/\(file)", "--out", "\(folder)/\(out)", "--database", database.name,
                    "--models", "\(folder)/models", "--json",
                ])
                let command = try #require(parsed as? PredictCommand)
                try await command.run()
                let text = try String(contentsOfFile: "\(folder)/\(out)", encoding: .utf8)
                var scores: [String: (String, Double)] = [:]
                for line in text.split(separator: "\n") where !line.isEmpty {
                    let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
                    let object = try #require(parsed as? [String: Any])
                    let id = try #require(object["id"] as? String)
                    let probability = try #require(object["probability"] as? Double)
                    scores[id] = ("\(object["label"] ?? "")", probability)
                }
                return scores
            }
            let fromDocuments = try await predict("items.jsonl", out: "documents.jsonl")
            let fromRows = try await predict("rows.csv", out: "rows.jsonl")
            #expect(fromDocuments.count == 80 && fromRows.count == 80, "the bad record is left out, every other one scored")
            #expect(fromDocuments["7000000000000000001"] == nil && fromRows["broken"] == nil)
            var agree = 0
            for (id, score) in fromDocuments {
                let row = try #require(fromRows[id], "\(id) scored from its document but not from its row")
                #expect(score.label == row.label && abs(score.probability - row.probability) < 1e-9, "\(id): \(score) vs \(row)")
                if score.label == row.label && abs(score.probability - row.probability) < 1e-9 { agree += 1 }
            }
            #expect(agree == 80)
            // CSV output: a header naming each class's probability, then one row per record.
            let csvCommand = try Engage.parseAsRoot([
                "predict", "tiktok_virality@1", "--from", "\(folder)/rows.csv", "--out", "\(folder)/scores.csv", "--database",
                database.name, "--models", "\(folder)/models", "--json",
            ])
            let command = try #require(csvCommand as? PredictCommand)
            try await command.run()
            let scores = try String(contentsOfFile: "\(folder)/scores.csv", encoding: .utf8).split(separator: "\r\n")
            #expect(scores.first == "record,id,label,probability,p_0,p_1" && scores.count == 81)
        }
    }
}
