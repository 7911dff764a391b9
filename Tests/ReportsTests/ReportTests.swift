import EngageML
import EngageTestSupport
import Features
import Foundation
import MongoKit
import Registry
@testable import Reports
import Testing
import Training

/// Evaluation reports from registered versions: self-contained HTML with charts, Markdown, JSON.
@Suite(.serialized) struct ReportTests {
    @Test func reportsForEachTaskAreSelfContained() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withTestDatabase { database in
            try await database.collection("raw_tiktok_videos").insertMany(syntheticVideos(240))
            for name in ["tiktok_engagement", "tiktok_virality"] {
                _ = try await FeatureBuilder(database: database, set: try FeatureCatalog.set(name)).build()
            }
            _ = try await FeatureBuilder(database: database, set: try FeatureCatalog.set("creator_segments")).build()
            let registry = ModelRegistry(database: database, folder: folder + "/models")
            let trainer = ModelTrainer(database: database, registry: registry)
            let split = try SplitRule(parsing: "hash:0.3")
            _ = try await trainer.train(
                set: try FeatureCatalog.set("tiktok_virality"), algorithm: try AlgorithmSpec(name: "tree", parameters: ["max_depth": "3"]),
                split: split)
            _ = try await trainer.train(
                set: try FeatureCatalog.set("tiktok_virality"), algorithm: try AlgorithmSpec(name: "logistic"), split: split)
            try await registry.promote("tiktok_virality", version: 1, alias: "production")
            _ = try await trainer.train(
                set: try FeatureCatalog.set("tiktok_engagement"), algorithm: try AlgorithmSpec(name: "ridge"), split: split)
            _ = try await trainer.train(
                set: try FeatureCatalog.set("creator_segments"),
                algorithm: try AlgorithmSpec(name: "kmeans", parameters: ["n_clusters": "3"]), split: split)

            let builder = ReportBuilder(database: database, registry: registry)
            let classifier = try await builder.build("tiktok_virality", reference: "2")
            #expect(classifier.production?.version == 1)
            #expect(classifier.roc?.first == [0, 0] && classifier.roc?.last == [1, 1])
            #expect(classifier.thresholds?.count == 9)
            #expect(classifier.confusion?.flatMap { $0 }.reduce(0, +) == classifier.testRows)
            #expect(classifier.metrics["roc_auc"] == (try await registry.record("tiktok_virality", version: 2)).metrics["roc_auc"])
            let paths = try ReportWriter.write(classifier, to: folder)
            let html = try String(contentsOfFile: paths[0], encoding: .utf8)
            #expect(html.contains("<svg") && html.contains("ROC curve") && html.contains("Δ production"))
            #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
            #expect(try String(contentsOfFile: paths[1], encoding: .utf8).hasPrefix("# tiktok_virality v2"))
            #expect(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: paths[2]))) is [String: Any])

            let regressor = try await builder.build("tiktok_engagement", reference: nil)
            #expect(regressor.errorsBySegment?.count == 5 && regressor.residuals?.count == regressor.testRows)
            let clusters = try await builder.build("creator_segments", reference: nil)
            #expect(clusters.clusterSizes?.reduce(0, +) == clusters.testRows)
            #expect(clusters.centroids?.count == 3 && clusters.projection?.isEmpty == false)

            // Calibration bins carry their row counts, and a bin of one row stays off the curve.
            var sparse = classifier
            let bins = """
                [{"lower": 0, "upper": 0.5, "count": 120, "meanPredicted": 0.2, "fractionPositive": 0.22},
                 {"lower": 0.5, "upper": 0.9, "count": 40, "meanPredicted": 0.7, "fractionPositive": 0.65},
                 {"lower": 0.9, "upper": 1, "count": 1, "meanPredicted": 0.95, "fractionPositive": 1}]
                """
            sparse.calibration = try JSONDecoder().decode([ClassificationMetrics.CalibrationBin].self, from: Data(bins.utf8))
            let calibration = try #require(
                ReportWriter.classifierCharts(sparse).first { $0.contains("Calibration") })
            #expect(calibration.components(separatedBy: "<circle").count - 1 == 2)
            #expect(calibration.contains("<td>0.9–1.0</td><td>1</td>"))
            // The projection names its clusters; a feature without values has no centroid number.
            #expect(ReportWriter.clusterCharts(clusters).first?.contains(">cluster 2</text>") == true)
            var empty = clusters
            let feature = try #require(clusters.centroidFeatures?.first)
            empty.features = clusters.features.map {
                var f = $0; if f.name == feature { f.nullRate = 1 }; return f
            }
            let profiles = try #require(ReportWriter.tableSections(empty).first { $0.contains("Cluster profiles") })
            #expect(profiles.contains("no value in the held-out rows (\(feature))"))
            #expect(!(ReportWriter.tableSections(clusters).first { $0.contains("Cluster profiles") } ?? "").contains("no value"))
        }
    }
}
