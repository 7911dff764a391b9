import Collectors
import EngageTestSupport
import Features
import Foundation
import MongoKit
import SeedData
import SourceSchemas
import Testing

/// Feature sets built inside the real database, checked against the same definitions evaluated
/// in Swift, and their history windows checked to look strictly backwards.
@Suite(.serialized) struct FeaturePipelineTests {
    /// Loads a small deterministic seed set (scale 0.04: 120 movies, 600 TikTok items) into `database`.
    static func loadSeeds(into database: MongoDatabase) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seeds-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try SeedGenerator(seed: 7, scale: 0.04).write(to: folder)
        for (file, kind, collection) in [
            ("tmdb_movies.jsonl", FileInput.Kind.tmdb, "raw_tmdb_movies"), ("tiktok_items.jsonl", .tiktok, "raw_tiktok_videos"),
        ] {
            let input = try FileInput.open("\(folder)/\(file)", kind: kind)
            _ = try await Ingestor(database: database, collection: collection, source: "seed").run(next: input.next)
        }
    }

    @Test func databaseAndSwiftGiveTheSameValueForEverySeedDocument() async throws {
        try await withTestDatabase { database in
            try await Self.loadSeeds(into: database)
            for name in ["tiktok_virality", "tiktok_engagement", "tmdb_hit", "tmdb_revenue"] {
                let set = try FeatureCatalog.set(name)
                _ = try await FeatureBuilder(database: database, set: set).build()
                let verification = try await FeatureVerification.verify(set, in: database)
                let raw = try await database.collection(set.source).countDocuments(set.filter)
                #expect(verification.rows == raw, "\(name)")
                #expect(verification.rows > 50, "\(name)")
                #expect(verification.mismatches.isEmpty, "\(name): \(verification.mismatches.prefix(3))")
                #expect(verification.compared == verification.rows * (set.features.count + set.scores.count + set.historyNames.count))
                for history in set.historyNames {  // the history compared is not missing on both sides throughout
                    let present = try await database.collection(set.collection).countDocuments([history: ["$type": "number"]])
                    #expect(present > verification.rows / 10, "\(name): \(history) present in \(present) rows")
                }
            }
            // The check can fail: a value changed in the database is reported with its row and feature.
            let set = try FeatureCatalog.set("tmdb_hit")
            let row = try await database.collection(set.collection).findOne()!
            _ = try await database.collection(set.collection).bulkWrite([
                .updateOne(
                    filter: ["_id": row["_id"]!], update: ["$set": ["cast_size": 999, "director_prior_mean_log_revenue": 99]], upsert: false
                )
            ])
            let tampered = try await FeatureVerification.verify(set, in: database)
            #expect(tampered.mismatches.map(\.feature) == ["cast_size", "director_prior_mean_log_revenue"])
            #expect(tampered.mismatches.map(\.database) == [999, 99])
        }
    }

    /// New documents are looked up in one aggregation, and each gets what it would get alone:
    /// two new videos of one author both see only the stored videos, not each other.
    @Test func batchedLookupsAreIndependentOfTheBatch() async throws {
        try await withTestDatabase { database in
            try await Self.loadSeeds(into: database)
            let set = try FeatureCatalog.set("tiktok_engagement")
            let stored = try await database.collection(set.source).find(
                set.filter, options: FindOptions(sort: ["created_at": -1], limit: 40))
            var newVideos: [Document] = []
            for (index, video) in stored.enumerated() {
                var next = video
                next["_id"] = .string("new-\(index)")
                next["created_at"] = .datetime(BSONDateTime(millisecondsSinceEpoch: 1_900_000_000_000 + Int64(index)))
                next["stats"] = nil
                newVideos.append(next)
            }
            let batch = try await set.history(for: newVideos, in: database)
            var withHistory = 0
            for (index, video) in newVideos.enumerated() {
                let alone = try await set.history(for: [video], in: database)[0]
                #expect(alone == batch[index], "\(video["_id"]!): alone \(alone), in the batch \(batch[index])")
                let author = try #require(video[path: "author.id"])
                let earlier = try await database.collection(set.source).countDocuments(["author.id": author, "stats.views": ["$gte": 0]])
                #expect(batch[index]["author_prior_videos"] == .some(Double(earlier)), "every stored video of the author is earlier")
                if earlier > 0 {
                    withHistory += 1
                    #expect(batch[index]["author_prior_median_log_views"] != .some(nil))
                }
            }
            #expect(withHistory > 20)
            // A request whose author has no stored videos: a first video.
            var stranger = newVideos[0]
            stranger["author"] = ["id": "no-such-author"]
            let first = try await set.history(for: [stranger], in: database)[0]
            #expect(first["author_prior_videos"] == .some(0) && first["author_prior_median_log_views"] == .some(nil))
        }
    }

    @Test func historyLooksStrictlyBackwards() async throws {
        try await withTestDatabase { database in
            let videos = database.collection("raw_tiktok_videos")
            let day = 86_400_000
            try await videos.insertMany(
                (0..<4).map { i in
                    [
                        "_id": .string("v\(i)"),
                        "created_at": .datetime(BSONDateTime(millisecondsSinceEpoch: Int64(1_780_000_000_000 + i * day))),
                        "author": ["id": i < 3 ? "a" : "b", "followers": 100], "stats": ["views": .int64([10, 100, 1000, 5][i])],
                        "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
                    ]
                })
            let set = try FeatureCatalog.set("tiktok_engagement")
            _ = try await FeatureBuilder(database: database, set: set).build()
            let rows = try await database.collection(set.collection).find([:], options: FindOptions(sort: ["_id": 1]))
            #expect(rows.map { $0["author_prior_videos"]?.doubleValue } == [0, 1, 2, 0])
            #expect(rows[0]["author_prior_median_log_views"] == .null)
            #expect(abs((rows[1]["author_prior_median_log_views"]?.doubleValue ?? 0) - log(11)) < 1e-9)
            #expect(rows[3]["author_prior_median_log_views"] == .null)  // another author's first video
        }
    }

    @Test func directorHistoryUsesOnlyEarlierReleases() async throws {
        try await withTestDatabase { database in
            let movies = database.collection("raw_tmdb_movies")
            try await movies.insertMany(
                (0..<3).map { i in
                    [
                        "_id": .int64(Int64(i + 1)), "title": "m", "budget": 1_000, "revenue": .int64([1_000, 100_000, 10][i]),
                        "release_date": .string("200\(i)-05-01"),
                        "credits": ["crew": [["id": 9, "job": "Director"]], "cast": [["id": 5, "order": 0]]],
                        "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
                    ]
                })
            let set = try FeatureCatalog.set("tmdb_revenue")
            _ = try await FeatureBuilder(database: database, set: set).build()
            let rows = try await database.collection(set.collection).find([:], options: FindOptions(sort: ["_id": 1]))
            #expect(rows[0]["director_prior_mean_log_revenue"] == .null)
            #expect(abs((rows[1]["director_prior_mean_log_revenue"]?.doubleValue ?? 0) - log(1_001)) < 1e-9)
            #expect(abs((rows[2]["director_prior_mean_log_revenue"]?.doubleValue ?? 0) - (log(1_001) + log(100_001)) / 2) < 1e-9)
            #expect(abs((rows[2]["lead_cast_prior_mean_log_revenue"]?.doubleValue ?? 0) - (log(1_001) + log(100_001)) / 2) < 1e-9)
        }
    }

    @Test func buildsAreIncrementalAndStamped() async throws {
        try await withTestDatabase { database in
            let videos = database.collection("raw_tiktok_videos")
            func video(_ i: Int, fetched: Int64) -> Document {
                [
                    "_id": .string("v\(i)"),
                    "created_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_780_000_000_000 + Int64(i) * 60_000)),
                    "author": ["id": "a", "followers": 100], "stats": ["views": .int64(Int64(i * 10)), "likes": 1],
                    "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: fetched))],
                ]
            }
            try await videos.insertMany((0..<20).map { video($0, fetched: 1_790_000_000_000) })
            let set = try FeatureCatalog.set("tiktok_engagement")
            let first = try await FeatureBuilder(database: database, set: set).build()
            #expect(first.full && first.rows == 20)
            let again = try await FeatureBuilder(database: database, set: set).build()
            #expect(!again.full && again.written == 0 && again.rows == 20)
            try await videos.insertMany((20..<25).map { video($0, fetched: 1_790_000_100_000) })
            let third = try await FeatureBuilder(database: database, set: set).build()
            #expect(!third.full && third.written == 5 && third.rows == 25)
            let row = try await database.collection(set.collection).findOne(["_id": "v24"])
            #expect(row?[path: "_feature_set.name"] == "tiktok_engagement")
            #expect(row?[path: "_feature_set.definition_hash"] == .string(set.definitionHash))
            #expect(row?["author_prior_videos"]?.doubleValue == 24)
            let profile = try await FeatureProfile.measure(set, in: database)
            #expect(profile.rows == 25)
            #expect(profile.columns.first { $0.name == "log_followers" }?.nullRate == 0)
            #expect(profile.columns.first { $0.name == "duration_s" }?.nullRate == 1)
        }
    }
}
