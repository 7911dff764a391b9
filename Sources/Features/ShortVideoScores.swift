import MongoKit

/// The short-video scoring layer: engagement, like, comment and share rates (capped at 1), the
/// virality score `0.30·log1p(views) + 0.40·log1p(shares) + 0.30·(engagement rate·100)`, a
/// performance tier by view quantiles (Baseline ≤ median, Strong to p80, Top 20% to p95, Top 5%,
/// Top 1%: the band between p80 and p95 gets a name of its own) and a
/// viral potential by score quantiles (High ≥ p90, Medium ≥ p75, Low, Unknown without views).
/// These read outcomes: they describe what happened and make labels, and are never features.
///
/// One layer per schema: TikTok items keep their counts under `stats`, video exports at the top.
/// With ``within``, the build measures the tier cuts (and a quantile label's threshold) within
/// each value of that field (each platform), so that a platform with bigger audiences does not
/// take every top tier.
public struct ShortVideoScores: Sendable, Equatable {
    /// The document the counts (`views`, `likes`, `comments`, `shares`) are under (`stats`; nil: at the top).
    public let countsUnder: String?
    /// The field whose values the cuts are measured within (nil: over all rows).
    public let within: String?

    /// A layer reading the counts under `countsUnder`, its cuts within each value of `within`.
    public init(countsUnder: String?, within: String?) {
        self.countsUnder = countsUnder
        self.within = within
    }

    /// The layer of `raw_tiktok_videos` (counts under `stats`), cuts over all rows.
    public static let tiktok = ShortVideoScores(countsUnder: "stats", within: nil)
    /// The layer of `raw_videos` (counts at the top), cuts within each platform.
    public static let videos = ShortVideoScores(countsUnder: nil, within: "platform")

    var prefix: String { countsUnder.map { $0 + "." } ?? "" }

    var views: FeatureExpression { .field(prefix + "views") }
    func rate(_ counts: [String]) -> FeatureExpression {
        .clamp(.ratio(.add(counts.map { .coalesce(.field(prefix + $0), fallback: 0) }), views, ifZero: 0), min: 0, max: 1)
    }

    /// `(likes + comments + shares) / views`, capped at 1; missing without views.
    public var engagementRate: FeatureExpression { rate(["likes", "comments", "shares"]) }
    /// `0.30·log1p(views) + 0.40·log1p(shares) + 0.30·(engagement rate·100)`.
    public var viralityScore: FeatureExpression {
        .add([
            .multiply([.constant(0.30), .log1p(.coalesce(views, fallback: 0))]),
            .multiply([.constant(0.40), .log1p(.coalesce(.field(prefix + "shares"), fallback: 0))]),
            .multiply([.constant(0.30), .multiply([engagementRate, .constant(100)])]),
        ])
    }

    /// The columns stored beside the features.
    var columns: [Feature] {
        [
            Feature("engagement_rate", engagementRate),
            Feature("like_rate", rate(["likes"])),
            Feature("comment_rate", rate(["comments"])),
            Feature("share_rate", rate(["shares"])),
            Feature("virality_score", viralityScore),
            Feature("views", views),
        ]
    }

    /// Quantile cut points measured over a set's rows at build time.
    public struct Cuts: Sendable, Equatable {
        /// The median of views.
        public var viewsMedian: Double
        /// The 80th percentile of views.
        public var viewsP80: Double
        /// The 95th percentile of views.
        public var viewsP95: Double
        /// The 99th percentile of views.
        public var viewsP99: Double
        /// The 75th percentile of the virality score.
        public var scoreP75: Double
        /// The 90th percentile of the virality score.
        public var scoreP90: Double
    }

    /// `performance_tier` and `viral_potential` as aggregation expressions over the cuts.
    func tierColumns(_ cuts: Cuts) -> Document {
        let views: BSONValue = self.views.aggregation
        let score = viralityScore.aggregation
        return [
            "performance_tier": [
                "$switch": [
                    "branches": [
                        ["case": ["$gte": [views, .double(cuts.viewsP99)]], "then": "Top 1%"],
                        ["case": ["$gte": [views, .double(cuts.viewsP95)]], "then": "Top 5%"],
                        ["case": ["$gt": [views, .double(cuts.viewsP80)]], "then": "Top 20%"],
                        ["case": ["$gt": [views, .double(cuts.viewsMedian)]], "then": "Strong"],
                    ], "default": "Baseline",
                ]
            ],
            "viral_potential": [
                "$switch": [
                    "branches": [
                        ["case": ["$in": [["$type": views], ["null", "missing"]]], "then": "Unknown"],
                        ["case": ["$gte": [score, .double(cuts.scoreP90)]], "then": "High"],
                        ["case": ["$gte": [score, .double(cuts.scoreP75)]], "then": "Medium"],
                    ], "default": "Low",
                ]
            ],
        ]
    }
}
