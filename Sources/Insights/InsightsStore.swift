import Foundation
import MongoKit

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
    private var cache: [String: VideoSummary] = [:]

    /// A store over `database`.
    public init(database: MongoDatabase, liveRowCap: Int = 50_000, stampLifetime: Duration = .seconds(2)) {
        self.database = database
        self.liveRowCap = liveRowCap
        self.stampLifetime = stampLifetime
    }

    /// The values filters may name, from the last build.
    public func knownValues() async throws -> KnownValues {
        try await refresh()
        return known
    }

    /// The summary for `filter`: the stored one for no filter or a platform alone, else computed
    /// live. Throws ``InsightsError`` for a value no video has, or before the first build.
    public func summary(_ filter: InsightsFilter) async throws -> VideoSummary {
        try await refresh()
        guard builtAt != nil else { throw InsightsError.notBuilt }
        let filter = try filter.validated(against: known)
        if filter.isPreAggregated {
            if let cached = cache[filter.scope] { return cached }
            let stored = try await database.collection(InsightsBuilder.summaries).findOne(["_id": .string(filter.scope)])
            guard let facets = stored?["facets"]?.documentValue else { throw InsightsError.notBuilt }
            let computedAt = if case .datetime(let at)? = stored?["computed_at"] { at.date } else { Date() }
            let summary = VideoSummary(facets: facets, scope: filter.scope, live: false, rowCap: nil, computedAt: computedAt)
            cache[filter.scope] = summary
            return summary
        }
        let facets =
            try await database.collection(VideoRows.collection).aggregate(
                VideoSummary.pipeline(match: filter.match, cuts: cuts, rowCap: liveRowCap)
            ).first ?? [:]
        return VideoSummary(facets: facets, scope: "live", live: true, rowCap: liveRowCap, computedAt: Date())
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
