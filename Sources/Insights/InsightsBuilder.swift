import Foundation
import Logging
import MongoKit
import SourceSchemas

/// `engage insights build`: merges every collected video into `insights_videos` (incrementally,
/// by ingest time, like feature builds), measures each platform's tier cuts, and stores one
/// ``VideoSummary`` per scope (`all` and each platform) in `insights_summaries`. All of it runs
/// as aggregation pipelines inside the database; re-running is safe, and an interrupted build
/// is completed by the next one (the watermark moves only after the rows are merged).
public struct InsightsBuilder: Sendable {
    /// The database holding the raw and insights collections.
    public let database: MongoDatabase
    let logger: Logger

    /// The collection of stored summaries.
    public static let summaries = "insights_summaries"
    /// The key of the summaries' bookkeeping document.
    static let metaKey = "_build"
    /// The key of the Movies page's summary.
    static let moviesKey = "movies"

    /// The fields of a scope's summary document, one per panel pipeline.
    enum Field {
        /// ``VideoSummary``'s `$facet` answer.
        static let videos = "facets"
        /// ``ExplorerSummary``'s.
        static let explorer = "explorer"
        /// ``TrendSummary``'s.
        static let trends = "trends"
        /// ``MovieSummary``'s, in the ``moviesKey`` document.
        static let movies = "facets"
    }

    /// A builder over `database`.
    public init(database: MongoDatabase, logger: Logger = Logger(label: "engage.insights")) {
        self.database = database
        self.logger = logger
    }

    /// What a build did.
    public struct Summary: Sendable, Codable, Equatable {
        /// Rows merged per source collection in this run.
        public var merged: [String: Int]
        /// Rows in `insights_videos` after the run.
        public var rows: Int
        /// Scopes stored (`all`, `platform:NAME`).
        public var scopes: [String]
        /// True when every row was rebuilt.
        public var full: Bool
        /// Wall time.
        public var seconds: Double
        /// Each step's wall time, in order.
        public var steps: [Step]
        /// The audience build that followed (nil until it ran).
        public var audience: AudienceBuilder.Summary?

        /// One step of a build.
        public struct Step: Sendable, Codable, Equatable {
            /// What it did (`merge raw_videos`, `trends platform:tiktok`).
            public var name: String
            /// Its wall time.
            public var seconds: Double
        }
    }

    /// Times the steps of a build, telling `progress` each one's name as it starts.
    private struct StepClock {
        let progress: @Sendable (String) -> Void
        var steps: [Summary.Step] = []
        var current: (name: String, start: ContinuousClock.Instant)?

        mutating func begin(_ name: String) {
            finish()
            progress(name)
            current = (name, .now)
        }

        mutating func finish() {
            if let current { steps.append(Summary.Step(name: current.name, seconds: (.now - current.start) / .seconds(1))) }
            current = nil
        }
    }

    /// Builds the insights, then the audience numbers (``AudienceBuilder``); `full` rebuilds every
    /// row instead of those ingested since the last run. `progress` is told each step's name as it starts.
    public func build(full: Bool = false, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        var summary = try await buildVideos(full: full, progress: progress)
        let audience = try await AudienceBuilder(database: database, logger: logger).build(full: full) { progress("audience " + $0) }
        summary.audience = audience
        summary.seconds += audience.seconds
        summary.steps += audience.steps.map { Summary.Step(name: "audience " + $0.name, seconds: $0.seconds) }
        return summary
    }

    private func buildVideos(full: Bool, progress: @escaping @Sendable (String) -> Void) async throws -> Summary {
        let clock = ContinuousClock()
        let start = clock.now
        var timer = StepClock(progress: progress)
        let store = database.collection(Self.summaries)
        let rows = database.collection(VideoRows.collection)
        let stored = try await store.findOne(["_id": .string(Self.metaKey)])
        // Rows of an older layout (before a column was added) are rebuilt, as a changed feature
        // definition rebuilds a feature set.
        let full = full || stored.map { $0["layout"]?.int64Value != Int64(VideoRows.layout) } ?? false
        let meta = full ? nil : stored
        if full { try await rows.drop() }
        var watermarks = meta?["watermarks"]?.documentValue ?? [:]
        var merged: [String: Int] = [:]
        for source in VideoRows.sources {
            let raw = database.collection(source.collection)
            let since: BSONDateTime? = if case .datetime(let date)? = watermarks[source.collection] { date } else { nil }
            let newest = try await raw.aggregate([["$group": ["_id": .null, "t": ["$max": "$_ingest.fetched_at"]]]]).first?["t"]
            guard case .datetime(let through)? = newest, since.map({ through > $0 }) ?? true else {
                merged[source.collection] = 0
                continue
            }
            timer.begin("merge \(source.collection)")
            merged[source.collection] =
                try await raw.countDocuments(since.map { ["_ingest.fetched_at": ["$gt": .datetime($0)]] } ?? [:])
            _ = try await raw.aggregate(VideoRows.pipeline(source, since: since))
            watermarks[source.collection] = .datetime(through)
        }

        if full || (merged[TikTokVideo.collection] ?? 0) > 0 {
            timer.begin("velocity from \(TikTokVideo.statsCollection)")
            _ = try await database.collection(TikTokVideo.statsCollection).aggregate(VideoRows.velocityPipeline)
        }

        let movies = database.collection(TMDBMovie.collection)
        let newestMovie = try await movies.aggregate([["$group": ["_id": .null, "t": ["$max": "$_ingest.fetched_at"]]]]).first?["t"]
        if case .datetime? = newestMovie, full || newestMovie != watermarks[TMDBMovie.collection] {
            timer.begin("movies")
            let facets = try await movies.aggregate(MovieSummary.pipeline(match: [:], rowCap: nil)).first ?? [:]
            try await store.upsert(
                [["_id": .string(Self.moviesKey), Field.movies: .document(facets), "computed_at": .date(Date())]], key: ["_id"])
            watermarks[TMDBMovie.collection] = newestMovie
        }

        let rowCount = try await rows.countDocuments()
        if var meta, merged.values.allSatisfy({ $0 == 0 }), meta["built_at"] != nil {
            // No new video since the last build: its summaries still describe these rows.
            if meta["watermarks"]?.documentValue != watermarks {
                meta["watermarks"] = .document(watermarks)
                try await store.upsert([meta], key: ["_id"])
            }
            let scopes = ["all"] + (meta[path: "known.platforms"]?.arrayValue ?? []).compactMap(\.stringValue).map { "platform:\($0)" }
            timer.finish()
            return Summary(
                merged: merged, rows: rowCount, scopes: scopes, full: false, seconds: (clock.now - start) / .seconds(1), steps: timer.steps)
        }
        timer.begin("tier cuts")
        var cuts: [String: TierCuts] = [:]
        for document in try await rows.aggregate(TierCuts.measurement) {
            if let platform = document["_id"]?.stringValue, let cut = TierCuts(document) { cuts[platform] = cut }
        }
        let known = try await knownValues(rows)
        let builtAt = Date()
        var scopes = ["all"]
        scopes += known.platforms.map { "platform:\($0)" }
        for scope in scopes {
            var filter = InsightsFilter()
            if scope.hasPrefix("platform:") { filter.platform = String(scope.dropFirst("platform:".count)) }
            timer.begin("videos \(scope)")
            let facets = try await rows.aggregate(VideoSummary.pipeline(match: filter.match, cuts: cuts, rowCap: nil)).first ?? [:]
            timer.begin("explorer \(scope)")
            let explorer = try await rows.aggregate(ExplorerSummary.pipeline(match: filter.match, rowCap: nil)).first ?? [:]
            timer.begin("trends \(scope)")
            let trends = try await rows.aggregate(TrendSummary.pipeline(match: filter.match, rowCap: nil)).first ?? [:]
            try await store.upsert(
                [
                    [
                        "_id": .string(scope), Field.videos: .document(facets), Field.explorer: .document(explorer),
                        Field.trends: .document(trends),
                        "computed_at": .date(builtAt),
                    ]
                ], key: ["_id"])
        }
        _ = try await store.bulkWrite([
            .deleteMany(filter: ["_id": ["$nin": .array((scopes + [Self.metaKey, Self.moviesKey]).map(BSONValue.string))]])
        ])
        let cutsDocument = Document(
            cuts.sorted { $0.key < $1.key }.map {
                ($0.key, ["views": .array($0.value.views.map(BSONValue.double)), "scores": .array($0.value.scores.map(BSONValue.double))])
            })
        try await store.upsert(
            [
                [
                    "_id": .string(Self.metaKey), "built_at": .date(builtAt), "watermarks": .document(watermarks),
                    "layout": .int64(Int64(VideoRows.layout)),
                    "cuts": .document(cutsDocument),
                    "known": [
                        "platforms": .array(known.platforms.map(BSONValue.string)),
                        "categories": .array(known.categories.map(BSONValue.string)),
                        "countries": .array(known.countries.map(BSONValue.string)),
                    ],
                ]
            ], key: ["_id"])
        timer.finish()
        logger.debug("insights built", metadata: ["insights.rows": "\(rowCount)"])
        return Summary(
            merged: merged, rows: rowCount, scopes: scopes, full: full || meta == nil, seconds: (clock.now - start) / .seconds(1),
            steps: timer.steps)
    }

    private func knownValues(_ rows: MongoCollection) async throws -> KnownValues {
        func values(_ field: String) async throws -> [String] {
            try await rows.aggregate([
                ["$match": [field: ["$type": "string"]]],
                ["$group": ["_id": .string("$" + field), "n": ["$sum": 1]]],
                ["$sort": ["n": -1, "_id": 1]],
            ]).compactMap { $0["_id"]?.stringValue }
        }
        return KnownValues(
            platforms: try await values("platform"), categories: try await values("category"), countries: try await values("country"))
    }
}
