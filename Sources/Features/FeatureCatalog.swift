import EngageML
import MongoKit
import SourceSchemas

/// The feature sets EngageML builds, declared once. Features use only what is known at posting
/// or release time; outcomes enter through labels, scores and strictly-earlier history.
public enum FeatureCatalog {
    /// The built-in sets' names.
    public static var names: [String] {
        ["tiktok_virality", "tiktok_engagement", "tmdb_hit", "tmdb_revenue", "creator_segments", "video_virality", "video_engagement"]
    }

    /// The set named `name`.
    public static func set(_ name: String) throws(FeatureDefinitionError) -> FeatureSet {
        switch name {
        case "tiktok_virality": try tiktok(name: name, task: .classification, label: nil)
        case "tiktok_engagement": try tiktok(name: name, task: .regression, label: ShortVideoScores.tiktok.engagementRate)
        case "tmdb_hit":
            try tmdb(
                name: name, task: .classification, filter: ["budget": ["$gt": 0], "revenue": ["$gt": 0]],
                label: .condition(
                    .greaterOrEqual(.field("revenue"), .multiply([.constant(2.5), .field("budget")])),
                    then: .constant(1), otherwise: .constant(0)))
        case "tmdb_revenue":
            try tmdb(name: name, task: .regression, filter: ["revenue": ["$gt": 0]], label: .log1p(.field("revenue")))
        case "creator_segments": try creatorSegments()
        case "video_virality": try videos(name: name, task: .classification, label: nil)
        case "video_engagement": try videos(name: name, task: .regression, label: ShortVideoScores.videos.engagementRate)
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
    static var authorHistory: [HistoryWindow] {
        [
            HistoryWindow(
                partition: .field("author.id"), value: .log1p(.coalesce(.field("stats.views"), fallback: 0)),
                outputs: [HistoryOutput("author_prior_median_log_views", .median), HistoryOutput("author_prior_videos", .count)])
        ]
    }

    static func tiktok(name: String, task: LearningTask, label: FeatureExpression?) throws(FeatureDefinitionError) -> FeatureSet {
        try FeatureSet(
            name: name, version: 1, task: task, source: TikTokVideo.collection, outcomeFields: TikTokVideo.outcomeFields,
            filter: ["stats.views": ["$gte": 0]], timeField: "created_at", features: tiktokFeatures, history: authorHistory,
            label: label, scores: ShortVideoScores.tiktok.columns, scoring: .tiktok,
            quantileLabel: task == .classification ? QuantileLabel(expression: ShortVideoScores.tiktok.viralityScore, quantile: 0.9) : nil)
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
    static var filmHistory: [HistoryWindow] {
        let logRevenue: FeatureExpression = .condition(
            .greater(.coalesce(.field("revenue"), fallback: 0), .constant(0)), then: .log1p(.field("revenue")), otherwise: .missing)
        return [
            HistoryWindow(
                partition: .firstElement(array: "credits.crew", where: "job", equals: "Director", key: "id"), value: logRevenue,
                outputs: [HistoryOutput("director_prior_mean_log_revenue", .mean)]),
            HistoryWindow(
                partition: .leadingElements(array: "credits.cast", count: 3, key: "id"), value: logRevenue,
                outputs: [HistoryOutput("lead_cast_prior_mean_log_revenue", .mean)]),
        ]
    }

    static func tmdb(name: String, task: LearningTask, filter: Document, label: FeatureExpression) throws(FeatureDefinitionError)
        -> FeatureSet
    {
        try FeatureSet(
            name: name, version: 1, task: task, source: TMDBMovie.collection, outcomeFields: TMDBMovie.outcomeFields, filter: filter,
            timeField: "release_date", features: tmdbFeatures, history: filmHistory, label: label)
    }

    // MARK: Video exports (any platform)

    static let videoPlatforms = ["youtube", "tiktok", "instagram"]
    static let videoCategories = ["Education", "Entertainment", "Gaming", "Music", "Sports", "Food", "Travel", "Tech"]
    static let videoCountries = ["US", "GB", "IN", "BR"]

    /// What a "one row per video" export knows at publish time.
    static var videoFeatures: [Feature] {
        var features = [
            Feature("duration_s", .field("duration_s")),
            Feature("hour", .datePart(.hour, "published_at")),
            Feature("weekday", .datePart(.weekday, "published_at")),
            Feature("month", .datePart(.month, "published_at")),
            Feature("title_length", .stringLength("title")),
            Feature("hashtag_count", .arraySize("hashtags")),
        ]
        for platform in videoPlatforms { features.append(Feature("platform_" + platform, .memberOf("platform", [platform]))) }
        for category in videoCategories {
            features.append(Feature("category_" + category.lowercased(), .memberOf("category", [category])))
        }
        for country in videoCountries { features.append(Feature("country_" + country.lowercased(), .memberOf("country", [country]))) }
        return features
    }

    /// The creator's earlier videos: median log views and how many (0 for a first video).
    static var creatorHistory: [HistoryWindow] {
        [
            HistoryWindow(
                partition: .field("creator"), value: .log1p(.coalesce(.field("views"), fallback: 0)),
                outputs: [HistoryOutput("creator_prior_median_log_views", .median), HistoryOutput("creator_prior_videos", .count)])
        ]
    }

    /// `raw_videos` rows of any platform; virality is the top decile of the virality score within
    /// the video's platform, and tiers are cut within the platform too.
    static func videos(name: String, task: LearningTask, label: FeatureExpression?) throws(FeatureDefinitionError) -> FeatureSet {
        let scoring = ShortVideoScores.videos
        return try FeatureSet(
            name: name, version: 1, task: task, source: "raw_videos",
            outcomeFields: ["views", "likes", "comments", "shares", "observed_at", "raw"], filter: ["views": ["$gte": 0]],
            timeField: "published_at", features: videoFeatures, history: creatorHistory, label: label, scores: scoring.columns,
            scoring: scoring,
            quantileLabel: task == .classification
                ? QuantileLabel(expression: scoring.viralityScore, quantile: 0.9, within: scoring.within) : nil)
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
                "mean_engagement_rate": ["$avg": ShortVideoScores.tiktok.engagementRate.aggregation],
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
