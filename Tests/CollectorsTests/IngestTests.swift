import Collectors
import EngageTestSupport
import Foundation
import MongoKit
import SourceSchemas
import Testing

/// Ingest against the real database: counts add up, re-runs change nothing, rejects are kept
/// with their field, interrupted runs complete without duplicates, stats changes append snapshots.
@Suite struct IngestTests {
    static let tiktokFile = """
        [{"id": "1", "createTime": 1690000000, "stats": {"playCount": 10, "diggCount": 1}},
         {"id": "2", "createTime": 1690000100, "stats": {"playCount": -3}},
         {"id": "3", "createTime": 1690000200, "stats": {"playCount": 30, "shareCount": "many"}},
         {"id": "4", "createTime": 1690000300, "stats": {"playCount": 40}},
         {"id": "5", "createTime": 1690000400, "stats": {"playCount": 50}, "desc": "cut off
        """

    private func ingest(_ path: String, into database: MongoDatabase, observedAt: Date = Date(), stopAfter: Int? = nil) async throws
        -> IngestSummary
    {
        let input = try FileInput.open(path, kind: .tiktok, observedAt: observedAt)
        let ingestor = Ingestor(
            database: database, collection: "raw_tiktok_videos", snapshotCollection: "tiktok_stats",
            source: "tiktok-file:test", fetchedAt: observedAt)
        var served = 0
        return try await ingestor.run {
            if let stopAfter, served == stopAfter { throw CancellationError() }
            served += 1
            return try input.next()
        }
    }

    @Test func countsAddUpRejectsAreKeptAndRerunsChangeNothing() async throws {
        let path = try temporaryFile(Self.tiktokFile, suffix: ".json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestDatabase { database in
            let first = try await ingest(path, into: database)
            #expect(first.read == 5)
            #expect(first.inserted == 2 && first.rejected == 3)
            #expect(first.read == first.inserted + first.updated + first.unchanged + first.rejected)
            let rejects = try await database.collection("rejects").find([:], options: FindOptions(sort: ["record": 1]))
            #expect(rejects.map { $0["field"] } == [.string("stats.playCount"), .string("stats.shareCount"), .string("(record)")])
            #expect(rejects[0]["reason"] == "negative count -3")
            #expect(rejects[0]["line"] == .int64(2))
            #expect(rejects[2]["reason"] == "truncated JSON: the file ends inside this record")

            let second = try await ingest(path, into: database)
            #expect(second.inserted == 0 && second.updated == 0 && second.unchanged == 2 && second.rejected == 3)
            #expect(try await database.collection("raw_tiktok_videos").countDocuments() == 2)
            #expect(try await database.collection("rejects").countDocuments() == 3)
            #expect(try await database.collection("tiktok_stats").countDocuments() == 2)
            let runs = try await database.collection("ingest_runs").find(["status": "completed"])
            #expect(runs.count == 2)
            #expect(runs.first?[path: "counts.read"] == .int64(5))
        }
    }

    @Test func changedStatsUpdateAndAppendASnapshot() async throws {
        let before = try temporaryFile("{\"id\": \"9\", \"createTime\": 1690000000, \"stats\": {\"playCount\": 100}}", suffix: ".jsonl")
        let after = try temporaryFile("{\"id\": \"9\", \"createTime\": 1690000000, \"stats\": {\"playCount\": 250}}", suffix: ".jsonl")
        defer { for path in [before, after] { try? FileManager.default.removeItem(atPath: path) } }
        try await withTestDatabase { database in
            _ = try await ingest(before, into: database, observedAt: Date(timeIntervalSince1970: 1_700_000_000))
            let summary = try await ingest(after, into: database, observedAt: Date(timeIntervalSince1970: 1_700_086_400))
            #expect(summary.updated == 1 && summary.snapshots == 1)
            let history = try await database.collection("tiktok_stats").find(
                ["video_id": "9"], options: FindOptions(sort: ["observed_at": 1]))
            #expect(history.map { $0[path: "stats.views"] } == [.int64(100), .int64(250)])
            #expect(try await database.collection("raw_tiktok_videos").findOne()?[path: "stats.views"] == .int64(250))
            // Loading the older crawl again keeps the newer stats.
            let stale = try await ingest(before, into: database, observedAt: Date(timeIntervalSince1970: 1_700_172_800))
            #expect(stale.unchanged == 1 && stale.updated == 0 && stale.snapshots == 0)
            #expect(try await database.collection("raw_tiktok_videos").findOne()?[path: "stats.views"] == .int64(250))
        }
    }

    @Test func anInterruptedRunCompletesWithoutDuplicates() async throws {
        let lines = (0..<40).map { "{\"id\": \"\($0 + 100)\", \"createTime\": 1690000000, \"stats\": {\"playCount\": \($0)}}" }
        let path = try temporaryFile(lines.joined(separator: "\n") + "\n", suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestDatabase { database in
            await #expect(throws: CancellationError.self) { _ = try await ingest(path, into: database, stopAfter: 25) }
            let failed = try await database.collection("ingest_runs").findOne(["status": "failed"])
            #expect(failed != nil)
            let resumed = try await ingest(path, into: database)
            #expect(resumed.read == 40)
            #expect(resumed.inserted + resumed.unchanged == 40)
            #expect(try await database.collection("raw_tiktok_videos").countDocuments() == 40)
        }
    }

    @Test func videosCSVWithMessyCells() async throws {
        let csv =
            "\u{FEFF}Video ID,Video View Count,like_count,Upload Date,Tags,Notes\r\n"
            + "a1,\"1,200\",30,2024-03-01,\"['x', 'y']\",\"multi\nline\"\r\n"
            + "a2,#N/A,5,1709251200,x|y,\r\n"
            + "a3,-4,1,03/02/2024,,\r\n"
            + "a4,99,,1709251200000,#z,last"
        let path = try temporaryFile(csv, suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestDatabase { database in
            let mapping = try VideoColumnMapping(header: try FileInput.csvHeader(path))
            let input = try FileInput.videos(path, mapping: mapping, platform: "YouTube")
            let summary = try await Ingestor(database: database, collection: "raw_videos", source: "videos-file:test").run(next: input.next)
            #expect(summary.read == 4 && summary.inserted == 2 && summary.rejected == 2)
            let stored = try await database.collection("raw_videos").find([:], options: FindOptions(sort: ["_id": 1]))
            #expect(stored.map { $0["_id"] } == [.string("youtube:a1"), .string("youtube:a4")])
            #expect(stored[0]["views"] == .int64(1200))
            #expect(stored[0]["hashtags"] == .array(["x", "y"]))
            #expect(stored[1]["published_at"] == .datetime(BSONDateTime(millisecondsSinceEpoch: 1_709_251_200_000)))
            #expect(stored[0][path: "raw.Notes"] == "multi\nline")
            let reasons = try await database.collection("rejects").find([:], options: FindOptions(sort: ["record": 1])).map { $0["reason"] }
            #expect(reasons == [.string("required, missing"), .string("negative count -4")])
        }
    }

    /// A trending export lists a video once a day (issue 16): the newest day's stats are kept
    /// whatever the row order, every day is a snapshot in `video_stats`, and re-reading the file
    /// writes nothing.
    @Test func repeatedRowsOfOneVideoAreSnapshotsAndTheNewestWins() async throws {
        var rows: [String] = []
        for day in (1...4).reversed() {  // newest first, as exports often are
            for video in ["a", "b", "c"] { rows.append("\(video),2024-03-0\(day),Title \(video),\(day * 100),\(day * 10)") }
        }
        let path = try temporaryFile((["video_id,trending_date,title,views,likes"] + rows).joined(separator: "\n"), suffix: ".csv")
        // Without an observed-at column, the counts order the rows.
        let undated = try temporaryFile("id,views\nz,50\nz,70\nz,60\n", suffix: ".csv")
        defer { for file in [path, undated] { try? FileManager.default.removeItem(atPath: file) } }
        try await withTestDatabase { database in
            func collect(_ file: String) async throws -> IngestSummary {
                let input = try FileInput.videos(
                    file, mapping: try VideoColumnMapping(header: try FileInput.csvHeader(file)), platform: "youtube")
                return try await Ingestor(
                    database: database, collection: "raw_videos", snapshotCollection: VideoColumnMapping.snapshotCollection,
                    source: "videos-file:test"
                ).run(next: input.next)
            }
            let first = try await collect(path)
            #expect(first.read == 12 && first.inserted == 3 && first.unchanged == 9 && first.snapshots == 12)
            let stored = try await database.collection("raw_videos").find([:], options: FindOptions(sort: ["_id": 1]))
            #expect(stored.map { $0["views"] } == [.int64(400), .int64(400), .int64(400)])
            #expect(stored[0]["observed_at"] == .datetime(BSONDateTime(millisecondsSinceEpoch: 1_709_510_400_000)))
            let days = try await database.collection("video_stats").find(
                ["video_id": "youtube:a"], options: FindOptions(sort: ["observed_at": 1]))
            #expect(days.map { $0[path: "stats.views"] } == [.int64(100), .int64(200), .int64(300), .int64(400)])

            let again = try await collect(path)
            #expect(again.inserted == 0 && again.updated == 0 && again.unchanged == 12 && again.snapshots == 0)
            #expect(try await database.collection("video_stats").countDocuments() == 12)

            let counted = try await collect(undated)
            #expect(counted.inserted == 1 && counted.updated + counted.unchanged == 2 && counted.snapshots == 3, "\(counted)")
            #expect(try await database.collection("raw_videos").findOne(["_id": "youtube:z"])?["views"] == .int64(70))
        }
    }
}
