import MongoKit

/// One platform's cut points for the performance tier (by views) and the viral potential (by
/// virality score), measured by `engage insights build` over that platform's rows: tiers are
/// relative within a platform, as a YouTube view and a TikTok play are not the same thing.
///
/// The names and boundaries are those of ``Features/ShortVideoScores`` (Baseline ≤ median,
/// Strong to p80, Top 20% to p95, Top 5%, Top 1%; High ≥ p90, Medium ≥ p75, Low, Unknown).
public struct TierCuts: Sendable, Codable, Equatable {
    /// Views at p50, p80, p95 and p99.
    public var views: [Double]
    /// Virality score at p75 and p90.
    public var scores: [Double]

    /// The tiers, lowest first.
    public static let tierNames = ["Baseline", "Strong", "Top 20%", "Top 5%", "Top 1%"]
    /// The potentials, highest first.
    public static let potentialNames = ["High", "Medium", "Low", "Unknown"]

    /// The `$group` that measures every platform's cuts over `insights_videos`.
    static let measurement: [Document] = [
        [
            "$group": [
                "_id": "$platform",
                "views": ["$percentile": ["input": "$views", "p": [0.5, 0.8, 0.95, 0.99], "method": "approximate"]],
                "scores": ["$percentile": ["input": "$virality_score", "p": [0.75, 0.9], "method": "approximate"]],
            ]
        ]
    ]

    init?(_ document: Document) {
        let views = (document["views"]?.arrayValue ?? []).compactMap(\.doubleValue)
        let scores = (document["scores"]?.arrayValue ?? []).compactMap(\.doubleValue)
        guard views.count == 4 else { return nil }
        self.views = views
        self.scores = scores.count == 2 ? scores : [.infinity, .infinity]
    }

    /// A platform's tier, as a `$switch` on `$platform` then on `$views`.
    static func tierExpression(_ cuts: [String: TierCuts]) -> BSONValue {
        perPlatform(cuts, default: "Baseline") { cut in
            [
                "$switch": [
                    "branches": [
                        ["case": ["$gte": ["$views", .double(cut.views[3])]], "then": "Top 1%"],
                        ["case": ["$gte": ["$views", .double(cut.views[2])]], "then": "Top 5%"],
                        ["case": ["$gt": ["$views", .double(cut.views[1])]], "then": "Top 20%"],
                        ["case": ["$gt": ["$views", .double(cut.views[0])]], "then": "Strong"],
                    ], "default": "Baseline",
                ]
            ]
        }
    }

    /// A platform's viral potential; Unknown without views (null and missing alike).
    static func potentialExpression(_ cuts: [String: TierCuts]) -> BSONValue {
        let byScore = perPlatform(cuts, default: "Low") { cut in
            [
                "$switch": [
                    "branches": [
                        ["case": ["$gte": ["$virality_score", .double(cut.scores[1])]], "then": "High"],
                        ["case": ["$gte": ["$virality_score", .double(cut.scores[0])]], "then": "Medium"],
                    ], "default": "Low",
                ]
            ]
        }
        return ["$cond": [["$in": [["$type": "$views"], ["null", "missing"]]], "Unknown", byScore]]
    }

    private static func perPlatform(_ cuts: [String: TierCuts], default fallback: String, _ body: (TierCuts) -> BSONValue) -> BSONValue {
        let branches: [BSONValue] = cuts.keys.sorted().map { platform in
            ["case": ["$eq": ["$platform", .string(platform)]], "then": body(cuts[platform]!)]
        }
        guard !branches.isEmpty else { return .string(fallback) }
        return ["$switch": ["branches": .array(branches), "default": .string(fallback)]]
    }
}
