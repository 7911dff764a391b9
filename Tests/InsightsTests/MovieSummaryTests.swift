import EngageTestSupport
import Foundation
import Insights
import MongoKit
import Testing

/// The Movies page's numbers against the same numbers computed here from the movies the test
/// wrote, as TMDB's `/movie/{id}` answers them.
@Suite struct MovieSummaryTests {
    struct Movie {
        var id: Int, title: String, year: Int, budget: Double, revenue: Double, runtime: Double, votes: Double, genres: [String]
        var company: String, director: String?
    }

    static let movies: [Movie] = (0..<24).map { i in
        Movie(
            id: i, title: "Movie \(i)", year: 2000 + i % 4,
            // Every sixth budget and every eighth revenue unknown, written 0 as TMDB does.
            budget: i % 6 == 0 ? 0 : Double(1_000_000 * (i + 1)), revenue: i % 8 == 0 ? 0 : Double(1_500_000 * (i + 1) + 400_000 * (i % 5)),
            runtime: Double(90 + i), votes: Double(100 * (i + 1)), genres: i % 2 == 0 ? ["Drama", "Action"] : ["Comedy"],
            company: i % 3 == 0 ? "Studio A" : "Studio B", director: i % 7 == 6 ? nil : "Director \(i % 4)")
    }

    static func document(_ movie: Movie) -> Document {
        var crew: [BSONValue] = [["id": 900, "job": "Producer", "name": "Someone"]]
        if let director = movie.director { crew.append(["id": 1, "job": "Director", "name": .string(director)]) }
        return [
            "_id": .int64(Int64(movie.id)), "id": .int64(Int64(movie.id)), "title": .string(movie.title),
            "release_date": .string("\(movie.year)-06-15"), "budget": .double(movie.budget), "revenue": .double(movie.revenue),
            "runtime": .double(movie.runtime), "vote_average": 6.5, "vote_count": .double(movie.votes), "popularity": 10.0,
            "genres": .array(movie.genres.enumerated().map { ["id": .int64(Int64($0.offset)), "name": .string($0.element)] }),
            // As the seeds and some crawls do, the company is listed twice: the movie still counts once.
            "production_companies": [["id": 1, "name": .string(movie.company)], ["id": 1, "name": .string(movie.company)]],
            "credits": ["cast": [], "crew": .array(crew)],
            "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
        ]
    }

    static func pearson(_ pairs: [(Double, Double)]) -> Double {
        let n = Double(pairs.count)
        let mx = pairs.map(\.0).reduce(0, +) / n, my = pairs.map(\.1).reduce(0, +) / n
        let cov = pairs.map { ($0.0 - mx) * ($0.1 - my) }.reduce(0, +)
        let vx = pairs.map { ($0.0 - mx) * ($0.0 - mx) }.reduce(0, +), vy = pairs.map { ($0.1 - my) * ($0.1 - my) }.reduce(0, +)
        return cov / (vx * vy).squareRoot()
    }

    @Test func theMoviesPageCountsWhatTMDBGaveAndReadsZeroAsUnknown() async throws {
        try await withTestDatabase { database in
            try await database.collection("raw_tmdb_movies").insertMany(Self.movies.map(Self.document))
            _ = try await InsightsBuilder(database: database).build()
            let summary = try await InsightsStore(database: database).movies(MovieFilter())
            let both = Self.movies.filter { $0.budget > 0 && $0.revenue > 0 }
            #expect(summary.movies == 24 && !summary.live)
            #expect(summary.withBudget == Self.movies.filter { $0.budget > 0 }.count)
            #expect(summary.withBoth == both.count)
            #expect(summary.totalRevenue == Self.movies.map(\.revenue).reduce(0, +))
            #expect(summary.years.map(\.name) == ["2000", "2001", "2002", "2003"])
            #expect(summary.years.map(\.movies) == [6, 6, 6, 6])
            #expect(summary.genres.first { $0.name == "Comedy" }?.movies == 12)
            #expect(summary.genres.first { $0.name == "Drama" }?.movies == 12)
            #expect(summary.roiBins.map(\.movies).reduce(0, +) == both.count)
            // Hits are sorted by ROI and need a budget of at least $1M.
            let rois = both.map { $0.revenue / $0.budget }.sorted(by: >)
            #expect(summary.hits.map(\.roi) == Array(rois.prefix(10)))
            #expect(summary.flops.first?.roi == rois.last)
            #expect(summary.companies.map(\.movies).reduce(0, +) == 24)
            // Movies without a director count under no director at all.
            #expect(summary.directors.map(\.movies).reduce(0, +) == Self.movies.filter { $0.director != nil }.count)
            // log budget against log revenue: pairwise complete, as computed here.
            let r = try #require(summary.correlation[0][1])
            #expect(abs(r - Self.pearson(both.map { (log10($0.budget), log10($0.revenue)) })) < 1e-9)
            #expect(summary.correlation[1][0] == summary.correlation[0][1] && summary.correlation[2][2] == 1)
        }
    }

    @Test func aGenreOrADateRangeIsComputedLiveAndAnUnknownGenreIsRefused() async throws {
        try await withTestDatabase { database in
            try await database.collection("raw_tmdb_movies").insertMany(Self.movies.map(Self.document))
            let store = InsightsStore(database: database)
            await #expect(throws: InsightsError.notBuilt) { _ = try await store.movies(MovieFilter()) }
            _ = try await InsightsBuilder(database: database).build()
            let fresh = InsightsStore(database: database)
            let comedy = try await fresh.movies(try MovieFilter(query: ["genre": "Comedy"]))
            #expect(comedy.live && comedy.movies == 12 && comedy.genres.map(\.name) == ["Comedy"])
            let early = try await fresh.movies(try MovieFilter(query: ["from": "2000-01-01", "to": "2001-12-31"]))
            #expect(early.movies == 12 && early.years.map(\.name) == ["2000", "2001"])
            await #expect(throws: InsightsError.self) { _ = try await fresh.movies(try MovieFilter(query: ["genre": "{\"$ne\": 1}"])) }
            #expect(throws: InsightsError.self) { _ = try MovieFilter(query: ["from": "2001-01-01", "to": "2000-01-01"]) }
        }
    }

    @Test func withoutMoviesThePageSaysWhatToCollect() async throws {
        try await withTestDatabase { database in
            try await database.collection("raw_videos").insertMany([InsightsBuilderTests.exportRow(1, platform: "youtube")])
            _ = try await InsightsBuilder(database: database).build()
            do {
                _ = try await InsightsStore(database: database).movies(MovieFilter())
                Issue.record("a summary without movies")
            } catch let error as InsightsError {
                #expect(error.description.contains("engage collect tmdb"))
            }
        }
    }
}
