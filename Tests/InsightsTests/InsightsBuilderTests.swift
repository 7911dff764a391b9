import EngageTestSupport
import Foundation
import Insights
import MongoKit
import Testing

/// `engage insights build` against the real database: every panel's numbers are checked against
/// the same numbers computed here in Swift from the raw documents the test wrote.
@Suite struct InsightsBuilderTests {
    /// A "one row per video" export row as the videos collector stores it.
    static func exportRow(_ i: Int, platform: String, fetchedAt: Int64 = 1_790_000_000_000) -> Document {
        [
            "_id": .string("\(platform):v\(i)"), "video_id": .string("v\(i)"), "platform": .string(platform),
            "creator": .string("creator_\(i % 4)"), "title": .string("video \(i)"), "category": .string(i % 2 == 0 ? "Music" : "Gaming"),
            "country": .string(i % 3 == 0 ? "IN" : "US"),
            "published_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_780_000_000_000 + Int64(i) * 7_200_000)),
            "duration_s": .double(Double(5 + i * 7)), "views": .int64(Int64(100 * (i + 1))), "likes": .int64(Int64(5 * (i + 1))),
            "comments": .int64(Int64(i)), "shares": .int64(Int64(i / 2)), "hashtags": ["a"],
            "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: fetchedAt))],
        ]
    }

    /// A TikTok item as the TikTok collector stores it.
    static func tiktokItem(_ i: Int) -> Document {
        [
            "_id": .string("7\(i)"), "video_id": .string("7\(i)"), "platform": "tiktok", "description": .string("clip \(i) #fyp"),
            "author": ["username": .string("tt_\(i % 3)"), "followers": .int64(1_000)],
            "created_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_780_000_000_000 + Int64(i) * 3_600_000)),
            "duration_s": .double(12), "music": ["title": "original sound"], "hashtags": ["fyp"],
            "stats": [
                "views": .int64(Int64(1_000 * (i + 1))), "likes": .int64(Int64(50 * (i + 1))), "comments": 2, "shares": .int64(Int64(i)),
            ],
            "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
        ]
    }

    static func seed(_ database: MongoDatabase) async throws -> [Document] {
        let exports = (0..<20).map { exportRow($0, platform: "youtube") } + (20..<30).map { exportRow($0, platform: "instagram") }
        try await database.collection("raw_videos").insertMany(exports)
        try await database.collection("raw_tiktok_videos").insertMany((0..<10).map(tiktokItem))
        return exports
    }

    @Test func everyCollectedVideoIsSummarizedOverallAndPerPlatform() async throws {
        try await withTestDatabase { database in
            let exports = try await Self.seed(database)
            let built = try await InsightsBuilder(database: database).build()
            #expect(built.rows == 40)
            #expect(built.merged == ["raw_videos": 30, "raw_tiktok_videos": 10])
            #expect(Set(built.scopes) == ["all", "platform:youtube", "platform:instagram", "platform:tiktok"])

            let store = InsightsStore(database: database)
            let all = try await store.summary(InsightsFilter())
            let exportViews = exports.compactMap { $0["views"]?.doubleValue }.reduce(0, +)
            let tiktokViews = (0..<10).map { Double(1_000 * ($0 + 1)) }.reduce(0, +)
            #expect(all.kpis.videos == 40)
            #expect(all.kpis.totalViews == exportViews + tiktokViews)
            #expect(all.kpis.platforms == ["instagram", "tiktok", "youtube"])
            #expect(all.live == false)
            // Daily totals add up to the whole, and each day's views equal the rows published that day.
            #expect(all.daily.map(\.views).reduce(0, +) == all.kpis.totalViews)
            #expect(all.daily.map(\.videos).reduce(0, +) == 40)
            // The leaderboard: creator_3 has videos 3, 7, …, 27 of the exports.
            let creator3 = exports.filter { $0["creator"] == "creator_3" }.compactMap { $0["views"]?.doubleValue }.reduce(0, +)
            #expect(all.creators.first { $0.creator == "creator_3" }?.views == creator3)
            #expect(all.creators.map(\.views) == all.creators.map(\.views).sorted(by: >))
            // Every video falls in one tier, one potential, one duration bucket and one histogram bin.
            #expect(all.tiers.map(\.videos).reduce(0, +) == 40)
            #expect(all.potential.map(\.videos).reduce(0, +) == 40)
            #expect(all.durations.map(\.videos).reduce(0, +) == 40)
            #expect(all.virality.map(\.videos).reduce(0, +) == 40)
            #expect(all.categories.map(\.name).sorted() == ["Gaming", "Music"])
            // Segments: every country's sum of likes is the sum over its rows; every tier's counts add up.
            for country in ["IN", "US"] {
                let likes = exports.filter { $0["country"] == .string(country) }.compactMap { $0["likes"]?.doubleValue }.reduce(0, +)
                #expect(all.segments["country"]?.first { $0.name == country }?.sum["likes"] == likes, "\(country)")
            }
            #expect(all.segments["tier"]?.map(\.videos).reduce(0, +) == 40)
            #expect(all.segments["platform"]?.first { $0.name == "tiktok" }?.sum["views"] == tiktokViews)

            let tiktok = try await store.summary(try InsightsFilter(query: ["platform": "TikTok"]))
            #expect(tiktok.scope == "platform:tiktok")
            #expect(tiktok.kpis.videos == 10 && tiktok.kpis.totalViews == tiktokViews)
            #expect(tiktok.creators.map(\.creator).sorted() == ["tt_0", "tt_1", "tt_2"])
            // Engagement rate as ShortVideoScores defines it: (likes + comments + shares) / views.
            let rates: [Double] = (0..<10).map { (i: Int) -> Double in
                let n = Double(i + 1)
                return (50 * n + 2 + Double(i)) / (1_000 * n)
            }.sorted()
            let median = try #require(tiktok.kpis.medianEngagementRate)
            #expect(median >= rates[4] - 1e-9 && median <= rates[5] + 1e-9)
        }
    }

    @Test func aLiveFilterMeansWhatTheStoredSummaryMeans() async throws {
        try await withTestDatabase { database in
            let exports = try await Self.seed(database)
            _ = try await InsightsBuilder(database: database).build()
            let store = InsightsStore(database: database)
            let stored = try await store.summary(try InsightsFilter(query: ["platform": "youtube"]))
            // A date range that holds every video: computed live, the same numbers as stored.
            let live = try await store.summary(
                try InsightsFilter(query: ["platform": "youtube", "from": "2000-01-01", "to": "2100-01-01"]))
            #expect(live.live && live.rowCap == store.liveRowCap)
            #expect(live.kpis == stored.kpis)
            #expect(live.daily == stored.daily)
            #expect(live.creators == stored.creators)
            #expect(live.tiers == stored.tiers)
            // A country: only its rows.
            let india = try await store.summary(try InsightsFilter(query: ["country": "IN"]))
            let expected = exports.filter { $0["country"] == "IN" }
            #expect(india.kpis.videos == expected.count)
            #expect(india.kpis.totalViews == expected.compactMap { $0["views"]?.doubleValue }.reduce(0, +))
        }
    }

    @Test func aRebuildMergesOnlyNewRowsAndARerunChangesNothing() async throws {
        try await withTestDatabase { database in
            _ = try await Self.seed(database)
            let builder = InsightsBuilder(database: database)
            _ = try await builder.build()
            let first = try await InsightsStore(database: database).summary(InsightsFilter())
            let again = try await builder.build()
            #expect(again.merged.values.allSatisfy { $0 == 0 } && again.rows == 40)
            try await database.collection("raw_videos").insertMany(
                (30..<35).map { Self.exportRow($0, platform: "youtube", fetchedAt: 1_790_000_100_000) })
            let more = try await builder.build()
            #expect(more.merged["raw_videos"] == 5 && more.rows == 45)
            let after = try await InsightsStore(database: database).summary(InsightsFilter())
            #expect(after.kpis.videos == first.kpis.videos + 5)
        }
    }

    @Test func filterValuesNoVideoHasAreRefusedByName() async throws {
        try await withTestDatabase { database in
            _ = try await Self.seed(database)
            let store = InsightsStore(database: database)
            await #expect(throws: InsightsError.notBuilt) { _ = try await store.summary(InsightsFilter()) }
            _ = try await InsightsBuilder(database: database).build()
            let fresh = InsightsStore(database: database)
            for (name, value) in [("platform", "myspace"), ("category", "{\"$ne\": 1}"), ("country", "ZZ")] {
                do {
                    _ = try await fresh.summary(try InsightsFilter(query: [name: value]))
                    Issue.record("\(name)=\(value) was accepted")
                } catch let error as InsightsError {
                    guard case .badParameter(let parameter, _) = error else { Issue.record("\(error)"); continue }
                    #expect(parameter == name)
                }
            }
            #expect(throws: InsightsError.self) { _ = try InsightsFilter(query: ["from": "yesterday"]) }
            #expect(throws: InsightsError.self) { _ = try InsightsFilter(query: ["from": "2026-05-02", "to": "2026-05-01"]) }
        }
    }

    @Test func theExplorerProfilesEveryColumnAsPandasWould() async throws {
        try await withTestDatabase { database in
            let exports = try await Self.seed(database)
            _ = try await InsightsBuilder(database: database).build()
            let store = InsightsStore(database: database)
            let all = try await store.explorer(InsightsFilter())
            #expect(all.rows == 40 && !all.live)
            #expect(all.columns.map(\.name) == VideoRows.columns.map(\.name))
            func column(_ name: String) throws -> ExplorerSummary.Column { try #require(all.columns.first { $0.name == name }) }
            // Exports carry a category, TikTok items none.
            #expect(try column("category").values == 30 && column("category").nulls == 10)
            #expect(try column("sound").values == 10 && column("sound").type == "text")
            #expect(try column("velocity").values == 0 && column("velocity").numeric == nil)
            #expect(try column("hashtags").type == "list" && column("hashtags").values == 40)
            let views = exports.compactMap { $0["views"]?.doubleValue } + (0..<10).map { Double(1_000 * ($0 + 1)) }
            let mean = views.reduce(0, +) / Double(views.count)
            let std = (views.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(views.count)).squareRoot()
            let numeric = try #require(try column("views").numeric)
            #expect(abs(numeric.mean - mean) < 1e-9 && abs(numeric.std - std) < 1e-6)
            #expect(numeric.min == views.min() && numeric.max == views.max())
            #expect(numeric.p25 <= numeric.median && numeric.median <= numeric.p75)
            // The preview: the newest rows first, cells as the CSV writes them.
            #expect(all.preview.count == ExplorerSummary.previewRows)
            let published = try #require(all.previewColumns.firstIndex(of: "published_at"))
            #expect(all.preview.map { $0[published] } == all.preview.map { $0[published] }.sorted(by: >))
            // A live filter profiles only its rows.
            let india = try await store.explorer(try InsightsFilter(query: ["country": "IN"]))
            #expect(india.live && india.rows == exports.filter { $0["country"] == "IN" }.count)
        }
    }

    @Test func rowsArePagedByIDEachExactlyOnce() async throws {
        try await withTestDatabase { database in
            _ = try await Self.seed(database)
            _ = try await InsightsBuilder(database: database).build()
            let store = InsightsStore(database: database)
            var seen: [String] = []
            var page = try await store.rows(InsightsFilter(), after: nil, limit: 7)
            while !page.isEmpty {
                seen += page.compactMap { $0["_id"]?.stringValue }
                page = try await store.rows(InsightsFilter(), after: seen.last, limit: 7)
            }
            #expect(seen.count == 40 && Set(seen).count == 40 && seen == seen.sorted())
            let youtube = try await store.rows(try InsightsFilter(query: ["platform": "youtube"]), after: nil, limit: 100)
            #expect(youtube.count == 20 && youtube.allSatisfy { $0["platform"] == "youtube" })
        }
    }

    @Test func trendsCountHashtagsAndSoundsAndMeasureVelocityBetweenCrawls() async throws {
        try await withTestDatabase { database in
            let exports = try await Self.seed(database)
            // Video 70 seen twice two days apart (+2,000 views: 1,000 a day), video 71 twice ten
            // minutes apart (too close to measure), video 72 once.
            let day: Int64 = 86_400_000, start: Int64 = 1_790_000_000_000
            func snapshot(_ id: String, _ at: Int64, _ views: Int) -> Document {
                [
                    "_id": .string("\(id)@\(at)"), "video_id": .string(id),
                    "observed_at": .datetime(BSONDateTime(millisecondsSinceEpoch: at)),
                    "stats": ["views": .int64(Int64(views))],
                ]
            }
            try await database.collection("tiktok_stats").insertMany([
                snapshot("70", start, 1_000), snapshot("70", start + day, 1_800), snapshot("70", start + 2 * day, 3_000),
                snapshot("71", start, 2_000), snapshot("71", start + 600_000, 2_500), snapshot("72", start, 3_000),
            ])
            _ = try await InsightsBuilder(database: database).build()
            let trends = try await InsightsStore(database: database).trends(InsightsFilter())
            #expect(trends.videos == 40)
            #expect(trends.measuredVideos == 1)
            #expect(trends.fastest.map(\.viewsPerDay) == [1_000])
            #expect(trends.fastest.first?.crawls == 3)
            let a = try #require(trends.hashtags.first { $0.name == "a" })
            #expect(a.videos == 30 && a.views == exports.compactMap { $0["views"]?.doubleValue }.reduce(0, +))
            #expect(a.weekly.reduce(0, +) == 30)
            #expect(trends.hashtags.first { $0.name == "fyp" }?.videos == 10)
            #expect(trends.sounds.map(\.name) == ["original sound"])
            #expect(trends.authors.map(\.likes) == trends.authors.map(\.likes).sorted(by: >))
            #expect(trends.authors.first { $0.creator == "tt_0" }?.followers == 1_000)
        }
    }

    @Test func aTrendsPhaseReadsItsLastTwoWeeksAgainstTheTwoBefore() {
        #expect(TrendSummary.phase([5, 5, 5, 5, 10, 10]) == "rising")
        #expect(TrendSummary.phase([10, 10, 10, 10, 3, 3]) == "fading")
        #expect(TrendSummary.phase([4, 4, 4, 4]) == "peaking")
        #expect(TrendSummary.phase([3, 0, 0]) == "fading")
        #expect(TrendSummary.phase([0, 0, 1, 1]) == "rising")
        #expect(TrendSummary.phase([1]) == "peaking")
    }
}
