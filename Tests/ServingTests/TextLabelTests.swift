import EngageML
import EngageTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import MongoKit
import Registry
import Serving
import Testing
import Training

/// `engage train --data` on a table whose label is text with some labels missing: the rows without
/// a label are left out and counted, the classes are kept by name in the artifact, and the server
/// answers with the name (issue 16).
@Suite struct TextLabelTests {
    /// 240 rows: x decides the tier ("flop" below 5, "hit" above); every 12th row has no label.
    static func table() throws -> String {
        let rows = (0..<240).map { i in
            let x = Double(i % 20) / 2
            let tier = i % 12 == 5 ? "" : (x >= 5 ? "hit" : "flop")
            return "\(x),\((i * 37) % 11),\(tier)"
        }
        return try temporaryFile((["x,z,tier"] + rows).joined(separator: "\n"), suffix: ".csv")
    }

    @Test func textLabelsAreClassesByNameAndMissingLabelsAreLeftOut() async throws {
        let path = try Self.table()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trainer = TableTrainer(path: path, label: "tier", testFraction: 0.25, seed: 3)
        let run = try trainer.train(try AlgorithmSpec(name: "tree", parameters: ["max_depth": "2"]))
        #expect(run.rowsWithoutLabel == 20)
        #expect(run.trainingRows + run.testRows == 220)
        #expect(run.classLabels == ["flop", "hit"])
        #expect(run.evaluation.metrics["accuracy"] == 1)
        #expect {
            _ = try trainer.train(try AlgorithmSpec(name: "ridge"))
        } throws: { error in
            "\(error)".contains("--label tier is text")
        }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("text-label-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withTestDatabase { database in
            let registry = ModelRegistry(database: database, folder: folder)
            _ = try await trainer.register(run, as: "tiers", in: registry)
            #expect(try await registry.load("tiers").classLabels == ["flop", "hit"])
            let store = ModelStore(registry: registry)
            await store.refresh()
            var configuration = ServerConfiguration()
            configuration.port = 0
            try await PredictionServer(store: store, configuration: configuration).application().test(.live) { client in
                let body = #"{"instances": [{"x": 9, "z": 1}, {"x": 1, "z": 1}]}"#
                let answer = try await client.execute(
                    uri: "/v1/models/tiers/predict", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: body)
                ) { response in
                    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
                }
                let predictions = try #require(answer["predictions"] as? [[String: Any]], "\(answer)")
                #expect(predictions.map { $0["label"] as? String } == ["hit", "flop"])
                let probabilities = try #require(predictions.first?["probabilities"] as? [String: Double])
                #expect(Set(probabilities.keys) == ["flop", "hit"] && (probabilities["hit"] ?? 0) > 0.5)
            }
        }
    }
}
