import Features
import MongoKit
import SourceSchemas

/// The one row per video every dashboard panel reads, in `insights_videos`: the same columns
/// whichever collector wrote the raw document, plus the scoring layer of ``ShortVideoScores``
/// (evaluated by the same expressions the feature sets use).
///
/// Columns: `platform`, `video_id`, `creator`, `title`, `category`, `country`, `published_at`,
/// `day` (the UTC day), `hour`, `weekday` (ISO, 1 is Monday), `duration_s`, `duration_bucket`,
/// `views`, `likes`, `comments`, `shares`, `engagement_rate`, `virality_score`, `hashtags`,
/// `sound` (TikTok), `followers` (TikTok), `ingested_at`, and `stats` (the counts as the feature
/// expressions read them).
public enum VideoRows {
    /// The collection the rows are merged into.
    public static let collection = "insights_videos"

    /// A raw collection and how its documents map onto the row's columns.
    struct Source: Sendable {
        var collection: String
        var platform: BSONValue
        var columns: Document
    }

    /// "One row per video" exports (any platform) and TikTok items.
    static let sources: [Source] = [
        Source(
            collection: "raw_videos", platform: "$platform",
            columns: [
                "video_id": "$video_id", "creator": "$creator", "title": "$title", "category": "$category", "country": "$country",
                "published_at": "$published_at", "duration_s": "$duration_s", "hashtags": "$hashtags",
                "stats": ["views": "$views", "likes": "$likes", "comments": "$comments", "shares": "$shares"],
            ]),
        Source(
            collection: TikTokVideo.collection, platform: "tiktok",
            columns: [
                "video_id": "$video_id", "creator": "$author.username", "title": "$description", "category": .null, "country": .null,
                "published_at": "$created_at", "duration_s": "$duration_s", "hashtags": "$hashtags", "stats": "$stats",
                "sound": "$music.title", "followers": "$author.followers",
            ]),
    ]

    /// Duration buckets, in order, with their upper bounds in seconds.
    public static let durationBuckets: [(name: String, below: Double)] = [
        ("<15s", 15), ("15–30s", 30), ("30–60s", 60), ("1–3 min", 180), ("3–10 min", 600), (">10 min", .infinity),
    ]

    /// The stages that turn `source`'s documents ingested after `since` into rows and merge them:
    /// three stages before the `$merge`, as each costs the embedded server about 0.1–0.2 ms a row.
    static func pipeline(_ source: Source, since: BSONDateTime?) -> [Document] {
        var match: Document = ["video_id": ["$type": "string"]]
        if let since { match["_ingest.fetched_at"] = ["$gt": .datetime(since)] }
        var project = source.columns
        project["platform"] = ["$toLower": source.platform]
        project["ingested_at"] = "$_ingest.fetched_at"
        project["_id"] = 0
        let published: BSONValue = "$published_at"
        let dated: BSONValue = ["$eq": [["$type": published], "date"]]
        return [
            ["$match": .document(match)],
            ["$project": .document(project)],
            [
                "$set": [
                    "_id": ["$concat": ["$platform", ":", "$video_id"]],
                    "published_at": ["$cond": [dated, published, .null]],
                    "day": ["$cond": [dated, ["$dateTrunc": ["date": published, "unit": "day"]], .null]],
                    "hour": ["$cond": [dated, ["$hour": published], .null]],
                    "weekday": ["$cond": [dated, ["$isoDayOfWeek": published], .null]],
                    "duration_bucket": durationBucket,
                    "engagement_rate": ShortVideoScores.engagementRate.aggregation,
                    "virality_score": ShortVideoScores.viralityScore.aggregation,
                    "views": "$stats.views", "likes": "$stats.likes", "comments": "$stats.comments", "shares": "$stats.shares",
                ]
            ],
            ["$merge": ["into": .string(collection), "on": "_id", "whenMatched": "replace", "whenNotMatched": "insert"]],
        ]
    }

    /// `duration_s` as its bucket's name, or "unknown" (null and missing alike).
    static var durationBucket: BSONValue {
        let isNumber: BSONValue = ["$in": [["$type": "$duration_s"], ["double", "int", "long", "decimal"]]]
        var branches: [BSONValue] = [["case": ["$not": [isNumber]], "then": "unknown"]]
        for bucket in durationBuckets where bucket.below.isFinite {
            branches.append(["case": ["$lt": ["$duration_s", .double(bucket.below)]], "then": .string(bucket.name)])
        }
        return ["$switch": ["branches": .array(branches), "default": .string(durationBuckets.last!.name)]]
    }
}
