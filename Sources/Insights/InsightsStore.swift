import Foundation
import MongoKit
import SourceSchemas

/// What the dashboard reads: stored summaries (decoded once per build and kept in memory, so a
/// page costs no database round trip), and live summaries for filters that cannot be
/// pre-aggregated, capped at ``InsightsStore/liveRowCap`` rows.
public actor InsightsStore {
    /// The database holding `insights_*`.
    public nonisolated let database: MongoDatabase
    /// The most rows a live (filtered) summary reads.
    public nonisolated let liveRowCap: Int
    /// How long a read of the build stamp is trusted before it is checked again.
    let stampLifetime: Duration

    private var builtAt: Date?
    private var checkedAt: ContinuousClock.Instant?
    private var cuts: [String: TierCuts] = [:]
    private var known = KnownValues(platforms: [], categories: [], countries: [])
    private var cache: [String: any Sendable] = [:]

    /// A store over `database`.
    public init(database: MongoDatabase, liveRowCap: Int = 50_000, stampLifetime: Duration = .seconds(2)) {
        self.database = database
        self.liveRowCap = liveRowCap
        self.stampLifetime = stampLifetime
    }

    /// When the summaries being served were built (nil before the first build): what a cache of
    /// anything computed from them is keyed by.
    public func buildStamp() async throws -> Date? {
        try await refresh()
        return builtAt
    }

    /// The values filters may name, from the last build.
    public func knownValues() async throws -> KnownValues {
        try await refresh()
        return known
    }

    /// The summary for `filter`: the stored one for no filter or a platform alone, else computed
    /// live. Throws ``InsightsError`` for a value no video has, or before the first build.
    public func summary(_ filter: InsightsFilter) async throws -> VideoSummary {
        try await panel(filter, field: InsightsBuilder.Field.videos, pipeline: VideoSummary.pipeline(match:cuts:rowCap:)) {
            VideoSummary(facets: $0, scope: $1, live: $2, rowCap: $2 ? self.liveRowCap : nil, computedAt: $3)
        }
    }

    /// The Data explorer's profile for `filter`, stored or live as ``summary(_:)``.
    public func explorer(_ filter: InsightsFilter) async throws -> ExplorerSummary {
        try await panel(
            filter, field: InsightsBuilder.Field.explorer,
            pipeline: { match, _, cap in ExplorerSummary.pipeline(match: match, rowCap: cap) }
        ) {
            ExplorerSummary(facets: $0, scope: $1, live: $2, rowCap: $2 ? self.liveRowCap : nil, computedAt: $3)
        }
    }

    /// The TikTok trends for `filter`, stored or live as ``summary(_:)``.
    public func trends(_ filter: InsightsFilter) async throws -> TrendSummary {
        try await panel(
            filter, field: InsightsBuilder.Field.trends, pipeline: { match, _, cap in TrendSummary.pipeline(match: match, rowCap: cap) }
        ) {
            TrendSummary(facets: $0, scope: $1, live: $2, rowCap: $2 ? self.liveRowCap : nil, computedAt: $3)
        }
    }

    /// The Movies page for `filter`: the stored summary without a filter, else computed live over
    /// at most `liveRowCap` movies. A genre no movie has is refused by name.
    public func movies(_ filter: MovieFilter) async throws -> MovieSummary {
        try await refresh()
        guard builtAt != nil else { throw InsightsError.notBuilt }
        let all = try await stored(
            InsightsBuilder.moviesKey, field: InsightsBuilder.Field.movies,
            missing: .nothingCollected("no movies are collected: run `engage collect tmdb --from FILE`, then `engage insights build`")
        ) { MovieSummary(facets: $0, scope: "all", live: false, rowCap: nil, computedAt: $1) }
        if let genre = filter.genre, !all.genres.contains(where: { $0.name == genre }) {
            throw InsightsError.badParameter(
                "genre",
                "no movie has genre \"\(genre.prefix(60))\"; known: \(all.genres.prefix(12).map(\.name).joined(separator: ", "))")
        }
        guard !filter.isEmpty else { return all }
        let facets = try await database.collection(TMDBMovie.collection).aggregate(
            MovieSummary.pipeline(match: filter.match, rowCap: liveRowCap)
        ).first
        return MovieSummary(facets: facets ?? [:], scope: "live", live: true, rowCap: liveRowCap, computedAt: Date())
    }

    /// Up to `limit` rows matching `filter` whose `_id` comes after `after`, in `_id` order, with
    /// the ``VideoRows/columns``: pages of the CSV download, read one after another so that
    /// memory stays flat however many rows match.
    public func rows(_ filter: InsightsFilter, after: String?, limit: Int) async throws -> [Document] {
        try await refresh()
        guard builtAt != nil else { throw InsightsError.notBuilt }
        var match = try filter.validated(against: known).match
        if let after { match["_id"] = ["$gt": .string(after)] }
        var projection: Document = [:]
        for column in VideoRows.columns { projection[column.name] = 1 }
        return try await database.collection(VideoRows.collection).find(
            match, options: FindOptions(projection: projection, sort: ["_id": 1], limit: limit))
    }

    /// One panel for `filter`: the stored `field` of its scope's summary document (decoded once
    /// per build), or `pipeline` run live over `insights_videos` with the row cap.
    private func panel<Panel: Sendable>(
        _ filter: InsightsFilter, field: String, pipeline: (Document, [String: TierCuts], Int?) -> [Document],
        decode: (Document, String, Bool, Date) -> Panel
    ) async throws -> Panel {
        try await refresh()
        guard builtAt != nil else { throw InsightsError.notBuilt }
        let filter = try filter.validated(against: known)
        guard filter.isPreAggregated else {
            let facets = try await database.collection(VideoRows.collection).aggregate(pipeline(filter.match, cuts, liveRowCap)).first
            return decode(facets ?? [:], "live", true, Date())
        }
        return try await stored(filter.scope, field: field, missing: .notBuilt) { decode($0, filter.scope, false, $1) }
    }

    /// The `field` of the stored summary document `id`, decoded once per build; `missing` is
    /// thrown when the build stored none.
    private func stored<Panel: Sendable>(
        _ id: String, field: String, missing: InsightsError, decode: (Document, Date) -> Panel
    ) async throws -> Panel {
        let key = field + "|" + id
        if let cached = cache[key] as? Panel { return cached }
        let document = try await database.collection(InsightsBuilder.summaries).findOne(["_id": .string(id)])
        guard let facets = document?[field]?.documentValue else { throw missing }
        let computedAt = if case .datetime(let at)? = document?["computed_at"] { at.date } else { Date() }
        let panel = decode(facets, computedAt)
        cache[key] = panel
        return panel
    }

    /// Re-reads the build stamp when it is older than `stampLifetime`; a new build empties the cache.
    private func refresh() async throws {
        let now = ContinuousClock.now
        if let checkedAt, now - checkedAt < stampLifetime { return }
        let meta = try await database.collection(InsightsBuilder.summaries).findOne(["_id": .string(InsightsBuilder.metaKey)])
        checkedAt = now
        let stamp: Date? = if case .datetime(let at)? = meta?["built_at"] { at.date } else { nil }
        guard stamp != builtAt else { return }
        builtAt = stamp
        cache = [:]
        cuts = [:]
        for (platform, value) in meta?["cuts"]?.documentValue ?? [:] {
            if let document = value.documentValue, let cut = TierCuts(document) { cuts[platform] = cut }
        }
        let knownDocument = meta?["known"]?.documentValue ?? [:]
        func list(_ key: String) -> [String] { (knownDocument[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        known = KnownValues(platforms: list("platforms"), categories: list("categories"), countries: list("countries"))
    }
}
