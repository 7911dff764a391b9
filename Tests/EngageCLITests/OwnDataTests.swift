@testable import EngageCLI
import EngageTestSupport
import Features
import Foundation
import MongoKit
import SeedData
import ArgumentParser
import Testing

/// The README's "Your own data" commands, run as a user types them, on a video export whose
/// column names the tool has never seen (issue 16): collect, build, train, predict new posts, with
/// the built-in set and with a set of the user's own that `features init` proposed.
@Suite struct OwnDataTests {
    @Test func anUnfamiliarExportGoesFromCollectToPredictions() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("own-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try SeedGenerator(seed: 3, scale: 0.12).write(to: folder)
        // The seed export under other names: patterns, not exact names, must find most of them.
        let seeded = try String(contentsOfFile: "\(folder)/videos_export.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
            .dropFirst()
        let header = [
            "post_id", "network", "uploader", "caption", "video_view_count", "video_like_count", "video_comment_count",
            "video_share_count", "video_duration_sec", "publish_time", "content_category", "country_code", "hashtags",
        ]
        let rows = Array(seeded)
        try ([header.joined(separator: ",")] + rows.dropLast(20).map(String.init)).joined(separator: "\n")
            .write(toFile: "\(folder)/export.csv", atomically: true, encoding: .utf8)
        // New posts: no counts yet.
        let newPosts = rows.suffix(20).map { line -> String in
            // The seed rows quote their titles and hold no other commas outside quotes but the separators.
            var fields: [String] = []
            var current = ""
            var quoted = false
            for character in line {
                if character == "\"" { quoted.toggle() }
                if character == "," && !quoted {
                    fields.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            fields.append(current)
            return ([fields[0], fields[1], fields[2], fields[3]] + fields[8...12]).joined(separator: ",")
        }
        let newHeader = "post_id,network,uploader,caption,video_duration_sec,publish_time,content_category,country_code,hashtags"
        try ([newHeader] + newPosts).joined(separator: "\n").write(toFile: "\(folder)/new.csv", atomically: true, encoding: .utf8)

        try await withTestDatabase { database in
            func engage(_ arguments: [String]) async throws { try await runEngage(arguments, on: database) }
            try await engage(["collect", "videos", "--from", "\(folder)/export.csv", "--json"])
            let stored = try await database.collection("raw_videos").countDocuments()
            #expect(stored > 400)
            let liked = try await database.collection("raw_videos").countDocuments(["likes": ["$gte": 0], "duration_s": ["$gt": 0]])
            #expect(liked == stored, "video_like_count and video_duration_sec were found by pattern")
            try await engage(["features", "build", "video_virality", "--json"])
            try await engage([
                "train", "--task", "video_virality", "--algorithm", "tree", "--param", "max_depth=4", "--models", "\(folder)/models",
            ])
            try await engage([
                "predict", "video_virality", "--from", "\(folder)/new.csv", "--out", "\(folder)/scores.csv", "--models",
                "\(folder)/models", "--json",
            ])
            let scores = try String(contentsOfFile: "\(folder)/scores.csv", encoding: .utf8).split(separator: "\r\n")
            #expect(scores.first == "record,id,label,probability,p_0,p_1")
            #expect(scores.count == 21, "every new post is scored")
            let probabilities = scores.dropFirst().compactMap { Double($0.split(separator: ",")[3]) }
            #expect(probabilities.count == 20 && probabilities.allSatisfy { $0 >= 0.5 && $0 <= 1 })

            // The fifth command: a feature set of the user's own, proposed from the collection's profile.
            let file = "\(folder)/features/my_videos.yaml"
            try await engage(["features", "init", "--collection", "raw_videos", "--label", "views", "--out", file, "--json"])
            var check = try Engage.parseAsRoot(["features", "check", file])
            try check.run()
            let proposed = try FeatureSetFile.load(path: file)
            #expect(proposed.name == "my_videos" && proposed.task == .regression && proposed.timeField == "published_at")
            #expect(["views", "likes", "comments", "shares"].allSatisfy(proposed.outcomeFields.contains))
            #expect(proposed.featureNames.contains("category_music") && proposed.featureNames.contains("title_length"))
            #expect(proposed.historyNames == ["creator_prior_median_log_views", "creator_prior_rows"])
            try await engage(["features", "build", file, "--json"])
            try await engage(["features", "verify", file, "--json"])
            try await engage(["train", "--task", file, "--algorithm", "tree", "--param", "max_depth=4", "--models", "\(folder)/models"])
            func predictViews(_ out: String) async throws -> [String] {
                try await engage([
                    "predict", "my_videos", "--from", "\(folder)/new.csv", "--out", out, "--models", "\(folder)/models", "--json",
                ])
                return try String(contentsOfFile: out, encoding: .utf8).split(separator: "\r\n").map(String.init)
            }
            let views = try await predictViews("\(folder)/views.csv")
            #expect(views.first == "record,id,value" && views.count == 21)
            #expect(views.dropFirst().allSatisfy { ($0.split(separator: ",").last.flatMap { Double($0) } ?? -1) > 0 })
            // The model keeps the definition it learned from: editing the file afterwards cannot skew it.
            try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "title_length: {string_length: title}", with: "")
                .write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try await predictViews("\(folder)/views-after-edit.csv") == views)
        }
    }
}
