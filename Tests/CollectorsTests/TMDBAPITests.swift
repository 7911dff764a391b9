import Collectors
import EngageTestSupport
import Foundation
import MongoKit
import NIOConcurrencyHelpers
import SourceSchemas
import Testing

/// The API collector against a local server answering like TMDB: rate limits, server errors,
/// slow answers, missing movies, and a resume after an interrupted run.
@Suite struct TMDBAPITests {
    /// Page `p` lists movies 100p+1 … 100p+3.
    static func page(_ p: Int) -> String {
        "{\"page\": \(p), \"results\": [" + (1...3).map { "{\"id\": \(p * 100 + $0), \"title\": \"m\"}" }.joined(separator: ", ")
            + "], \"total_pages\": 3, \"total_results\": 9}"
    }

    static func details(_ id: Int) -> String {
        "{\"id\": \(id), \"title\": \"Movie \(id)\", \"budget\": \(id * 1000), \"release_date\": \"2020-01-01\", "
            + "\"credits\": {\"cast\": [{\"id\": 1, \"name\": \"A\", \"order\": 0}], \"crew\": []}, \"keywords\": {\"keywords\": []}}"
    }

    private func collector(_ server: TestHTTPServer, pages: Int) -> TMDBAPICollector {
        var collector = TMDBAPICollector(baseURL: server.url("/3"), token: "secret-token")
        collector.pages = pages
        collector.policy.initialBackoff = .milliseconds(20)
        collector.policy.timeout = .seconds(1)
        return collector
    }

    @Test func retriesRateLimitsErrorsAndTimeoutsAndRejectsMissingMovies() async throws {
        let attempts = NIOLockedValueBox<[String: Int]>([:])
        let server = try await TestHTTPServer { request in
            let n = attempts.withLockedValue {
                $0[request.path, default: 0] += 1; return $0[request.path]!
            }
            guard request.authorization == "Bearer secret-token" else { return .init(status: 401, body: "{}") }
            switch request.path {
            case "/3/movie/popular": return .init(body: Self.page(Int(request.query["page"] ?? "1") ?? 1))
            case "/3/movie/101" where n == 1: return .init(status: 429, headers: [("Retry-After", "1")], body: "{}")
            case "/3/movie/102" where n <= 2: return .init(status: 503, body: "{}")
            case "/3/movie/103" where n == 1: return .init(body: Self.details(103), delay: .milliseconds(2_500))
            case "/3/movie/202": return .init(status: 404, body: "{\"status_code\": 34}")
            default:
                guard request.query["append_to_response"] == "credits,keywords", let id = Int(request.path.split(separator: "/").last ?? "")
                else {
                    return .init(status: 400, body: "{}")
                }
                return .init(body: Self.details(id))
            }
        }
        try await withTestDatabase { database in
            let started = ContinuousClock.now
            let summary = try await collector(server, pages: 2).run(database: database)
            #expect(ContinuousClock.now - started >= .seconds(1))  // the Retry-After was honoured
            #expect(summary.read == 6 && summary.inserted == 5 && summary.rejected == 1)
            #expect(server.count("/3/movie/101") == 2)
            #expect(server.count("/3/movie/102") == 3)
            #expect(server.count("/3/movie/103") == 2)
            let reject = try await database.collection("rejects").findOne()
            #expect(reject?["reason"] == "GET /movie/202 answered 404")
            let movie = try await database.collection("raw_tmdb_movies").findOne(["_id": .int64(103)])
            #expect(movie?[path: "credits.cast"] != nil)
        }
        try await server.shutdown()
    }

    @Test func anInterruptedRunResumesAtTheFirstUnfinishedPage() async throws {
        let healthy = NIOLockedValueBox(false)
        let server = try await TestHTTPServer { request in
            if request.path == "/3/movie/popular" {
                let page = Int(request.query["page"] ?? "1") ?? 1
                return page == 2 && !healthy.withLockedValue({ $0 }) ? .init(status: 500, body: "{}") : .init(body: Self.page(page))
            }
            let id = Int(request.path.split(separator: "/").last ?? "") ?? 0
            return .init(body: Self.details(id))
        }
        try await withTestDatabase { database in
            await #expect(throws: CollectError.self) { _ = try await collector(server, pages: 3).run(database: database) }
            #expect(try await database.collection("raw_tmdb_movies").countDocuments() == 3)
            let checkpoint = try await database.collection("ingest_checkpoints").findOne()
            #expect(checkpoint?["pages_done"] == .int64(1))
            healthy.withLockedValue { $0 = true }
            let resumed = try await collector(server, pages: 3).run(database: database)
            #expect(resumed.inserted == 6 && resumed.read == 6)
            #expect(server.count("/3/movie/101") == 1)  // page 1 was not fetched again
            #expect(try await database.collection("raw_tmdb_movies").countDocuments() == 9)
        }
        try await server.shutdown()
    }
}
