import EngageML
import MongoKit
import SourceSchemas

/// The feature sets EngageML builds, declared once. Features use only what is known at posting
/// or release time; outcomes enter through labels, scores and strictly-earlier history.
public enum FeatureCatalog {
    /// The built-in sets' names.
    public static var names: [String] { ["tiktok_virality", "tiktok_engagement", "tmdb_hit", "tmdb_revenue", "creator_segments"] }

    /// The set named `name`.
    public static func set(_ name: String) throws(FeatureDefinitionError) -> FeatureSet {
        switch name {
        case "tiktok_virality": try tiktok(name: name, task: .classification, label: nil)
        case "tiktok_engagement": try tiktok(name: name, task: .regression, label: ShortVideoScores.engagementRate)
        case "tmdb_hit":
            try tmdb(
                name: name, task: .classification, filter: ["budget": ["$gt": 0], "revenue": ["$gt": 0]],
                label: .condition(
                    .greaterOrEqual(.field("revenue"), .multiply([.constant(2.5), .field("budget")])),
                    then: .constant(1), otherwise: .constant(0)))
        case "tmdb_revenue":
            try tmdb(name: name, task: .regression, filter: ["revenue": ["$gt": 0]], label: .log1p(.field("revenue")))
        case "creator_segments": try creatorSegments()
        default: throw .unknownSet(name)
        }
    }

    // MARK: TikTok

    static let genericTags = ["fyp", "foryou", "foryoupage", "viral", "trending", "tiktok"]

    static var tiktokFeatures: [Feature] {
        [
            Feature("log_followers", .log1p(.field("author.followers"))),
            Feature("log_following", .log1p(.field("author.following"))),
            Feature("verified", .coalesce(.field("author.verified"), fallback: 0)),
            Feature("duration_s", .field("duration_s")),
            Feature("hashtag_count", .arraySize("hashtags")),
            Feature("generic_hashtag", .memberOf("hashtags", genericTags)),
            Feature("music_original", .coalesce(.field("music.original"), fallback: 0)),
            Feature("hour", .datePart(.hour, "created_at")),
            Feature("weekday", .datePart(.weekday, "created_at")),
            Feature(
                "evening",
                .condition(.greaterOrEqual(.datePart(.hour, "created_at"), .constant(18)), then: .constant(1), otherwise: .constant(0))),
            Feature("description_length", .stringLength("description")),
        ]
    }

    /// The author's earlier videos: median log views and how many (0 for a first video).
    static var authorHistory: [HistoryFeature] {
        let logViews: BSONValue = ["$ln": ["$add": [1, ["$ifNull": ["$stats.views", 0]]]]]
        let medianLogViews: BSONValue = ["$median": ["input": "$_log_views", "method": "approximate"]]
        return [
            HistoryFeature(
                name: "author_prior_median_log_views",
                stages: [
                    [
                        "$addFields": [
                            "_log_views": logViews,
                            "_posted": ["$convert": ["input": "$created_at", "to": "date", "onError": .null, "onNull": .null]],
                        ]
                    ],
                    [
                        "$setWindowFields": [
                            "partitionBy": "$author.id", "sortBy": ["_posted": 1, "_id": 1],
                            "output": [
                                "author_prior_median_log_views": [
                                    "$median": ["input": "$_log_views", "method": "approximate"],
                                    "window": ["documents": ["unbounded", -1]],
                                ],
                                "author_prior_videos": ["$count": [:], "window": ["documents": ["unbounded", -1]]],
                            ],
                        ]
                    ],
                ],
                lookup: { video in
                    // The author id is a string (TikTokVideo.normalize makes it one); `$eq` keeps it a value.
                    guard case .string(let author)? = video[path: "author.id"] else { return nil }
                    return [
                        ["$match": ["author.id": ["$eq": .string(author)]]],
                        ["$addFields": ["_log_views": logViews]],
                        ["$group": ["_id": .null, "author_prior_median_log_views": medianLogViews, "author_prior_videos": ["$sum": 1]]],
                    ]
                }),
            HistoryFeature(name: "author_prior_videos", stages: [], withoutHistory: 0),
        ]
    }

    static func tiktok(name: String, task: LearningTask, label: FeatureExpression?) throws(FeatureDefinitionError) -> FeatureSet {
        try FeatureSet(
            name: name, version: 1, task: task, source: TikTokVideo.collection, outcomeFields: TikTokVideo.outcomeFields,
            filter: ["stats.views": ["$gte": 0]], timeField: "created_at", features: tiktokFeatures, history: authorHistory,
            label: label, scores: ShortVideoScores.columns,
            quantileLabel: task == .classification ? QuantileLabel(expression: ShortVideoScores.viralityScore, quantile: 0.9) : nil)
    }

    // MARK: TMDB

    static let genres = [
        "Action", "Adventure", "Animation", "Comedy", "Drama", "Family", "Horror", "Science Fiction", "Thriller", "Romance",
    ]

    static var tmdbFeatures: [Feature] {
        var features = [
            Feature(
                "log_budget", .condition(.greater(.field("budget"), .constant(0)), then: .log1p(.field("budget")), otherwise: .missing)),
            Feature("runtime", .condition(.greater(.field("runtime"), .constant(0)), then: .field("runtime"), otherwise: .missing)),
            Feature("release_month", .datePart(.month, "release_date")),
            Feature("release_year", .datePart(.year, "release_date")),
            Feature("english", .memberOf("original_language", ["en"])),
            Feature("genre_count", .arraySize("genres")),
            Feature("company_count", .arraySize("production_companies")),
            Feature("cast_size", .arraySize("credits.cast")),
            Feature("keyword_count", .arraySize("keywords.keywords")),
        ]
        for genre in genres {
            features.append(
                Feature("genre_" + genre.lowercased().replacingOccurrences(of: " ", with: "_"), .memberOf("genres.name", [genre])))
        }
        return features
    }

    /// The director's and the three lead actors' earlier films: mean log revenue (known revenue only).
    /// A film without a director (or cast) has no partition: null and missing are the same here,
    /// since servers differ on which one `{$first: []}` gives.
    static var filmHistory: [HistoryFeature] {
        let released: BSONValue = ["$convert": ["input": "$release_date", "to": "date", "onError": .null, "onNull": .null]]
        let logRevenue: BSONValue = ["$cond": [["$gt": [["$ifNull": ["$revenue", 0]], 0]], ["$ln": ["$add": [1, "$revenue"]]], .null]]
        let director: BSONValue = [
            "$getField": [
                "field": "id",
                "input": [
                    "$first": [
                        "$filter": [
                            "input": ["$ifNull": ["$credits.crew", []]], "cond": ["$eq": ["$$this.job", "Director"]],
                        ]
                    ]
                ],
            ]
        ]
        let leads: BSONValue = ["$slice": [["$ifNull": ["$credits.cast", []]], 3]]
        return [
            HistoryFeature(
                name: "director_prior_mean_log_revenue",
                stages: [
                    ["$addFields": ["_released": released, "_log_revenue": logRevenue, "_director": director]],
                    [
                        "$setWindowFields": [
                            "partitionBy": "$_director", "sortBy": ["_released": 1, "_id": 1],
                            "output": ["_director_prior": ["$avg": "$_log_revenue", "window": ["documents": ["unbounded", -1]]]],
                        ]
                    ],
                    [
                        "$addFields": [
                            "director_prior_mean_log_revenue": [
                                "$cond": [FeatureExpression.isMissing("$_director"), .null, "$_director_prior"]
                            ]
                        ]
                    ],
                ],
                lookup: { film in
                    let crew = film[path: "credits.crew"]?.arrayValue ?? []
                    // Person ids are integers (TMDBMovie.normalize refuses anything else) and enter the
                    // pipeline only as `$literal`s: a request's value is never read as an expression.
                    guard case .int64(let id)? = crew.lazy.compactMap(\.documentValue).first(where: { $0["job"] == "Director" })?["id"]
                    else { return nil }
                    return [
                        ["$match": ["$expr": ["$eq": [director, ["$literal": .int64(id)]]]]],
                        ["$group": ["_id": .null, "director_prior_mean_log_revenue": ["$avg": logRevenue]]],
                    ]
                }),
            HistoryFeature(
                name: "lead_cast_prior_mean_log_revenue",
                stages: [
                    ["$addFields": ["_leads": leads]],
                    ["$unwind": ["path": "$_leads", "preserveNullAndEmptyArrays": true]],
                    [
                        "$setWindowFields": [
                            "partitionBy": "$_leads.id", "sortBy": ["_released": 1, "_id": 1],
                            "output": ["_lead_prior": ["$avg": "$_log_revenue", "window": ["documents": ["unbounded", -1]]]],
                        ]
                    ],
                    [
                        "$group": [
                            "_id": "$_id", "row": ["$first": "$$ROOT"],
                            "lead_cast_prior_mean_log_revenue": [
                                "$avg": ["$cond": [FeatureExpression.isMissing("$_leads.id"), .null, "$_lead_prior"]]
                            ],
                        ]
                    ],
                    [
                        "$replaceRoot": [
                            "newRoot": [
                                "$mergeObjects": ["$row", ["lead_cast_prior_mean_log_revenue": "$lead_cast_prior_mean_log_revenue"]]
                            ]
                        ]
                    ],
                ],
                lookup: { film in
                    let cast = (film[path: "credits.cast"]?.arrayValue ?? []).prefix(3).compactMap { person -> BSONValue? in
                        if case .int64(let id)? = person.documentValue?["id"] { .int64(id) } else { nil }
                    }
                    guard !cast.isEmpty else { return nil }
                    return [
                        ["$addFields": ["_leads": leads, "_log_revenue": logRevenue]],
                        ["$unwind": "$_leads"],
                        ["$match": ["$expr": ["$in": ["$_leads.id", ["$literal": .array(cast)]]]]],
                        ["$group": ["_id": "$_leads.id", "prior": ["$avg": "$_log_revenue"]]],
                        ["$group": ["_id": .null, "lead_cast_prior_mean_log_revenue": ["$avg": "$prior"]]],
                    ]
                }),
        ]
    }

    static func tmdb(name: String, task: LearningTask, filter: Document, label: FeatureExpression) throws(FeatureDefinitionError)
        -> FeatureSet
    {
        try FeatureSet(
            name: name, version: 1, task: task, source: TMDBMovie.collection, outcomeFields: TMDBMovie.outcomeFields, filter: filter,
            timeField: "release_date", features: tmdbFeatures, history: filmHistory, label: label)
    }

    // MARK: Creators

    /// Creators described by what their videos did: a descriptive segmentation with no label, so
    /// the outcome fields are its input by design (nothing is predicted from them).
    static func creatorSegments() throws(FeatureDefinitionError) -> FeatureSet {
        let grouping: Document = [
            "$group": [
                "_id": "$author.id",
                "followers": ["$max": "$author.followers"],
                "verified": ["$max": ["$cond": [["$eq": ["$author.verified", true]], 1, 0]]],
                "videos": ["$sum": 1],
                "mean_log_views": ["$avg": ["$ln": ["$add": [1, ["$ifNull": ["$stats.views", 0]]]]]],
                "mean_engagement_rate": ["$avg": ShortVideoScores.engagementRate.aggregation],
                "mean_duration_s": ["$avg": "$duration_s"],
                "mean_hashtags": ["$avg": ["$cond": [["$isArray": "$hashtags"], ["$size": "$hashtags"], 0]]],
                "last_posted": ["$max": "$created_at"],
                "_fetched": ["$max": "$_ingest.fetched_at"],
            ]
        ]
        let ingestTime: Document = ["$addFields": ["_ingest": ["fetched_at": "$_fetched"]]]
        return try FeatureSet(
            name: "creator_segments", version: 1, task: .clustering, source: TikTokVideo.collection, outcomeFields: [],
            filter: ["author.id": ["$exists": true]], timeField: "last_posted",
            features: [
                Feature("log_followers", .log1p(.field("followers"))),
                Feature("verified", .field("verified")),
                Feature("log_videos", .log1p(.field("videos"))),
                Feature("mean_log_views", .field("mean_log_views")),
                Feature("mean_engagement_rate", .field("mean_engagement_rate")),
                Feature("mean_duration_s", .field("mean_duration_s")),
                Feature("mean_hashtags", .field("mean_hashtags")),
            ],
            label: nil, preparation: [grouping, ingestTime])
    }
}
