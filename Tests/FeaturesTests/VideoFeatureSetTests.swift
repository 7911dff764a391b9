import Collectors
import EngageTestSupport
import Features
import Foundation
import MongoKit
import SeedData
import Testing

/// The built-in sets on `raw_videos` (issue 16): any platform's export, featurized with what is
/// known at publish time, verified like every set, and labelled and tiered within each platform.
@Suite struct VideoFeatureSetTests {
    @Test func videoSetsBuildVerifyAndCutWithinEachPlatform() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("videos-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try SeedGenerator(seed: 11, scale: 0.1).write(to: folder)
        try await withTestDatabase { database in
            let path = "\(folder)/videos_export.csv"
            let input = try FileInput.videos(path, mapping: try VideoColumnMapping(header: try FileInput.csvHeader(path)), platform: nil)
            _ = try await Ingestor(database: database, collection: "raw_videos", source: "seed").run(next: input.next)
            for name in ["video_virality", "video_engagement"] {
                let set = try FeatureCatalog.set(name)
                _ = try await FeatureBuilder(database: database, set: set).build()
                let verification = try await FeatureVerification.verify(set, in: database)
                #expect(verification.rows == (try await database.collection("raw_videos").countDocuments(set.filter)))
                #expect(verification.rows > 300, "\(name)")
                #expect(verification.mismatches.isEmpty, "\(name): \(verification.mismatches.prefix(3))")
                #expect(verification.compared == verification.rows * (set.features.count + set.scores.count + set.historyNames.count))
                let withHistory = try await database.collection(set.collection).countDocuments(["creator_prior_videos": ["$gt": 0]])
                #expect(withHistory > verification.rows / 4, "\(name): creators' earlier videos are seen")
            }
            let set = try FeatureCatalog.set("video_virality")
            let rows = try await database.collection(set.collection).find()
            let raw = Dictionary(
                uniqueKeysWithValues: try await database.collection("raw_videos").find().map {
                    ($0["_id"]!, $0["platform"]?.stringValue ?? "")
                })
            let platforms = Set(raw.values)
            #expect(platforms.count == 3)
            for platform in platforms {
                let mine = rows.filter { raw[$0["_id"]!] == platform }
                let viral = mine.filter { $0["label"]?.doubleValue == 1 }.count
                let share = Double(viral) / Double(mine.count)
                #expect(
                    share > 0.05 && share < 0.2, "\(platform): \(viral) of \(mine.count) viral; the top decile is cut within the platform")
                let top = mine.filter { ["Top 1%", "Top 5%", "Top 20%"].contains($0["performance_tier"]?.stringValue ?? "") }.count
                #expect(Double(top) / Double(mine.count) > 0.1, "\(platform): tiers are cut within the platform")
            }
            let build = try #require(try await database.collection("feature_builds").findOne(["_id": "video_virality"]))
            #expect(build["label_thresholds"]?.arrayValue?.count == 3)
        }
    }
}
