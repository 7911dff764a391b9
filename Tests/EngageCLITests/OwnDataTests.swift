@testable import EngageCLI
import EngageTestSupport
import Foundation
import MongoKit
import SeedData
import ArgumentParser
import Testing

/// The README's "Your own data" commands, run as a user types them, on a video export whose
/// column names the tool has never seen (issue 16): collect, build, train, predict new posts.
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
            func engage(_ arguments: [String]) async throws {
                var command = try Engage.parseAsRoot(arguments + ["--database", database.name])
                if var asynchronous = command as? AsyncParsableCommand {
                    try await asynchronous.run()
                } else {
                    try command.run()
                }
            }
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
        }
    }
}
