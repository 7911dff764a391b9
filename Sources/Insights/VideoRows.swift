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
/// `sound` (TikTok), `followers` (TikTok), `velocity` and `crawls` (TikTok: views gained per day
/// between the first and the last of its crawls, see ``velocityPipeline``), `ingested_at`, and
/// `stats` (the counts as the feature expressions read them).
public enum VideoRows {
    /// The collection the rows are merged into.
    public static let collection = "insights_videos"
    /// The version of the rows' columns: a build finding rows of another version rebuilds them all.
    static let layout = 2

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

    /// A column's declared type, as the Data explorer reports it.
    public enum ColumnType: String, Sendable, Codable {
        case text, number, date, list

        /// The expression that is true when `field` holds a value of this type: one operator per
        /// type (`$isNumber`, `$isArray`, a `$type` comparison), the cheapest test the servers offer.
        func holds(_ field: BSONValue) -> BSONValue {
            switch self {
            case .text: ["$eq": [["$type": field], "string"]]
            case .number: ["$isNumber": field]
            case .date: ["$eq": [["$type": field], "date"]]
            case .list: ["$isArray": field]
            }
        }
    }

    /// The columns a row holds (the explorer's and the CSV download's), in the order shown.
    public static let columns: [(name: String, type: ColumnType)] = [
        ("platform", .text), ("video_id", .text), ("creator", .text), ("title", .text), ("category", .text), ("country", .text),
        ("published_at", .date), ("hour", .number), ("weekday", .number), ("duration_s", .number), ("duration_bucket", .text),
        ("views", .number), ("likes", .number), ("comments", .number), ("shares", .number), ("engagement_rate", .number),
        ("virality_score", .number), ("hashtags", .list), ("sound", .text), ("followers", .number), ("velocity", .number),
        ("crawls", .number), ("ingested_at", .date),
    ]

    /// A cell as text, or nil when the row holds no value of the column's type: whole numbers
    /// without a decimal point, dates in ISO 8601 (UTC), lists joined by `|` (as the video
    /// collector splits them).
    public static func cellText(_ value: BSONValue?, type: ColumnType) -> String? {
        switch (type, value) {
        case (.text, .string(let text)?): return text
        case (.date, .datetime(let date)?): return date.date.formatted(.iso8601)
        case (.list, .array(let items)?): return items.compactMap(\.stringValue).joined(separator: "|")
        case (.number, .bool?): return nil
        case (.number, let value?):
            guard let number = value.doubleValue, number.isFinite else { return nil }
            if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        default: return nil
        }
    }

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
                    "engagement_rate": ShortVideoScores.tiktok.engagementRate.aggregation,
                    "virality_score": ShortVideoScores.tiktok.viralityScore.aggregation,
                    "views": "$stats.views", "likes": "$stats.likes", "comments": "$stats.comments", "shares": "$stats.shares",
                ]
            ],
            ["$merge": ["into": .string(collection), "on": "_id", "whenMatched": "replace", "whenNotMatched": "insert"]],
        ]
    }

    /// Sets `velocity` (views gained per day) and `crawls` on each TikTok row seen by at least two
    /// crawls an hour or more apart, from its snapshots in `tiktok_stats`. Runs after the rows are
    /// merged (a replaced row has lost them); rows without snapshots are left alone.
    static var velocityPipeline: [Document] {
        let span: BSONValue = ["$subtract": ["$last_at", "$first_at"]]
        return [
            ["$match": ["video_id": ["$type": "string"], "observed_at": ["$type": "date"], "stats.views": ["$type": "number"]]],
            ["$sort": ["video_id": 1, "observed_at": 1]],
            [
                "$group": [
                    "_id": "$video_id", "crawls": ["$sum": 1], "first_at": ["$first": "$observed_at"], "first": ["$first": "$stats.views"],
                    "last_at": ["$last": "$observed_at"], "last": ["$last": "$stats.views"],
                ]
            ],
            ["$match": ["crawls": ["$gte": 2]]],
            [
                "$project": [
                    "_id": ["$concat": ["tiktok:", "$_id"]], "crawls": 1,
                    "velocity": [
                        "$cond": [
                            ["$gte": [span, 3_600_000]],
                            ["$divide": [["$subtract": ["$last", "$first"]], ["$divide": [span, 86_400_000]]]],
                            .null,
                        ]
                    ],
                ]
            ],
            ["$merge": ["into": .string(collection), "on": "_id", "whenMatched": "merge", "whenNotMatched": "discard"]],
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
