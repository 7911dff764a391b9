import EngageTestSupport
import Features
import Foundation
import MongoKit
import SourceSchemas
import Testing

/// The TMDB 5000 movies CSV without its credits file gives films with no director and no cast.
/// Their history features must be missing, in the built rows and in the serving lookup alike:
/// SecantusDB answers `{$first: []}` with null where MongoDB gives missing, and a guard that only
/// asked for "missing" put every such film into one "null director" partition (issue 16).
@Suite struct HistoryWithoutCreditsTests {
    /// 40 films a month apart, with budget and revenue but no credits.
    static func films() throws -> [Document] {
        try (0..<40).map { i in
            let month = String(format: "%02d", i % 12 + 1)
            let film: Document = [
                "id": .int64(Int64(500 + i)), "title": .string("Uncredited \(i)"), "budget": .int64(Int64(1_000_000 * (i + 1))),
                "revenue": .int64(Int64(3_000_000 * (i + 1))), "release_date": .string("\(2001 + i / 12)-\(month)-01"),
                "genres": [["id": 18, "name": "Drama"]],
            ]
            return try TMDBMovie.normalize(film, key: nil).document
        }
    }

    @Test(arguments: ["tmdb_hit", "tmdb_revenue"])
    func historyFeaturesAreMissingOnBothSides(set name: String) async throws {
        try await withTestDatabase { database in
            try await database.collection(TMDBMovie.collection).insertMany(try Self.films())
            let set = try FeatureCatalog.set(name)
            _ = try await FeatureBuilder(database: database, set: set).build()
            let rows = try await database.collection(set.collection).find()
            #expect(rows.count == 40)
            for history in ["director_prior_mean_log_revenue", "lead_cast_prior_mean_log_revenue"] {
                let present = rows.filter { $0[history]?.doubleValue != nil }
                #expect(present.isEmpty, "\(history) present in \(present.count) built rows, e.g. \(present.first?[history] ?? .null)")
            }
            let newFilm = try TMDBMovie.normalize(
                ["id": 9_999, "title": "Later", "budget": 5_000_000, "release_date": "2020-01-01"], key: nil
            ).document
            let served = try await set.history(for: [newFilm], in: database)[0]
            #expect(served["director_prior_mean_log_revenue"] == .some(nil) && served["lead_cast_prior_mean_log_revenue"] == .some(nil))
        }
    }
}
