import Collectors
import EngageTestSupport
import Foundation
import SourceSchemas
import Testing

/// The real files in ../shared/data/real-samples (their quirks as published); skipped when absent.
@Suite struct RealSampleTests {
    static let folder = realSamplesFolder

    private func outcomes(_ file: String, kind: FileInput.Kind, credits: TMDB5000CSV.Credits? = nil) throws -> (
        ok: Int, errors: [RecordError]
    ) {
        let input = try FileInput.open("\(Self.folder!)/\(file)", kind: kind, credits: credits)
        var ok = 0
        var errors: [RecordError] = []
        while let item = try input.next() {
            switch item.outcome {
            case .success: ok += 1
            case .failure(let error): errors.append(error)
            }
        }
        return (ok, errors)
    }

    @Test(.enabled(if: folder != nil, "../shared/data/real-samples is absent"))
    func tiktokSamplesAllNormalize() throws {
        #expect(try outcomes("tiktok/tiktokapi_trending_10.json", kind: .tiktok).ok == 10)
        #expect(try outcomes("tiktok/tiktokapi_trending_20.json", kind: .tiktok).ok == 20)
        #expect(try outcomes("tiktok/flattened_trending_30.json", kind: .tiktok).ok == 30)
        #expect(try outcomes("tiktok/flattened_trending_30.csv", kind: .tiktok).ok == 30)
    }

    @Test(.enabled(if: folder != nil, "../shared/data/real-samples is absent"))
    func tmdbSamplesNormalizeAndDirtyCreditsAreReported() throws {
        #expect(try outcomes("tmdb/movie_details_with_reviews.json", kind: .tmdb).errors.isEmpty)
        #expect(try outcomes("tmdb/movie_popular_page.json", kind: .tmdb).ok == 20)
        let credits = try TMDB5000CSV.readCredits(path: "\(Self.folder!)/tmdb/tmdb_5000_credits_first198_dirty.csv")
        #expect(credits.problems.map(\.error.field).sorted() == ["crew", "movie_id"])
        let movies = try outcomes("tmdb/tmdb_5000_movies_first200.csv", kind: .tmdb, credits: credits)
        #expect(movies.ok == 200)
    }
}
