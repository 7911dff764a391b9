import DelimitedText
import Foundation
import Hashing
import MongoKit
import SourceSchemas

/// Which CSV column holds each field of a "one row per video" export. Column names vary by
/// exporter (`views`, `view_count`, `play_count`, `video_view_count`, `Length (sec)`, …), so each
/// field is found by ``ColumnMatch``: by name, then by pattern (`video_like_count` is likes,
/// `category_id` the category, `video_duration_ms` the duration in milliseconds), then by `--map`.
public struct VideoColumnMapping: Sendable, Equatable, Codable {
    /// The fields of the normalized video schema.
    public enum Field: String, ColumnSchema {
        case videoID = "video_id", title, views, likes, comments, shares, duration = "duration_s"
        case publishedAt = "published_at", platform, creator, category, country, hashtags
        case observedAt = "observed_at"

        /// Normalized column names that mean each field, best first.
        public static var patterns: [Field: [String]] {
            [
                .videoID: ["videoid", "id", "postid", "awemeid", "itemid", "mediaid", "shortcode", "url", "videourl", "link"],
                .title: ["title", "caption", "description", "desc", "text", "videotitle", "videodescription"],
                .views: [
                    "views", "viewcount", "playcount", "videoviewcount", "plays", "viewscount", "totalviews", "numviews", "videoviews",
                    "impressions", "view", "play",
                ],
                .likes: [
                    "likes", "likecount", "diggcount", "likescount", "hearts", "numlikes", "totallikes", "reactions", "like", "digg",
                    "heart",
                ],
                .comments: ["comments", "commentcount", "commentscount", "numcomments", "totalcomments", "comment"],
                .shares: ["shares", "sharecount", "sharescount", "numshares", "totalshares", "reposts", "share", "repost"],
                .duration: [
                    "duration", "durations", "durationsec", "durationseconds", "videoduration", "length", "lengthsec", "videolength",
                    "durationsecs",
                ],
                .publishedAt: [
                    "publishedat", "publishtime", "publishdate", "published", "uploaddate", "uploadtime", "createtime", "createdat",
                    "created", "postedat", "postdate", "date", "timestamp", "datetime", "uploaded", "publish", "upload", "create", "posted",
                ],
                .platform: ["platform", "network", "site", "app", "source"],
                .creator: [
                    "creator", "author", "channel", "channelname", "channeltitle", "username", "user", "uploader", "authorname", "account",
                    "handle", "creatorname",
                ],
                .category: ["category", "categoryname", "genre", "topic", "niche", "contentcategory"],
                .country: ["country", "countrycode", "region", "location", "market", "geo"],
                .hashtags: ["hashtags", "tags", "hashtag", "challenges", "keywords", "tag"],
                .observedAt: [
                    "observedat", "trendingdate", "scrapedat", "crawledat", "fetchedat", "collectedat", "retrievedat", "capturedat",
                    "snapshotdate", "snapshotat", "asof", "extractedat", "observed", "trending", "scraped", "crawled", "fetched",
                    "collected",
                    "snapshot",
                ],
            ]
        }
    }

    /// How a field's column was found.
    public typealias Match = ColumnMatchKind

    /// Where each row's counts are appended as a snapshot.
    public static let snapshotCollection = "video_stats"

    /// The columns found for each field.
    public let match: ColumnMatch<Field>
    /// Whether every row must give its views: true when collecting, false when scoring posts not
    /// yet published.
    public let requiresViews: Bool

    /// Column index per field.
    public var columns: [Field: Int] { match.columns }
    /// How each mapped field's column was found.
    public var matches: [Field: Match] { match.matches }
    /// Fields that two or more columns match equally well, left unmapped: the candidates, for `--map`.
    public var ambiguous: [Field: [String]] { match.ambiguous }
    /// Seconds per unit of the duration column (`_ms`: 0.001, `_min`: 60).
    public var durationUnit: Double { match.units[.duration] ?? 1 }
    /// The header, as read.
    public var header: [String] { match.header }
    /// The mapping as `field ← column` lines, for the user to check.
    public var description: String { match.description }

    /// Detects the mapping from `header`, then applies `overrides` (field name → column name).
    public init(header: [String], overrides: [String: String] = [:], requiresViews: Bool = true) throws(CollectError) {
        match = try ColumnMatch(header: header, overrides: overrides)
        self.requiresViews = requiresViews
        guard match.columns[.views] != nil || !requiresViews else {
            let candidates = match.ambiguous[.views].map { " (\($0.joined(separator: " and ")) match it equally well)" } ?? ""
            throw .invalidMapping(
                "no column for views\(candidates); looked for \((Field.patterns[.views] ?? []).joined(separator: ", ")) "
                    + "with prefixes such as video_ and suffixes such as _count; name it with --map views=COLUMN")
        }
    }

    /// The normalized document of one row with the header's field count (``FileInput`` checks it).
    /// The raw row is kept under `raw` (column → text). The row is also a snapshot of the video's
    /// counts (for ``snapshotCollection``), and its freshness is its observed-at time, else its views.
    public func normalize(_ record: CSVRecord, platform: String?) throws(RecordError) -> NormalizedRecord {
        var raw = Document()
        for (j, name) in header.enumerated() { raw[name] = .string(record.string(at: j)) }
        try OperatorKeys.refuse(in: raw)
        let fields = FieldReader(document: raw)
        func column(_ field: Field) -> String? { columns[field].map { header[$0] } }

        var document = Document()
        var views: Int64?
        if let viewsColumn = column(.views) { views = try fields.count(viewsColumn) }
        if let views {
            document["views"] = .int64(views)
        } else if requiresViews {
            throw RecordError(field: column(.views) ?? "views", reason: "required, missing")
        }
        for field in [Field.likes, .comments, .shares] {
            if let name = column(field), let value = try fields.count(name) { document[field.rawValue] = .int64(value) }
        }
        if let name = column(.duration), let given = try fields.number(name) {
            let seconds = given * durationUnit
            guard seconds >= 0 && seconds <= 86_400 else { throw RecordError(field: name, reason: "implausible duration \(seconds) s") }
            document["duration_s"] = .double(seconds)
        }
        if let name = column(.publishedAt), let date = try fields.date(name) { document["published_at"] = .date(date) }
        var observedAt: Date?
        if let name = column(.observedAt), let date = try fields.date(name) {
            observedAt = date
            document["observed_at"] = .date(date)
        }
        for field in [Field.title, .creator, .category, .country] {
            if let name = column(field), let text = try fields.string(name) { document[field.rawValue] = .string(text) }
        }
        var platformName = platform ?? "unknown"
        if platform == nil, let name = column(.platform), let given = try fields.string(name) { platformName = given }
        document["platform"] = .string(platformName.lowercased())
        if let name = column(.hashtags), let text = try fields.string(name) {
            document["hashtags"] = .array(HashtagParser.parse(text).map(BSONValue.string))
        } else {
            document["hashtags"] = .array([])
        }
        let id: String
        if let name = column(.videoID), let given = try fields.string(name) {
            id = given
        } else {
            // No id column: the row's identity is what it says, so re-reading it finds the same key.
            id = "row-" + SHA256.hex(Array(header.indices.map { record.string(at: $0) }.joined(separator: "\u{1F}").utf8)).prefix(24)
        }
        let key = "\(platformName.lowercased()):\(id)"
        document["video_id"] = .string(id)
        document["_id"] = .string(key)
        document["raw"] = .document(raw)
        // Rows carry no crawl time of their own: the observed-at column orders observations of one
        // video, else its counts do (they only grow), and each row is a snapshot of its counts.
        var stats = Document()
        for field in [Field.views, .likes, .comments, .shares] where document[field.rawValue] != nil {
            stats[field.rawValue] = document[field.rawValue]
        }
        var snapshot: Document = ["video_id": .string(key), "stats": .document(stats)]
        if let observedAt { snapshot["observed_at"] = .date(observedAt) }
        return NormalizedRecord(
            key: .string(key), document: document, snapshot: snapshot,
            freshness: observedAt.map(\.timeIntervalSince1970) ?? views.map(Double.init), snapshotIsSourceObservation: true)
    }
}
