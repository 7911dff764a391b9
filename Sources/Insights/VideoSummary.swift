import Foundation
import MongoKit

/// Everything the video pages show for one filter, computed by one `$facet` over
/// `insights_videos`: stored per scope by `engage insights build`, or run live (with a row cap)
/// for filters that cannot be pre-aggregated. Both paths use ``VideoSummary/pipeline(match:cuts:rowCap:)``,
/// so a stored panel and a live one can never disagree in what they mean.
public struct VideoSummary: Sendable, Codable, Equatable {
    /// `all`, `platform:NAME`, or `live` for a filtered query.
    public var scope: String
    /// True when computed for this request rather than read from a stored summary.
    public var live: Bool
    /// The most rows a live query reads; nil for stored summaries.
    public var rowCap: Int?
    /// When the stored summary was built, or the live one computed (ISO 8601, UTC).
    public var computedAt: String
    /// The headline numbers.
    public var kpis: KPIs
    /// Views by performance tier, for the box plot.
    public var tiers: [TierBox]
    /// Videos by viral potential.
    public var potential: [NamedCount]
    /// Totals by publish day, oldest first.
    public var daily: [DayTotals]
    /// Median views by ISO weekday (1 = Monday) and UTC hour.
    public var timing: [TimingCell]
    /// The top creators by total views.
    public var creators: [CreatorRow]
    /// Median views by duration bucket, in bucket order.
    public var durations: [Segment]
    /// Median views by category, most videos first (at most 30).
    public var categories: [Segment]
    /// The virality score histogram in bins of ``VideoSummary/viralityBinWidth``.
    public var virality: [ScoreBin]
    /// Per-platform medians.
    public var platforms: [PlatformRow]
    /// The highest virality scores.
    public var candidates: [Candidate]
    /// Up to 400 sampled videos for the views × engagement scatter.
    public var sample: [SamplePoint]
    /// Per segment dimension (``VideoSummary/segmentDimensions``), each segment's size and the
    /// median, mean and sum of every ``VideoSummary/segmentMetrics`` metric, largest first.
    public var segments: [String: [SegmentStats]]

    /// One segment's numbers.
    public struct SegmentStats: Sendable, Codable, Equatable {
        /// Segment name.
        public var name: String
        /// Videos.
        public var videos: Int
        /// Per metric: median, mean, sum.
        public var median: [String: Double], mean: [String: Double], sum: [String: Double]
    }

    /// The dimensions the Segments page groups by.
    public static let segmentDimensions = ["platform", "country", "category", "duration_bucket", "tier"]
    /// The metrics it summarizes.
    public static let segmentMetrics = ["views", "likes", "comments", "shares", "engagement_rate"]

    /// The headline numbers of a page.
    public struct KPIs: Sendable, Codable, Equatable {
        /// Videos in scope.
        public var videos: Int
        /// Sum of views.
        public var totalViews: Double
        /// Mean views per video.
        public var averageViews: Double
        /// Median engagement rate (likes + comments + shares over views).
        public var medianEngagementRate: Double?
        /// Median duration in seconds.
        public var medianDuration: Double?
        /// Share of videos whose viral potential is High.
        public var highPotentialShare: Double
        /// Platforms in scope.
        public var platforms: [String]
    }

    /// One box of the views-by-tier plot.
    public struct TierBox: Sendable, Codable, Equatable {
        /// Tier name (Baseline, Strong, Top 20%, Top 5%, Top 1%).
        public var tier: String
        /// Videos in the tier.
        public var videos: Int
        /// Views at p5, p25, p50, p75 and p95.
        public var quantiles: [Double]
    }

    /// A name and how many videos carry it.
    public struct NamedCount: Sendable, Codable, Equatable {
        /// The name.
        public var name: String
        /// Videos.
        public var videos: Int
    }

    /// Totals of one publish day.
    public struct DayTotals: Sendable, Codable, Equatable {
        /// `YYYY-MM-DD` (UTC).
        public var day: String
        /// Videos published that day.
        public var videos: Int
        /// Their views, likes, comments and shares.
        public var views: Double, likes: Double, comments: Double, shares: Double
    }

    /// One cell of the hour × weekday map.
    public struct TimingCell: Sendable, Codable, Equatable {
        /// ISO weekday, 1 is Monday.
        public var weekday: Int
        /// UTC hour, 0–23.
        public var hour: Int
        /// Videos published then.
        public var videos: Int
        /// Their median views.
        public var medianViews: Double
    }

    /// One creator of the leaderboard.
    public struct CreatorRow: Sendable, Codable, Equatable {
        /// Channel or username.
        public var creator: String
        /// Videos.
        public var videos: Int
        /// Sums.
        public var views: Double, shares: Double, comments: Double
        /// Medians.
        public var medianEngagementRate: Double?, medianViralityScore: Double?
    }

    /// A segment's size and median views.
    public struct Segment: Sendable, Codable, Equatable {
        /// Segment name.
        public var name: String
        /// Videos.
        public var videos: Int
        /// Median views.
        public var medianViews: Double
    }

    /// A histogram bin.
    public struct ScoreBin: Sendable, Codable, Equatable {
        /// Lower edge of the bin.
        public var from: Double
        /// Videos whose score is in `[from, from + width)`.
        public var videos: Int
    }

    /// One platform's medians.
    public struct PlatformRow: Sendable, Codable, Equatable {
        /// Platform.
        public var platform: String
        /// Videos.
        public var videos: Int
        /// Medians.
        public var medianViralityScore: Double?, medianEngagementRate: Double?, medianViews: Double?
    }

    /// One of the top virality scores.
    public struct Candidate: Sendable, Codable, Equatable {
        /// Title, creator and platform as stored.
        public var title: String, creator: String, platform: String
        /// Counts and scores.
        public var views: Double, engagementRate: Double?, viralityScore: Double
    }

    /// One sampled video.
    public struct SamplePoint: Sendable, Codable, Equatable {
        /// Views.
        public var views: Double
        /// Engagement rate.
        public var engagementRate: Double
        /// Platform.
        public var platform: String
    }

    /// Width of the virality histogram's bins; the threshold slider moves in these steps.
    public static let viralityBinWidth = 0.25
    /// How many creators the leaderboard keeps.
    public static let creatorLimit = 50

    /// The aggregation: an optional `$match`, an optional row cap, then one `$facet` whose
    /// branches are the panels. `cuts` gives each platform's tier and potential cut points.
    static func pipeline(match: Document, cuts: [String: TierCuts], rowCap: Int?) -> [Document] {
        var stages: [Document] = []
        if !match.isEmpty { stages.append(["$match": .document(match)]) }
        if let rowCap { stages.append(["$limit": BSONValue(rowCap)]) }
        let tier = TierCuts.tierExpression(cuts), potential = TierCuts.potentialExpression(cuts)
        func median(_ field: String) -> BSONValue { ["$median": ["input": .string("$" + field), "method": "approximate"]] }
        // Each branch groups first and drops the null group after: a stage before the group would
        // cost every row once more.
        let dropNull: BSONValue = ["$match": ["_id": ["$ne": .null]]]
        var facets: Document = [
            "kpis": [
                [
                    "$group": [
                        "_id": .null, "videos": ["$sum": 1], "views": ["$sum": "$views"], "average": ["$avg": "$views"],
                        "er": median("engagement_rate"), "duration": median("duration_s"),
                        "high": ["$sum": ["$cond": [["$eq": [potential, "High"]], 1, 0]]], "platforms": ["$addToSet": "$platform"],
                    ]
                ]
            ],
            "tiers": [
                [
                    "$group": [
                        "_id": tier, "videos": ["$sum": 1],
                        "q": ["$percentile": ["input": "$views", "p": [0.05, 0.25, 0.5, 0.75, 0.95], "method": "approximate"]],
                    ]
                ]
            ],
            "potential": [["$group": ["_id": potential, "videos": ["$sum": 1]]]],
            "daily": [
                [
                    "$group": [
                        "_id": "$day", "videos": ["$sum": 1], "views": ["$sum": "$views"], "likes": ["$sum": "$likes"],
                        "comments": ["$sum": "$comments"], "shares": ["$sum": "$shares"],
                    ]
                ],
                dropNull,
                ["$sort": ["_id": 1]],
            ],
            "timing": [
                ["$group": ["_id": ["w": "$weekday", "h": "$hour"], "videos": ["$sum": 1], "median": median("views")]],
                ["$match": ["_id.w": ["$ne": .null]]],
            ],
            "creators": [
                [
                    "$group": [
                        "_id": "$creator", "videos": ["$sum": 1], "views": ["$sum": "$views"], "shares": ["$sum": "$shares"],
                        "comments": ["$sum": "$comments"], "er": median("engagement_rate"), "score": median("virality_score"),
                    ]
                ],
                dropNull,
                ["$sort": ["views": -1, "_id": 1]],
                ["$limit": BSONValue(creatorLimit)],
            ],
            "virality": [
                [
                    "$group": [
                        "_id": [
                            "$multiply": [
                                ["$floor": ["$divide": ["$virality_score", .double(viralityBinWidth)]]], .double(viralityBinWidth),
                            ]
                        ],
                        "videos": ["$sum": 1],
                    ]
                ],
                dropNull,
                ["$sort": ["_id": 1]],
            ],
            "platforms": [
                [
                    "$group": [
                        "_id": "$platform", "videos": ["$sum": 1], "score": median("virality_score"), "er": median("engagement_rate"),
                        "views": median("views"),
                    ]
                ],
                ["$sort": ["videos": -1, "_id": 1]],
            ],
            "candidates": [
                ["$sort": ["virality_score": -1, "_id": 1]],
                ["$limit": 100],
                ["$match": ["virality_score": ["$type": "number"]]],
                [
                    "$project": [
                        "title": 1, "creator": 1, "platform": 1, "views": 1, "engagement_rate": 1, "virality_score": 1,
                    ]
                ],
            ],
            "sample": [
                ["$sample": ["size": 480]],
                ["$match": ["views": ["$gt": 0], "engagement_rate": ["$type": "number"]]],
                ["$limit": 400],
                ["$project": ["_id": 0, "views": 1, "engagement_rate": 1, "platform": 1]],
            ],
        ]
        for dimension in segmentDimensions {
            var group: Document = ["_id": dimension == "tier" ? tier : .string("$" + dimension), "videos": ["$sum": 1]]
            for metric in segmentMetrics {
                group["median_" + metric] = median(metric)
                group["mean_" + metric] = ["$avg": .string("$" + metric)]
                group["sum_" + metric] = ["$sum": .string("$" + metric)]
            }
            facets["segments_" + dimension] = [
                ["$group": .document(group)], dropNull, ["$sort": ["videos": -1, "_id": 1]], ["$limit": 50],
            ]
        }
        stages.append(["$facet": .document(facets)])
        return stages
    }

    /// Reads the `$facet` answer.
    init(facets: Document, scope: String, live: Bool, rowCap: Int?, computedAt: Date) {
        func rows(_ name: String) -> [Document] { facets[name]?.arrayValue?.compactMap(\.documentValue) ?? [] }
        func number(_ document: Document, _ key: String) -> Double { document[key]?.doubleValue ?? 0 }
        func optional(_ document: Document, _ key: String) -> Double? { document[key]?.doubleValue }
        func count(_ document: Document, _ key: String = "videos") -> Int { Int(document[key]?.int64Value ?? 0) }
        func name(_ document: Document) -> String { document["_id"]?.stringValue ?? "unknown" }

        self.scope = scope
        self.live = live
        self.rowCap = rowCap
        self.computedAt = ISO8601DateFormatter().string(from: computedAt)
        let head = rows("kpis").first ?? [:]
        let videos = count(head)
        kpis = KPIs(
            videos: videos, totalViews: number(head, "views"), averageViews: number(head, "average"),
            medianEngagementRate: optional(head, "er"), medianDuration: optional(head, "duration"),
            highPotentialShare: videos > 0 ? number(head, "high") / Double(videos) : 0,
            platforms: (head["platforms"]?.arrayValue ?? []).compactMap(\.stringValue).sorted())
        let tierOrder = TierCuts.tierNames
        tiers = rows("tiers").map {
            TierBox(tier: name($0), videos: count($0), quantiles: ($0["q"]?.arrayValue ?? []).map { $0.doubleValue ?? 0 })
        }
        .sorted { (tierOrder.firstIndex(of: $0.tier) ?? 99) < (tierOrder.firstIndex(of: $1.tier) ?? 99) }
        let potentialOrder = TierCuts.potentialNames
        potential = rows("potential").map { NamedCount(name: name($0), videos: count($0)) }
            .sorted { (potentialOrder.firstIndex(of: $0.name) ?? 99) < (potentialOrder.firstIndex(of: $1.name) ?? 99) }
        daily = rows("daily").compactMap { row in
            guard case .datetime(let day)? = row["_id"] else { return nil }
            return DayTotals(
                day: InsightsFilter.dayText(day.date), videos: count(row), views: number(row, "views"), likes: number(row, "likes"),
                comments: number(row, "comments"), shares: number(row, "shares"))
        }
        timing = rows("timing").compactMap { row in
            guard let key = row["_id"]?.documentValue, let weekday = key["w"]?.int64Value, let hour = key["h"]?.int64Value else {
                return nil
            }
            return TimingCell(weekday: Int(weekday), hour: Int(hour), videos: count(row), medianViews: number(row, "median"))
        }
        .sorted { ($0.weekday, $0.hour) < ($1.weekday, $1.hour) }
        creators = rows("creators").map {
            CreatorRow(
                creator: name($0), videos: count($0), views: number($0, "views"), shares: number($0, "shares"),
                comments: number($0, "comments"), medianEngagementRate: optional($0, "er"), medianViralityScore: optional($0, "score"))
        }
        let bucketOrder = VideoRows.durationBuckets.map(\.name) + ["unknown"]
        var segments: [String: [SegmentStats]] = [:]
        for dimension in Self.segmentDimensions {
            segments[dimension] = rows("segments_" + dimension).map { row in
                func stats(_ prefix: String) -> [String: Double] {
                    Dictionary(uniqueKeysWithValues: Self.segmentMetrics.compactMap { m in row[prefix + m]?.doubleValue.map { (m, $0) } })
                }
                return SegmentStats(
                    name: row["_id"]?.stringValue ?? "unknown", videos: count(row), median: stats("median_"), mean: stats("mean_"),
                    sum: stats("sum_"))
            }
        }
        self.segments = segments
        // Durations and categories are the segments of those dimensions, by median views: the
        // same groups, not computed a second time.
        func medianViews(_ dimension: String) -> [Segment] {
            (segments[dimension] ?? []).map { Segment(name: $0.name, videos: $0.videos, medianViews: $0.median["views"] ?? 0) }
        }
        durations = medianViews("duration_bucket")
            .sorted { (bucketOrder.firstIndex(of: $0.name) ?? 99) < (bucketOrder.firstIndex(of: $1.name) ?? 99) }
        categories = Array(medianViews("category").prefix(30))
        virality = rows("virality").map { ScoreBin(from: number($0, "_id"), videos: count($0)) }
        platforms = rows("platforms").map {
            PlatformRow(
                platform: name($0), videos: count($0), medianViralityScore: optional($0, "score"),
                medianEngagementRate: optional($0, "er"), medianViews: optional($0, "views"))
        }
        candidates = rows("candidates").map {
            Candidate(
                title: $0["title"]?.stringValue ?? "", creator: $0["creator"]?.stringValue ?? "",
                platform: $0["platform"]?.stringValue ?? "",
                views: number($0, "views"), engagementRate: optional($0, "engagement_rate"), viralityScore: number($0, "virality_score"))
        }
        sample = rows("sample").map {
            SamplePoint(
                views: number($0, "views"), engagementRate: number($0, "engagement_rate"), platform: $0["platform"]?.stringValue ?? "")
        }
    }

    /// Videos whose virality score is at least `threshold`, counted from the histogram (exact
    /// when the threshold is a multiple of the bin width, as the slider's steps are).
    public func videos(scoringAtLeast threshold: Double) -> Int {
        virality.filter { $0.from + 1e-9 >= threshold }.map(\.videos).reduce(0, +)
    }
}
