import Foundation
import Logging
import MongoKit
import SourceSchemas

/// Collects movies from TMDB's API (or anything that answers like it at `baseURL`): list pages
/// (`/movie/popular` or `/discover/movie`), then each movie's details with
/// `append_to_response=credits,keywords`, into `raw_tmdb_movies` through the ``Ingestor``.
///
/// Progress is checkpointed per page in `ingest_checkpoints`; an interrupted run started again
/// continues at the first page not finished. A movie whose details answer 404 (or is not valid) is a
/// reject; a page that still fails after the retries stops the run, keeping the checkpoint.
public struct TMDBAPICollector: Sendable {
    /// Which list the movie ids come from.
    public enum List: String, Sendable, CaseIterable {
        case popular, discover

        var path: String { self == .popular ? "movie/popular" : "discover/movie" }
    }

    /// The API's base URL (`https://api.themoviedb.org/3`, or a local server in tests).
    public let baseURL: URL
    /// The bearer token (`TMDB_API_TOKEN`), never logged.
    public let token: String?
    /// The list walked for movie ids.
    public var list = List.popular
    /// List pages to collect (20 movies each).
    public var pages = 5
    /// Retries, back-off and timeouts of each request.
    public var policy = RetryPolicy()
    let logger: Logger

    /// A collector for the API at `baseURL`, authenticated with `token` when given.
    public init(baseURL: URL, token: String?, logger: Logger = Logger(label: "engage.collect.tmdb")) {
        self.baseURL = baseURL
        self.token = token
        self.logger = logger
    }

    /// The checkpoint document's id for this source and list.
    var checkpointID: String { "tmdb-api:\(baseURL.absoluteString):\(list.rawValue)" }

    /// Runs (or resumes) the collection; `restart` ignores an earlier checkpoint.
    public func run(database: MongoDatabase, restart: Bool = false, progress: ProgressBar? = nil) async throws -> IngestSummary {
        var progress = progress
        let fetcher = HTTPFetcher(token: token, policy: policy, logger: logger)
        let checkpoints = database.collection("ingest_checkpoints")
        var firstPage = 1
        if !restart, let checkpoint = try await checkpoints.findOne(["_id": .string(checkpointID)]),
            checkpoint["status"] == "running", let done = checkpoint["pages_done"]?.int64Value
        {
            firstPage = Int(done) + 1
        }
        try await checkpoints.upsert(
            [
                [
                    "_id": .string(checkpointID), "status": "running", "pages_done": .int64(Int64(firstPage - 1)),
                    "pages": .int64(Int64(pages)),
                ]
            ], key: ["_id"])
        let ingestor = Ingestor(
            database: database, collection: TMDBMovie.collection, source: "tmdb-api:\(baseURL.absoluteString)", logger: logger)
        var total = IngestSummary(runID: ingestor.runID, source: ingestor.source, collection: ingestor.collection)
        for page in firstPage...max(firstPage, pages) where page <= pages {
            let ids = try await movieIDs(page: page, fetcher: fetcher)
            var queue = ids.makeIterator()
            var index = 0
            let summary = try await ingestor.run(progress: nil) { () async throws -> IngestItem? in
                guard let id = queue.next() else { return nil }
                defer { index += 1 }
                return try await details(id, page: page, index: index, fetcher: fetcher)
            }
            total.read += summary.read
            total.inserted += summary.inserted
            total.updated += summary.updated
            total.unchanged += summary.unchanged
            total.rejected += summary.rejected
            total.seconds += summary.seconds
            try await checkpoints.bulkWrite([
                .updateOne(
                    filter: ["_id": .string(checkpointID)], update: ["$set": ["pages_done": .int64(Int64(page))]], upsert: false)
            ])
            progress?.update(fraction: Double(page) / Double(pages), summary: total, force: true)
        }
        try await checkpoints.bulkWrite([
            .updateOne(
                filter: ["_id": .string(checkpointID)], update: ["$set": ["status": "completed", "finished_at": .date(Date())]],
                upsert: false)
        ])
        try await ingestor.finish(total)
        progress?.finish(summary: total)
        return total
    }

    private func movieIDs(page: Int, fetcher: HTTPFetcher) async throws -> [Int64] {
        var components = URLComponents(url: baseURL.appendingPathComponent(list.path), resolvingAgainstBaseURL: false)!
        components.queryItems =
            [URLQueryItem(name: "page", value: String(page))]
            + (list == .discover ? [URLQueryItem(name: "sort_by", value: "popularity.desc")] : [])
        let url = components.url!
        let (status, body) = try await fetcher.get(url)
        guard status == 200 else {
            throw CollectError.http(url: url.absoluteString, status: status, reason: "list page \(page) answered \(status)")
        }
        let document = try Document(extendedJSON: String(decoding: body, as: UTF8.self))
        guard case .array(let results)? = document["results"] else {
            throw CollectError.unsupportedFormat("\(url.absoluteString): no results array in the page")
        }
        return results.compactMap { entry in
            guard case .document(let movie) = entry else { return nil }
            return movie["id"]?.int64Value
        }
    }

    private func details(_ id: Int64, page: Int, index: Int, fetcher: HTTPFetcher) async throws -> IngestItem {
        var components = URLComponents(url: baseURL.appendingPathComponent("movie/\(id)"), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "append_to_response", value: "credits,keywords")]
        let position = RecordPosition(index: (page - 1) * 1_000 + index, line: page, offset: index, key: String(id))
        let (status, body) = try await fetcher.get(components.url!)
        let text = String(decoding: body, as: UTF8.self)
        guard status == 200 else {
            return IngestItem(
                position: position, raw: text,
                outcome: .failure(RecordError(field: "(http)", reason: "GET /movie/\(id) answered \(status)")))
        }
        return IngestItem(
            position: position, raw: text,
            outcome: Result { () throws(RecordError) -> NormalizedRecord in
                try TMDBMovie.normalize(try FileInput.jsonObject(text), key: String(id))
            })
    }
}
