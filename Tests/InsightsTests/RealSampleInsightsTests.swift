import Collectors
import EngageTestSupport
import Foundation
import Insights
import MongoKit
import SourceSchemas
import Testing

/// Every dashboard summary on the real files of ../shared/data/real-samples, collected as the
/// CLI collects them: TikTok-Api and flattened trending items, and the first 200 rows of the
/// TMDB 5000 movies CSV with its (dirty) credits. Skipped when the samples are absent.
@Suite struct RealSampleInsightsTests {
    static let folder = realSamplesFolder

    static func collect(_ input: FileInput, into collection: String, snapshots: String?, database: MongoDatabase) async throws
        -> IngestSummary
    {
        let ingestor = Ingestor(database: database, collection: collection, snapshotCollection: snapshots, source: "real-sample")
        return try await ingestor.run { try input.next() }
    }

    @Test(.enabled(if: folder != nil, "../shared/data/real-samples is absent"))
    func everySummaryWorksOnRealExports() async throws {
        let folder = try #require(Self.folder)
        try await withTestDatabase { database in
            var items = 0
            for file in ["tiktokapi_trending_10.json", "tiktokapi_trending_20.json", "flattened_trending_30.json"] {
                let summary = try await Self.collect(
                    try FileInput.open("\(folder)/tiktok/\(file)", kind: .tiktok), into: TikTokVideo.collection,
                    snapshots: TikTokVideo.statsCollection, database: database)
                items += summary.inserted
            }
            let credits = try TMDB5000CSV.readCredits(path: "\(folder)/tmdb/tmdb_5000_credits_first198_dirty.csv")
            let movies = try await Self.collect(
                try FileInput.open("\(folder)/tmdb/tmdb_5000_movies_first200.csv", kind: .tmdb, credits: credits),
                into: TMDBMovie.collection, snapshots: nil, database: database)
            #expect(movies.inserted == 200)

            let built = try await InsightsBuilder(database: database).build()
            #expect(built.rows == items && built.scopes == ["all", "platform:tiktok"])
            let store = InsightsStore(database: database)
            let videos = try await store.summary(InsightsFilter())
            #expect(videos.kpis.videos == items && videos.kpis.totalViews > 0)
            let trends = try await store.trends(InsightsFilter())
            #expect(!trends.hashtags.isEmpty && !trends.sounds.isEmpty && !trends.authors.isEmpty)
            // Real items name their sounds; every hashtag counted is a video's.
            #expect(trends.hashtags.allSatisfy { $0.videos <= items && $0.weekly.reduce(0, +) == $0.videos })
            let explorer = try await store.explorer(InsightsFilter())
            #expect(explorer.rows == items && explorer.columns.first { $0.name == "followers" }?.values == items)
            let film = try await store.movies(MovieFilter())
            #expect(film.movies == 200 && film.withBoth > 100)
            // The first 200 TMDB 5000 films are big productions: 146 are Adventure, 125 Action (counted from the CSV).
            #expect((film.medianROI ?? 0) > 1)
            #expect(film.genres.prefix(2).map(\.name) == ["Adventure", "Action"] && film.genres.first?.movies == 146)
            #expect(film.directors.count == 20 && film.correlation[0][1].map { $0 > 0.3 } == true)
        }
    }
}
