import DelimitedText
import Foundation
import Hashing
import MongoKit
import SourceSchemas

/// Which CSV column holds each field of a "one row per video" export. Column names vary by
/// exporter (`views`, `view_count`, `play_count`, `video_view_count`, `Length (sec)`, …), so each
/// field is found in three steps, and the mapping says which one found it:
///
/// 1. **exact**: the column's name (case, spaces and punctuation ignored) is one of the field's names;
/// 2. **pattern**: it is once exporter prefixes (`video_`, `post_`, `total_`, …) and suffixes
///    (`_count`, `_id`, `_name`) are taken off, with a unit suffix (`_sec`, `_ms`, `_min`) read as
///    the duration's unit: `video_like_count` is likes, `category_id` the category,
///    `video_duration_ms` the duration in milliseconds;
/// 3. **mapped**: `--map field=column` names it, which also settles what stays ambiguous (two
///    columns that match a field equally well are left unmapped and reported, never guessed).
public struct VideoColumnMapping: Sendable, Equatable, Codable {
    /// The fields of the normalized video schema.
    public enum Field: String, Sendable, CaseIterable, Codable {
        case videoID = "video_id", title, views, likes, comments, shares, duration = "duration_s"
        case publishedAt = "published_at", platform, creator, category, country, hashtags
        case observedAt = "observed_at"
    }

    /// How a field's column was found.
    public enum Match: String, Sendable, Equatable, Codable {
        /// The column's name is one of the field's names.
        case exact
        /// The name matches once exporter prefixes, suffixes and units are taken off.
        case pattern
        /// Named with `--map`.
        case mapped
    }

    /// Normalized column names that mean each field, best first.
    static let patterns: [Field: [String]] = [
        .videoID: ["videoid", "id", "postid", "awemeid", "itemid", "mediaid", "shortcode", "url", "videourl", "link"],
        .title: ["title", "caption", "description", "desc", "text", "videotitle", "videodescription"],
        .views: [
            "views", "viewcount", "playcount", "videoviewcount", "plays", "viewscount", "totalviews", "numviews", "videoviews",
            "impressions", "view", "play",
        ],
        .likes: [
            "likes", "likecount", "diggcount", "likescount", "hearts", "numlikes", "totallikes", "reactions", "like", "digg", "heart",
        ],
        .comments: ["comments", "commentcount", "commentscount", "numcomments", "totalcomments", "comment"],
        .shares: ["shares", "sharecount", "sharescount", "numshares", "totalshares", "reposts", "share", "repost"],
        .duration: [
            "duration", "durations", "durationsec", "durationseconds", "videoduration", "length", "lengthsec", "videolength",
            "durationsecs",
        ],
        .publishedAt: [
            "publishedat", "publishtime", "publishdate", "published", "uploaddate", "uploadtime", "createtime", "createdat", "created",
            "postedat", "postdate", "date", "timestamp", "datetime", "uploaded", "publish", "upload", "create", "posted",
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
            "observedat", "trendingdate", "scrapedat", "crawledat", "fetchedat", "collectedat", "retrievedat", "capturedat", "snapshotdate",
            "snapshotat", "asof", "extractedat", "observed", "trending", "scraped", "crawled", "fetched", "collected", "snapshot",
        ],
    ]

    /// Leading words exporters put before a field's name (`video_view_count`, `stats_diggCount`, `total_likes`).
    static let prefixes: Set<String> = [
        "video", "videos", "post", "item", "clip", "content", "media", "stats", "stat", "total", "num", "number",
    ]
    /// Trailing words after it (`like_count`, `category_id`, `channel_name`).
    static let suffixes: Set<String> = [
        "count", "counts", "total", "num", "number", "id", "ids", "name", "code", "at", "time", "date", "utc",
    ]
    /// Trailing unit words of a duration, in seconds per unit.
    static let units: [String: Double] = [
        "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "ms": 0.001, "millis": 0.001, "msec": 0.001, "milliseconds": 0.001,
        "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    ]

    /// Column index per field.
    public private(set) var columns: [Field: Int]
    /// Where each row's counts are appended as a snapshot.
    public static let snapshotCollection = "video_stats"

    /// How each mapped field's column was found.
    public private(set) var matches: [Field: Match]
    /// Fields that two or more columns match equally well, left unmapped: the candidates, for `--map`.
    public private(set) var ambiguous: [Field: [String]]
    /// Seconds per unit of the duration column (`_ms`: 0.001, `_min`: 60).
    public private(set) var durationUnit: Double
    /// The header, as read.
    public let header: [String]
    /// Whether every row must give its views: true when collecting, false when scoring posts not
    /// yet published.
    public let requiresViews: Bool

    /// Detects the mapping from `header`, then applies `overrides` (field name → column name).
    public init(header: [String], overrides: [String: String] = [:], requiresViews: Bool = true) throws(CollectError) {
        self.header = header
        self.requiresViews = requiresViews
        let normalized = header.map(Self.normalize)
        columns = [:]
        matches = [:]
        ambiguous = [:]
        durationUnit = 1
        var taken = Set<Int>()
        for (field, column) in overrides {
            guard let target = Field(rawValue: field) else {
                throw .invalidMapping("unknown field \(field); fields are \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let index = header.firstIndex(of: column) ?? normalized.firstIndex(of: Self.normalize(column)) else {
                throw .invalidMapping(
                    "--map \(field)=\(column): the file has no column \(column) (it has \(header.joined(separator: ", ")))")
            }
            columns[target] = index
            matches[target] = .mapped
            taken.insert(index)
        }
        // Exact names first, for every field, so that a pattern never takes a column another field names exactly.
        for field in Field.allCases where columns[field] == nil {
            for pattern in Self.patterns[field] ?? [] {
                if let index = normalized.firstIndex(of: pattern), !taken.contains(index) {
                    columns[field] = index
                    matches[field] = .exact
                    taken.insert(index)
                    break
                }
            }
        }
        let cores = header.map(Self.core)
        for field in Field.allCases where columns[field] == nil {
            let names = Self.patterns[field] ?? []
            let ranked = cores.indices.compactMap { index in
                taken.contains(index) ? nil : names.firstIndex(of: cores[index].name).map { (rank: $0, index: index) }
            }
            guard let bestRank = ranked.map(\.rank).min() else { continue }
            let best = ranked.filter { $0.rank == bestRank }.map(\.index)
            guard best.count == 1, let index = best.first else {
                ambiguous[field] = best.map { header[$0] }
                continue
            }
            columns[field] = index
            matches[field] = .pattern
            taken.insert(index)
        }
        if let index = columns[.duration] {
            durationUnit = Self.core(header[index]).unit ?? 1
        }
        guard columns[.views] != nil || !requiresViews else {
            let candidates = ambiguous[.views].map { " (\($0.joined(separator: " and ")) match it equally well)" } ?? ""
            throw .invalidMapping(
                "no column for views\(candidates); looked for \((Self.patterns[.views] ?? []).joined(separator: ", ")) "
                    + "with prefixes such as video_ and suffixes such as _count; name it with --map views=COLUMN")
        }
    }

    static func normalize(_ name: String) -> String {
        name.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// The words of a column name: split at punctuation, spaces and lower-to-upper case changes.
    static func words(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for character in name {
            guard character.isLetter || character.isNumber else {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousWasLower = false
                continue
            }
            if character.isUppercase && previousWasLower && !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(contentsOf: character.lowercased())
            previousWasLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// A column name without exporter prefixes, suffixes and a unit, and that unit (in seconds).
    static func core(_ name: String) -> (name: String, unit: Double?) {
        var words = words(name)
        var unit: Double?
        while words.count > 1, let first = words.first, prefixes.contains(first) { words.removeFirst() }
        while words.count > 1, let last = words.last {
            if let seconds = units[last], unit == nil {
                unit = seconds
            } else if !suffixes.contains(last) {
                break
            }
            words.removeLast()
        }
        return (words.joined(), unit)
    }

    /// The mapping as `field ← column` lines, for the user to check.
    public var description: String {
        Field.allCases.map { field in
            let found: String
            if let index = columns[field] {
                let unit = field == .duration && durationUnit != 1 ? ", \(durationUnit) s per unit" : ""
                found = "\(header[index]) (\(matches[field]?.rawValue ?? "exact")\(unit))"
            } else if let candidates = ambiguous[field] {
                found = "(ambiguous: \(candidates.joined(separator: ", ")); choose with --map \(field.rawValue)=COLUMN)"
            } else {
                found = "(none)"
            }
            return "  \(field.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) ← \(found)"
        }.joined(separator: "\n")
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
