import DelimitedText
import Foundation
import Hashing
import MongoKit
import SourceSchemas

/// Which CSV column holds each field of a "one row per video" export. Column names vary by
/// exporter (`views`, `view_count`, `play_count`, `video_view_count`, …), so fields are found by
/// name patterns (case, spaces and punctuation ignored), and `--map field=column` overrides them.
public struct VideoColumnMapping: Sendable, Equatable, Codable {
    /// The fields of the normalized video schema.
    public enum Field: String, Sendable, CaseIterable, Codable {
        case videoID = "video_id", title, views, likes, comments, shares, duration = "duration_s"
        case publishedAt = "published_at", platform, creator, category, country, hashtags
    }

    /// Normalized column names that mean each field, best first.
    static let patterns: [Field: [String]] = [
        .videoID: ["videoid", "id", "postid", "awemeid", "itemid", "mediaid", "shortcode", "url", "videourl", "link"],
        .title: ["title", "caption", "description", "desc", "text", "videotitle", "videodescription"],
        .views: [
            "views", "viewcount", "playcount", "videoviewcount", "plays", "viewscount", "totalviews", "numviews", "videoviews",
            "impressions",
        ],
        .likes: ["likes", "likecount", "diggcount", "likescount", "hearts", "numlikes", "totallikes", "reactions"],
        .comments: ["comments", "commentcount", "commentscount", "numcomments", "totalcomments"],
        .shares: ["shares", "sharecount", "sharescount", "numshares", "totalshares", "reposts"],
        .duration: [
            "duration", "durations", "durationsec", "durationseconds", "videoduration", "length", "lengthsec", "videolength",
            "durationsecs",
        ],
        .publishedAt: [
            "publishedat", "publishtime", "publishdate", "published", "uploaddate", "uploadtime", "createtime", "createdat", "created",
            "postedat", "postdate", "date", "timestamp", "datetime", "uploaded",
        ],
        .platform: ["platform", "network", "site", "app", "source"],
        .creator: [
            "creator", "author", "channel", "channelname", "channeltitle", "username", "user", "uploader", "authorname", "account",
            "handle", "creatorname",
        ],
        .category: ["category", "categoryname", "genre", "topic", "niche", "contentcategory"],
        .country: ["country", "countrycode", "region", "location", "market", "geo"],
        .hashtags: ["hashtags", "tags", "hashtag", "challenges", "keywords"],
    ]

    /// Column index per field.
    public private(set) var columns: [Field: Int]
    /// The header, as read.
    public let header: [String]

    /// Detects the mapping from `header`, then applies `overrides` (field name → column name).
    public init(header: [String], overrides: [String: String] = [:]) throws(CollectError) {
        self.header = header
        let normalized = header.map(Self.normalize)
        var columns: [Field: Int] = [:]
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
            taken.insert(index)
        }
        for field in Field.allCases where columns[field] == nil {
            for pattern in Self.patterns[field] ?? [] {
                if let index = normalized.firstIndex(of: pattern), !taken.contains(index) {
                    columns[field] = index
                    taken.insert(index)
                    break
                }
            }
        }
        guard columns[.views] != nil else {
            throw .invalidMapping(
                "no column for views (looked for \(Self.patterns[.views]!.joined(separator: ", "))); name it with --map views=COLUMN")
        }
        self.columns = columns
    }

    static func normalize(_ name: String) -> String {
        name.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// The mapping as `field ← column` lines, for the user to check.
    public var description: String {
        Field.allCases.map { field in
            "  \(field.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) ← \(columns[field].map { header[$0] } ?? "(none)")"
        }.joined(separator: "\n")
    }

    /// The normalized document of one row with the header's field count (``FileInput`` checks it).
    /// The raw row is kept under `raw` (column → text).
    public func normalize(_ record: CSVRecord, platform: String?) throws(RecordError) -> NormalizedRecord {
        var raw = Document()
        for (j, name) in header.enumerated() { raw[name] = .string(record.string(at: j)) }
        try OperatorKeys.refuse(in: raw)
        let fields = FieldReader(document: raw)
        func column(_ field: Field) -> String? { columns[field].map { header[$0] } }

        var document = Document()
        guard let viewsColumn = column(.views), let views = try fields.count(viewsColumn) else {
            throw RecordError(field: column(.views) ?? "views", reason: "required, missing")
        }
        document["views"] = .int64(views)
        for field in [Field.likes, .comments, .shares] {
            if let name = column(field), let value = try fields.count(name) { document[field.rawValue] = .int64(value) }
        }
        if let name = column(.duration), let seconds = try fields.number(name) {
            guard seconds >= 0 && seconds <= 86_400 else { throw RecordError(field: name, reason: "implausible duration \(seconds) s") }
            document["duration_s"] = .double(seconds)
        }
        if let name = column(.publishedAt), let date = try fields.date(name) { document["published_at"] = .date(date) }
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
        return NormalizedRecord(key: .string(key), document: document)
    }
}
