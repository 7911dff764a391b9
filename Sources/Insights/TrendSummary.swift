import Foundation
import MongoKit

/// What the TikTok trends page shows for one filter: hashtags (TikTok-Api's `challenges` are
/// its hashtag objects, so hashtags and challenges are one list) and sounds with their plays,
/// likes, shares, comments, video counts and weekly series; each one's trend phase; the fastest
/// growing videos between crawls (views per day from `tiktok_stats`); the top authors. One
/// `$facet` over `insights_videos`, stored per scope by `engage insights build` or run live.
public struct TrendSummary: Sendable, Codable, Equatable {
    /// `all`, `platform:NAME`, or `live`.
    public var scope: String
    /// True when computed for this request.
    public var live: Bool
    /// The most rows a live summary reads; nil for stored ones.
    public var rowCap: Int?
    /// When it was built or computed (ISO 8601, UTC).
    public var computedAt: String
    /// Videos in scope.
    public var videos: Int
    /// Videos with a view velocity (seen by at least two crawls an hour or more apart).
    public var measuredVideos: Int
    /// Their median views per day.
    public var medianVelocity: Double?
    /// The Monday of the newest publish week in scope: the end of every series.
    public var lastWeek: String?
    /// The most played hashtags (at most ``trendLimit``).
    public var hashtags: [Trend]
    /// The most played sounds (at most ``trendLimit``).
    public var sounds: [Trend]
    /// The fastest growing videos between crawls.
    public var fastest: [FastVideo]
    /// The authors with the most likes.
    public var authors: [Author]

    /// A hashtag or a sound.
    public struct Trend: Sendable, Codable, Equatable {
        /// The hashtag (lower case) or the sound's title.
        public var name: String
        /// Videos carrying it, and their summed counts.
        public var videos: Int
        /// Summed plays, likes, shares and comments.
        public var views: Double, likes: Double, shares: Double, comments: Double
        /// Videos per publish week, oldest first, from its first week to the scope's last (zeros included).
        public var weekly: [Int]
        /// rising, peaking or fading: see ``TrendSummary/phase(_:)``.
        public var phase: String
    }

    /// A video and how fast its views grew between its first and last crawl.
    public struct FastVideo: Sendable, Codable, Equatable {
        /// Title, creator and platform as stored.
        public var title: String, creator: String, platform: String
        /// Views at the last crawl.
        public var views: Double
        /// Views gained per day between the first and the last crawl.
        public var viewsPerDay: Double
        /// Crawls that saw it.
        public var crawls: Int
    }

    /// One author.
    public struct Author: Sendable, Codable, Equatable {
        /// Username.
        public var creator: String
        /// Followers at the newest crawl (nil when the source gives none).
        public var followers: Double?
        /// Videos, and their summed likes and views.
        public var videos: Int, likes: Double, views: Double
    }

    /// How many hashtags and sounds are kept, by plays.
    public static let trendLimit = 300
    /// The metrics the page ranks hashtags and sounds by.
    public static let rankings = ["views", "likes", "shares", "comments", "videos"]

    /// The phase of a weekly series of video counts, from the last two weeks against the two
    /// before them: rising when they hold at least 25 % more videos (and at least two),
    /// fading when they hold at least 25 % fewer (or none), peaking otherwise: holding its level.
    /// Counts of videos, not their views: a video published last week has had less time to be
    /// watched, so views always seem to fade at the end of a series.
    public static func phase(_ weekly: [Int]) -> String {
        let recent = weekly.suffix(2).reduce(0, +)
        let before = weekly.dropLast(2).suffix(2).reduce(0, +)
        if recent == 0 { return "fading" }
        if Double(recent) >= 1.25 * Double(before), recent >= 2 { return "rising" }
        if Double(recent) <= 0.75 * Double(before) { return "fading" }
        return "peaking"
    }

    /// The aggregation over `insights_videos`: the filter's `$match`, an optional cap, one `$facet`.
    static func pipeline(match: Document, rowCap: Int?) -> [Document] {
        var stages: [Document] = []
        if !match.isEmpty { stages.append(["$match": .document(match)]) }
        if let rowCap { stages.append(["$limit": BSONValue(rowCap)]) }
        let week: BSONValue = ["$dateTrunc": ["date": "$day", "unit": "week", "startOfWeek": "monday"]]
        func trend(_ key: BSONValue) -> [BSONValue] {
            [
                [
                    "$group": [
                        "_id": ["t": key, "w": week], "videos": ["$sum": 1], "views": ["$sum": "$views"], "likes": ["$sum": "$likes"],
                        "shares": ["$sum": "$shares"], "comments": ["$sum": "$comments"],
                    ]
                ],
                ["$match": ["_id.t": ["$type": "string"], "_id.w": ["$type": "date"]]],
                ["$sort": ["_id.w": 1]],
                [
                    "$group": [
                        "_id": "$_id.t", "weeks": ["$push": ["w": "$_id.w", "n": "$videos"]], "videos": ["$sum": "$videos"],
                        "views": ["$sum": "$views"], "likes": ["$sum": "$likes"], "shares": ["$sum": "$shares"],
                        "comments": ["$sum": "$comments"],
                    ]
                ],
                ["$sort": ["views": -1, "_id": 1]],
                ["$limit": BSONValue(trendLimit)],
            ]
        }
        stages.append([
            "$facet": [
                "head": [
                    [
                        "$group": [
                            "_id": .null, "videos": ["$sum": 1], "last": ["$max": week],
                            "measured": ["$sum": ["$cond": [["$isNumber": "$velocity"], 1, 0]]],
                            "velocity": ["$median": ["input": "$velocity", "method": "approximate"]],
                        ]
                    ]
                ],
                "hashtags": .array([["$unwind": "$hashtags"]] + trend("$hashtags")),
                "sounds": .array(trend("$sound")),
                "fastest": [
                    ["$match": ["velocity": ["$type": "number"]]],
                    ["$sort": ["velocity": -1, "_id": 1]],
                    ["$limit": 20],
                    ["$project": ["_id": 0, "title": 1, "creator": 1, "platform": 1, "views": 1, "velocity": 1, "crawls": 1]],
                ],
                "authors": [
                    [
                        "$group": [
                            "_id": "$creator", "followers": ["$max": "$followers"], "videos": ["$sum": 1], "likes": ["$sum": "$likes"],
                            "views": ["$sum": "$views"],
                        ]
                    ],
                    ["$match": ["_id": ["$type": "string"]]],
                    ["$sort": ["likes": -1, "_id": 1]],
                    ["$limit": 25],
                ],
            ]
        ])
        return stages
    }

    /// Reads the `$facet` answer.
    init(facets: Document, scope: String, live: Bool, rowCap: Int?, computedAt: Date) {
        func rows(_ name: String) -> [Document] { facets[name]?.arrayValue?.compactMap(\.documentValue) ?? [] }
        func number(_ document: Document, _ key: String) -> Double { document[key]?.doubleValue ?? 0 }
        func count(_ document: Document, _ key: String = "videos") -> Int { Int(document[key]?.int64Value ?? 0) }
        let head = rows("head").first ?? [:]
        let last: Date? = if case .datetime(let at)? = head["last"] { at.date } else { nil }
        self.scope = scope
        self.live = live
        self.rowCap = rowCap
        self.computedAt = computedAt.formatted(.iso8601)
        videos = count(head)
        measuredVideos = count(head, "measured")
        medianVelocity = measuredVideos > 0 ? head["velocity"]?.doubleValue : nil
        lastWeek = last.map(InsightsFilter.dayText)
        func trends(_ name: String) -> [Trend] {
            rows(name).compactMap { row in
                guard let key = row["_id"]?.stringValue else { return nil }
                let weekly = Self.weekly(row["weeks"]?.arrayValue ?? [], through: last)
                return Trend(
                    name: key, videos: count(row), views: number(row, "views"), likes: number(row, "likes"),
                    shares: number(row, "shares"), comments: number(row, "comments"), weekly: weekly, phase: Self.phase(weekly))
            }
        }
        hashtags = trends("hashtags")
        sounds = trends("sounds")
        fastest = rows("fastest").map {
            FastVideo(
                title: $0["title"]?.stringValue ?? "", creator: $0["creator"]?.stringValue ?? "",
                platform: $0["platform"]?.stringValue ?? "", views: number($0, "views"), viewsPerDay: number($0, "velocity"),
                crawls: count($0, "crawls"))
        }
        authors = rows("authors").map {
            Author(
                creator: $0["_id"]?.stringValue ?? "", followers: $0["followers"]?.doubleValue, videos: count($0),
                likes: number($0, "likes"), views: number($0, "views"))
        }
    }

    /// Weekly counts from the first week given to `last`, zeros for weeks without videos.
    static func weekly(_ weeks: [BSONValue], through last: Date?) -> [Int] {
        var counts: [Date: Int] = [:]
        for case .document(let week) in weeks {
            if case .datetime(let at)? = week["w"] { counts[at.date] = Int(week["n"]?.int64Value ?? 0) }
        }
        guard let first = counts.keys.min() else { return [] }
        let end = max(last ?? first, counts.keys.max() ?? first)
        var series: [Int] = []
        var week = first
        while week <= end {
            series.append(counts[week] ?? 0)
            week = week.addingTimeInterval(7 * 86_400)
        }
        return series
    }
}
