import Foundation
import BSON

/// TikTok video items normalized to one schema, whichever scraper wrote them:
///
/// ```
/// { _id, video_id, platform: "tiktok", description, created_at (date),
///   author: { id, username, nickname, verified, followers, following, likes, videos },
///   stats: { views, likes, comments, shares, saves },
///   music: { id, title, author, original }, duration_s, hashtags: [lower-case names],
///   raw: { …the item as given… } }
/// ```
///
/// Shapes read: TikTok-Api items (`stats`, `author`, `authorStats`, `music`, `video`, `challenges`,
/// `textExtra`), the same items flattened by notebooks (`stats_playCount`, `authorStats_followerCount`,
/// booleans as "True"), and tiktok-scraper items (`authorMeta`, `musicMeta`, `videoMeta`, `hashtags`,
/// counts at top level). `id`, the creation time and the view count are required.
public enum TikTokVideo {
    /// The collection the collectors store videos in (their stats history goes to ``statsCollection``).
    public static let collection = "raw_tiktok_videos"
    /// The collection each changed item's stats snapshot is appended to.
    public static let statsCollection = "tiktok_stats"
    /// The outcome fields a feature must not read directly.
    public static let outcomeFields: Set<String> = ["stats"]

    /// Normalizes one item. A stored item must carry its view count; an item sent for a prediction
    /// (`requireStats: false`) is a new post whose stats are not known yet.
    public static func normalize(_ raw: Document, observedAt: Date, requireStats: Bool = true) throws(RecordError) -> NormalizedRecord {
        try OperatorKeys.refuse(in: raw)
        let item = unflattened(raw)
        let fields = FieldReader(document: item)
        let scraper = item["authorMeta"] != nil || item["videoMeta"] != nil
        let id = try fields.requiredString("id").trimmingCharacters(in: .whitespaces)
        guard id.allSatisfy(\.isNumber) || scraper else {
            throw RecordError(field: "id", reason: "not a TikTok video id: \"\(id.prefix(30))\"")
        }
        guard let created = try fields.date("createTime") else { throw RecordError(field: "createTime", reason: "required, missing") }

        let stats: Document
        let author: Document
        let music: Document
        let duration: Double?
        if scraper {
            stats = try counts(fields, ["views": "playCount", "likes": "diggCount", "comments": "commentCount", "shares": "shareCount"])
            author = try profile(
                fields, id: "authorMeta.id", username: "authorMeta.name", nickname: "authorMeta.nickName",
                verified: "authorMeta.verified", followers: "authorMeta.fans", following: "authorMeta.following",
                likes: "authorMeta.heart", videos: "authorMeta.video")
            music = try track(
                fields, id: "musicMeta.musicId", title: "musicMeta.musicName", author: "musicMeta.musicAuthor",
                original: "musicMeta.musicOriginal")
            duration = try fields.number("videoMeta.duration")
        } else {
            stats = try counts(
                fields,
                [
                    "views": "stats.playCount", "likes": "stats.diggCount", "comments": "stats.commentCount",
                    "shares": "stats.shareCount", "saves": "stats.collectCount",
                ])
            author = try profile(
                fields, id: "author.id", username: "author.uniqueId", nickname: "author.nickname",
                verified: "author.verified", followers: "authorStats.followerCount", following: "authorStats.followingCount",
                likes: fields.value("authorStats.heartCount") != nil ? "authorStats.heartCount" : "authorStats.heart",
                videos: "authorStats.videoCount")
            music = try track(fields, id: "music.id", title: "music.title", author: "music.authorName", original: "music.original")
            duration = try fields.number("video.duration")
        }
        guard stats["views"] != nil || !requireStats else {
            throw RecordError(field: scraper ? "playCount" : "stats.playCount", reason: "required, missing")
        }
        if let duration, duration < 0 || duration > 36_000 {
            throw RecordError(field: scraper ? "videoMeta.duration" : "video.duration", reason: "implausible duration \(duration) s")
        }
        let description = try fields.string(scraper ? "text" : "desc") ?? ""
        var document: Document = [
            "_id": .string(id),
            "video_id": .string(id),
            "platform": "tiktok",
            "description": .string(description),
            "created_at": .date(created),
            "author": .document(author),
            "stats": .document(stats),
            "music": .document(music),
            "duration_s": duration.map(BSONValue.double) ?? .null,
            "hashtags": .array(hashtags(item, description: description).map(BSONValue.string)),
        ]
        document["raw"] = .document(raw)
        let snapshot: Document = ["video_id": .string(id), "observed_at": .date(observedAt), "stats": .document(stats)]
        return NormalizedRecord(key: .string(id), document: document, snapshot: snapshot, freshness: stats["views"]?.doubleValue)
    }

    /// Flattened notebook items (`stats_playCount`, …) back into TikTok-Api's nesting.
    static func unflattened(_ raw: Document) -> Document {
        let prefixes = ["authorStats", "author", "stats", "music", "video"]
        guard raw.keys.contains(where: { key in prefixes.contains { key.hasPrefix($0 + "_") } }) else { return raw }
        var out = Document()
        var nested: [String: Document] = [:]
        for (key, value) in raw {
            if let prefix = prefixes.first(where: { key.hasPrefix($0 + "_") }) {
                nested[prefix, default: Document()][String(key.dropFirst(prefix.count + 1))] = value
            } else {
                out[key] = value
            }
        }
        for prefix in prefixes { if let inner = nested[prefix] { out[prefix] = .document(inner) } }
        return out
    }

    private static func counts(_ fields: FieldReader, _ paths: KeyValuePairs<String, String>) throws(RecordError) -> Document {
        var out = Document()
        for (name, path) in paths { if let value = try fields.count(path) { out[name] = .int64(value) } }
        return out
    }

    private static func profile(
        _ fields: FieldReader, id: String, username: String, nickname: String, verified: String, followers: String,
        following: String, likes: String, videos: String
    ) throws(RecordError) -> Document {
        var out = Document()
        if let value = try fields.string(id) { out["id"] = .string(value) }
        if let value = try fields.string(username) { out["username"] = .string(value) }
        if let value = try fields.string(nickname) { out["nickname"] = .string(value) }
        if let value = try fields.bool(verified) { out["verified"] = .bool(value) }
        for (name, path) in [("followers", followers), ("following", following), ("likes", likes), ("videos", videos)] {
            if let value = try fields.count(path) { out[name] = .int64(value) }
        }
        return out
    }

    private static func track(_ fields: FieldReader, id: String, title: String, author: String, original: String) throws(RecordError)
        -> Document
    {
        var out = Document()
        if let value = try fields.string(id) { out["id"] = .string(value) }
        if let value = try fields.string(title) { out["title"] = .string(value) }
        if let value = try fields.string(author) { out["author"] = .string(value) }
        if let value = try fields.bool(original) { out["original"] = .bool(value) }
        return out
    }

    /// Hashtag names from `challenges`, `textExtra`, scraper `hashtags`, or else `#tags` in the text.
    static func hashtags(_ item: Document, description: String) -> [String] {
        var names: [String] = []
        for (list, key) in [("challenges", "title"), ("textExtra", "hashtagName"), ("hashtags", "name")] {
            guard case .array(let entries)? = item[list] else {
                if case .string(let text)? = item[list] { names += HashtagParser.parse(text) }
                continue
            }
            for entry in entries {
                if case .document(let tag) = entry, case .string(let name)? = tag[key], !name.isEmpty { names.append(name) }
                if case .string(let name) = entry { names.append(name) }
            }
        }
        if names.isEmpty { names = HashtagParser.parse(description, onlyMarked: true) }
        var seen = Set<String>()
        return names.map { $0.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "# ")) }.filter {
            !$0.isEmpty && seen.insert($0).inserted
        }
    }
}

/// Hashtags as exports write them: JSON or Python lists (`['a', 'b']`), comma, pipe or space
/// separated text, or `#tags` inside a caption.
public enum HashtagParser {
    /// The lower-cased hashtags of `text`: `#tag` words, or (unless `onlyMarked`) a list separated by commas, spaces or `|`.
    public static func parse(_ text: String, onlyMarked: Bool = false) -> [String] {
        // A Python repr of TikTok-Api challenge objects: [{'id': '…', 'title': 'fitness', …}, …]
        if text.contains("'title': '") {
            return text.components(separatedBy: "'title': '").dropFirst().compactMap { part in
                part.split(separator: "'", maxSplits: 1).first.map { $0.lowercased() }
            }.filter { !$0.isEmpty }
        }
        if onlyMarked || text.contains("#") {
            var tags: [String] = []
            var current: String?
            for character in text {
                if character == "#" {
                    if let tag = current, !tag.isEmpty { tags.append(tag) }
                    current = ""
                } else if var tag = current {
                    if character.isLetter || character.isNumber || character == "_" {
                        tag.append(character)
                        current = tag
                    } else {
                        if !tag.isEmpty { tags.append(tag) }
                        current = nil
                    }
                }
            }
            if let tag = current, !tag.isEmpty { tags.append(tag) }
            return tags.map { $0.lowercased() }
        }
        let stripped = text.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
        // The separator is the first of , | ; found outside quotes, else a space; a quoted tag
        // keeps its spaces (`"music video"` is one tag, as YouTube exports quote them).
        let outside = unquoted(stripped)
        let separator: Character = outside.contains(",") ? "," : outside.contains("|") ? "|" : outside.contains(";") ? ";" : " "
        return split(stripped, on: separator)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " '\"#")).lowercased() }
            .filter { !$0.isEmpty }
    }

    /// The characters of `text` outside quotes. A quote opens a quoted tag only at a tag's start
    /// (after a separator or a space), so `don't|stop` is two tags, not an unclosed quote.
    static func unquoted(_ text: String) -> String {
        var quote: Character?
        var atStart = true
        var out = ""
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if atStart && (character == "\"" || character == "'") {
                quote = character
            } else {
                out.append(character)
                atStart = ",|; ".contains(character)
            }
        }
        return out
    }

    /// `text` cut at each `separator` outside quotes (quotes open as in ``unquoted(_:)``).
    static func split(_ text: String, on separator: Character) -> [String] {
        var quote: Character?
        var atStart = true
        var parts: [String] = []
        var current = ""
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
            } else if character == separator {
                parts.append(current)
                current = ""
                atStart = true
            } else {
                if atStart && (character == "\"" || character == "'") { quote = character }
                atStart = character == " "
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }
}
