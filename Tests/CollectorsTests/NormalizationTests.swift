import Collectors
import EngageTestSupport
import Foundation
import MongoKit
import SeedData
import SourceSchemas
import Testing

/// Each source shape normalized to the documented schema, and bad fields named.
@Suite struct NormalizationTests {
    let now = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func tiktokAPIAndScraperShapesAgree() throws {
        let api = try Document(
            extendedJSON: """
                {"id": "7001", "desc": "dance #FYP #fun", "createTime": 1690000000,
                 "stats": {"playCount": 1200, "diggCount": 100, "commentCount": 5, "shareCount": 7},
                 "author": {"id": "9", "uniqueId": "ana", "verified": true}, "authorStats": {"followerCount": 5000, "heart": 9000},
                 "music": {"id": "3", "title": "song", "original": false}, "video": {"duration": 15},
                 "challenges": [{"title": "FYP"}, {"title": "fun"}]}
                """)
        let scraper = try Document(
            extendedJSON: """
                {"id": "7001", "text": "dance #FYP #fun", "createTime": 1690000000, "playCount": 1200, "diggCount": 100,
                 "commentCount": 5, "shareCount": 7, "authorMeta": {"id": "9", "name": "ana", "verified": true, "fans": 5000, "heart": 9000},
                 "musicMeta": {"musicId": "3", "musicName": "song", "musicOriginal": false}, "videoMeta": {"duration": 15},
                 "hashtags": [{"name": "fyp"}, {"name": "fun"}]}
                """)
        let a = try TikTokVideo.normalize(api, observedAt: now).document
        let b = try TikTokVideo.normalize(scraper, observedAt: now).document
        for field in ["_id", "stats", "author", "music", "duration_s", "hashtags", "created_at", "description"] {
            #expect(a[field] == b[field], "\(field)")
        }
        #expect(a["hashtags"] == .array(["fyp", "fun"]))
        #expect(a[path: "stats.views"] == .int64(1200))
        #expect(a[path: "author.followers"] == .int64(5000))
        #expect(a["created_at"] == .datetime(BSONDateTime(millisecondsSinceEpoch: 1_690_000_000_000)))
    }

    /// Regression: tiktok-scraper writes `{"headers": {…}, "collector": [items]}`; the file was read
    /// as one record and refused (`id: required, missing`).
    @Test func aTiktokScraperFileIsUnwrappedAndSaysSo() throws {
        let file = """
            {"headers": {"user-agent": "Mozilla/5.0", "referer": "https://www.tiktok.com/", "cookie": "tt_webid_v2=1"},
             "collector": [
              {"id": "7001", "text": "dance #fun", "createTime": 1690000000, "playCount": 1200, "diggCount": 100,
               "authorMeta": {"id": "9", "name": "ana", "fans": 5000}, "musicMeta": {"musicName": "song"}, "hashtags": [{"name": "fun"}]},
              {"id": "7002", "text": "more", "createTime": 1690000500, "playCount": 30, "authorMeta": {"id": "9", "name": "ana"}}
             ]}
            """
        let path = try temporaryFile(file, suffix: ".json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = try FileInput.open(path, kind: .tiktok, observedAt: now)
        var ids: [String] = []
        while let item = try input.next() {
            if case .success(let record) = item.outcome { ids.append(record.document["video_id"]?.stringValue ?? "") }
        }
        #expect(ids == ["7001", "7002"])
        #expect(input.layout == "the \"collector\" array of a wrapper object")
        var summary = IngestSummary(runID: "r", source: "tiktok-file:x", collection: "raw_tiktok_videos")
        summary.layout = input.layout
        #expect(summary.text.contains("from the \"collector\" array of a wrapper object"))
    }

    @Test(arguments: [
        ("{\"id\": \"1\", \"createTime\": 1690000000, \"stats\": {\"playCount\": -5}}", "stats.playCount", "negative count -5"),
        (
            "{\"id\": \"1\", \"createTime\": 1690000000, \"stats\": {\"playCount\": \"lots\"}}", "stats.playCount",
            "expected a number, found \"lots\""
        ),
        ("{\"id\": \"1\", \"createTime\": 1690000000, \"stats\": {\"diggCount\": 3}}", "stats.playCount", "required, missing"),
        ("{\"createTime\": 1690000000, \"stats\": {\"playCount\": 5}}", "id", "required, missing"),
        ("{\"id\": \"1\", \"createTime\": 99999999999999, \"stats\": {\"playCount\": 5}}", "createTime", "implausible date"),
        ("{\"id\": \"1\", \"createTime\": \"#N/A\", \"stats\": {\"playCount\": 5}}", "createTime", "required, missing"),
    ])
    func tiktokBadFieldsAreNamed(_ json: String, _ field: String, _ reason: String) throws {
        let document = try Document(extendedJSON: json)
        #expect {
            try TikTokVideo.normalize(document, observedAt: now)
        } throws: { error in
            guard let error = error as? RecordError else { return false }
            return error.field == field && error.reason.hasPrefix(reason)
        }
    }

    /// Regression: the person-id check refused every film the seeds credit to person 0 (263 of
    /// 3,000 demo movies rejected, 26 of these 300); only the seeds' deliberate defects may be refused.
    @Test func everySeedMovieNormalizesButTheDeliberateDefects() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("seeds-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try SeedGenerator(seed: 42, scale: 0.1).write(to: folder)
        let lines = try String(contentsOfFile: folder + "/tmdb_movies.jsonl", encoding: .utf8).split(separator: "\n")
        var refused: [String: Int] = [:]
        for line in lines {
            do {
                _ = try TMDBMovie.normalize(try Document(extendedJSON: String(line)), key: nil)
            } catch let error as RecordError {
                refused["\(error.field): \(error.reason)", default: 0] += 1
            }
        }
        #expect(lines.count == 300)
        #expect(refused.keys.sorted() == ["budget: negative count -5000000"])
        #expect((refused.values.first ?? 0) < 5)
    }

    @Test func personIDsAreWholeNumbersFromZeroAndABadOneIsShown() throws {
        let movie: Document = ["id": 7, "title": "T", "credits": ["crew": [["id": 0, "job": "Director"]]]]
        #expect(try TMDBMovie.normalize(movie, key: nil).document[path: "credits.crew.0.id"] == .int64(0))
        let negative: Document = ["id": 7, "title": "T", "credits": ["crew": [["id": -4, "job": "Director"]]]]
        #expect(throws: RecordError(field: "credits.crew.0.id", reason: "expected a whole TMDB person id (0 or more), found -4")) {
            _ = try TMDBMovie.normalize(negative, key: nil)
        }
    }

    @Test func tmdbShapesAndChecks() throws {
        let details = try Document(
            extendedJSON:
                "{\"id\": 550, \"title\": \"Fight Club\", \"budget\": 63000000, \"release_date\": \"1999-10-15\", \"genres\": [{\"id\": 18, \"name\": \"Drama\"}]}"
        )
        let record = try TMDBMovie.normalize(details, key: nil)
        #expect(record.key == .int64(550))
        #expect(record.document["title"] == "Fight Club")
        let wrapped = try Document(
            extendedJSON: "{\"title\": \"x\", \"details\": {\"title\": \"Fight Club\"}, \"reviews\": {\"results\": []}}")
        #expect(try TMDBMovie.normalize(wrapped, key: "550").key == .int64(550))
        #expect(throws: RecordError(field: "budget", reason: "negative count -1")) {
            try TMDBMovie.normalize(try Document(extendedJSON: "{\"id\": 1, \"title\": \"t\", \"budget\": -1}"), key: nil)
        }
        #expect(throws: RecordError(field: "genres", reason: "expected a list, found long")) {
            try TMDBMovie.normalize(
                try Document(extendedJSON: "{\"id\": 1, \"title\": \"t\", \"genres\": {\"$numberLong\": \"18\"}}"), key: nil)
        }
        #expect(throws: RecordError(field: "title", reason: "required, missing")) {
            try TMDBMovie.normalize(try Document(extendedJSON: "{\"id\": 1}"), key: nil)
        }
    }

    @Test func videoColumnsAreFoundByName() throws {
        let mapping = try VideoColumnMapping(header: [
            "Video ID", "Video View Count", "like_count", "Comments", "shares_count", "Upload Date", "Channel", "Tags", "Length (sec)",
        ])
        #expect(mapping.columns[.views] == 1)
        #expect(mapping.columns[.likes] == 2)
        #expect(mapping.columns[.publishedAt] == 5)
        #expect(mapping.columns[.creator] == 6)
        #expect(mapping.columns[.hashtags] == 7)
        #expect(mapping.columns[.duration] == 8)
        let overridden = try VideoColumnMapping(header: ["a", "plays_total"], overrides: ["views": "plays_total", "video_id": "a"])
        #expect(overridden.columns[.views] == 1 && overridden.columns[.videoID] == 0)
        #expect(throws: CollectError.self) { try VideoColumnMapping(header: ["a", "b"]) }
        #expect(throws: CollectError.self) { try VideoColumnMapping(header: ["views"], overrides: ["views": "nope"]) }
    }

    /// The columns of real exports that exact names missed (issue 16): Kaggle's TikTok dataset,
    /// YouTube trending, TikTok-Api items flattened by a notebook.
    @Test func videoColumnsAreFoundByPatternWithTheirConfidence() throws {
        let tiktok = try VideoColumnMapping(header: [
            "#", "claim_status", "video_id", "video_duration_sec", "video_transcription_text", "verified_status", "author_ban_status",
            "video_view_count", "video_like_count", "video_share_count", "video_download_count", "video_comment_count",
        ])
        let found = Dictionary(uniqueKeysWithValues: tiktok.columns.map { ($0.key, tiktok.header[$0.value]) })
        #expect(found[.videoID] == "video_id" && tiktok.matches[.videoID] == .exact)
        #expect(found[.views] == "video_view_count" && tiktok.matches[.views] == .exact)
        #expect(found[.likes] == "video_like_count" && tiktok.matches[.likes] == .pattern)
        #expect(found[.shares] == "video_share_count" && found[.comments] == "video_comment_count")
        #expect(found[.duration] == "video_duration_sec" && tiktok.durationUnit == 1)
        #expect(Set(found.keys) == [.videoID, .views, .likes, .shares, .comments, .duration], "\(found)")
        #expect(tiktok.description.contains("video_like_count (pattern)"))

        let youtube = try VideoColumnMapping(header: [
            "video_id", "trending_date", "title", "channel_title", "category_id", "publish_time", "tags", "views", "likes", "dislikes",
            "comment_count", "thumbnail_link", "comments_disabled", "ratings_disabled", "video_error_or_removed", "description",
        ])
        #expect(youtube.columns[.category] == 4 && youtube.matches[.category] == .pattern)
        #expect(youtube.columns[.observedAt] == 1 && youtube.columns[.publishedAt] == 5)
        #expect(youtube.columns[.likes] == 8 && youtube.columns[.comments] == 10 && youtube.columns[.creator] == 3)

        let flattened = try VideoColumnMapping(header: [
            "id", "desc", "createTime", "video_duration", "author_id", "author_uniqueId", "stats_diggCount", "stats_shareCount",
            "stats_commentCount", "stats_playCount", "authorStats_heartCount",
        ])
        #expect(flattened.columns[.views] == 9 && flattened.columns[.likes] == 6 && flattened.columns[.creator] == 4)

        // Units: milliseconds become seconds.
        let milliseconds = try VideoColumnMapping(header: ["views", "videoDurationMs"])
        #expect(milliseconds.durationUnit == 0.001)
        let path = try temporaryFile("views,videoDurationMs\n10,15000\n", suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let item = try #require(try FileInput.videos(path, mapping: milliseconds, platform: "tiktok").next())
        #expect(try item.outcome.get().document["duration_s"] == .double(15))

        // Two columns that match equally well are reported, not guessed; --map settles it.
        let twice = try VideoColumnMapping(header: ["views", "video_shares", "post_shares"])
        #expect(twice.columns[.shares] == nil && twice.ambiguous[.shares] == ["video_shares", "post_shares"])
        #expect(twice.description.contains("--map shares=COLUMN"))
        #expect(
            try VideoColumnMapping(header: ["views", "video_shares", "post_shares"], overrides: ["shares": "post_shares"]).columns[.shares]
                == 2)
        #expect {
            try VideoColumnMapping(header: ["video_plays", "post_plays"])
        } throws: { error in
            "\(error)".contains("video_plays and post_plays match it equally well")
        }
    }

    @Test func hashtagsAndDatesInTheirCommonSpellings() {
        #expect(HashtagParser.parse("['Dance', 'fyp']") == ["dance", "fyp"])
        #expect(HashtagParser.parse("dance, fyp") == ["dance", "fyp"])
        #expect(HashtagParser.parse("dance|fyp") == ["dance", "fyp"])
        #expect(HashtagParser.parse("new #Dance and #fyp!") == ["dance", "fyp"])
        #expect(HashtagParser.parse("[{'id': '1', 'title': 'fitness', 'desc': ''}]") == ["fitness"])
        // Regression (issue 16): a single quoted tag with a space was split into two hashtags.
        #expect(HashtagParser.parse("\"music video\"") == ["music video"])
        #expect(HashtagParser.parse("['funny cats', 'dogs']") == ["funny cats", "dogs"])
        #expect(
            HashtagParser.parse("SHANtell martin|\"Ryan Higa\"|\"hell's kitchen\"") == ["shantell martin", "ryan higa", "hell's kitchen"])
        #expect(HashtagParser.parse("don't|stop") == ["don't", "stop"])
        #expect(HashtagParser.parse("dance fyp") == ["dance", "fyp"])
    }
}
