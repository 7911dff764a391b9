import Collectors
import EngageTestSupport
import Foundation
import MongoKit
import SourceSchemas
import Testing

/// Files and failures that used to lose or bend data (issue 15, items 1, 7, 8, 13 and interrupted
/// runs), against the real database: each bad record is rejected by name and counted, the records
/// around it are kept, and a step that failed half-way runs again to completion.
@Suite(.serialized) struct HostileInputTests {
    private func ingest(
        _ path: String, into database: MongoDatabase, kind: FileInput.Kind = .tiktok, runID: String = ObjectId().description
    ) async throws -> IngestSummary {
        let input = try FileInput.open(path, kind: kind)
        let collection = kind == .tiktok ? TikTokVideo.collection : TMDBMovie.collection
        let ingestor = Ingestor(
            database: database, collection: collection, snapshotCollection: kind == .tiktok ? TikTokVideo.statsCollection : nil,
            source: "file:test", runID: runID)
        return try await ingestor.run { try input.next() }
    }

    static func item(_ id: Int, views: Int = 100, description: String = "clip") -> String {
        "{\"id\": \"\(id)\", \"createTime\": 1690000000, \"desc\": \"\(description)\", \"stats\": {\"playCount\": \(views)}}"
    }

    @Test func anOversizedRecordIsRejectedAndTheRestAreStored() async throws {
        let huge = String(repeating: "x", count: 17 * 1024 * 1024)
        let path = try temporaryFile(
            [Self.item(1, description: huge), Self.item(2), Self.item(3)].joined(separator: "\n"), suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestDatabase { database in
            let summary = try await ingest(path, into: database)
            #expect(summary.read == 3 && summary.inserted == 2 && summary.rejected == 1)
            let reject = try #require(try await database.collection("rejects").findOne())
            // Stored record numbers count from 1, as the console prints them.
            #expect(reject["record"] == .int64(1) && reject["field"] == "(record)")
            #expect(reject["reason"]?.stringValue?.contains("16 MiB") == true)
            #expect(try await database.collection(TikTokVideo.collection).countDocuments() == 2)
            let run = try #require(try await database.collection("ingest_runs").findOne())
            #expect(run[path: "counts.inserted"] == .int64(2) && run["status"] == "completed")
        }
    }

    @Test func aRunStoppedBetweenSnapshotAndRawDocumentCompletesOnTheNextRun() async throws {
        let path = try temporaryFile((1...5).map { Self.item($0) }.joined(separator: "\n"), suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withProxiedTestDatabase { database, proxy in
            proxy.refuse(containing: TikTokVideo.statsCollection)
            await #expect(throws: (any Error).self) { _ = try await ingest(path, into: database) }
            proxy.refuse(containing: "\u{0}nothing\u{0}")
            let again = try await ingest(path, into: database)
            #expect(again.inserted + again.updated == 5, "\(again)")
            #expect(try await database.collection(TikTokVideo.collection).countDocuments() == 5)
            #expect(try await database.collection(TikTokVideo.statsCollection).countDocuments() == 5)
        }
    }

    @Test func aKilledRunIsMarkedInterruptedByTheNext() async throws {
        let path = try temporaryFile(Self.item(1), suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        try await withTestDatabase { database in
            try await database.collection("ingest_runs").insertMany([
                [
                    "_id": "killed", "status": "running", "host": .string(ProcessInfo.processInfo.hostName),
                    "pid": .int64(Int64(gone.processIdentifier)), "started_at": .date(Date()),
                ]
            ])
            _ = try await ingest(path, into: database)
            let killed = try #require(try await database.collection("ingest_runs").findOne(["_id": "killed"]))
            #expect(killed["status"] == "interrupted")
        }
    }

    @Test func keysThatReadAsOperatorsAreRejectedByPath() async throws {
        let lines = [
            Self.item(1),
            "{\"id\": \"2\", \"createTime\": 1690000000, \"stats\": {\"playCount\": 5, \"$where\": \"sleep(1)\"}}",
            "{\"id\": \"3\", \"createTime\": 1690000000, \"stats\": {\"playCount\": 5}, \"challenges\": [{\"$gt\": 1}]}",
        ]
        let path = try temporaryFile(lines.joined(separator: "\n"), suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestDatabase { database in
            let summary = try await ingest(path, into: database)
            #expect(summary.inserted == 1 && summary.rejected == 2)
            let fields = try await database.collection("rejects").find([:], options: FindOptions(sort: ["record": 1])).compactMap {
                $0["field"]?.stringValue
            }
            #expect(fields == ["stats.$where", "challenges.0.$gt"])
        }
    }

    @Test func aTMDBCellThatIsNotOneJSONListIsRejected() async throws {
        let csv = """
            id,title,budget,revenue,genres,release_date
            1,Good,10,20,"[{""id"": 18, ""name"": ""Drama""}]",2001-01-01
            2,Bad,10,20,"[]} , {""a"": 1",2001-01-01
            """
        let path = try temporaryFile(csv, suffix: ".csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestDatabase { database in
            let summary = try await ingest(path, into: database, kind: .tmdb)
            #expect(summary.inserted == 1 && summary.rejected == 1)
            let reject = try #require(try await database.collection("rejects").findOne())
            #expect(reject["field"] == "genres" && reject["record"] == .int64(2))
            // Regression: every CSV reject said byte 0; it is where the row's line starts.
            let badRow = csv.components(separatedBy: "\n")[2]
            #expect(reject["offset"] == .int64(Int64(csv.utf8.count - badRow.utf8.count)) && reject["line"] == .int64(3))
        }
    }

    @Test func invalidUTF8InAVideosCSVIsRejectedNamingTheColumn() async throws {
        var bytes = Array("video_id,title,views\nv1,Gaming,10\nv2,Gam".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("ing,20\nv3,Music,30\n".utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("utf8-\(UUID()).csv").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withTestDatabase { database in
            let mapping = try VideoColumnMapping(header: try FileInput.csvHeader(path))
            let input = try FileInput.videos(path, mapping: mapping, platform: "youtube")
            let summary = try await Ingestor(database: database, collection: "raw_videos", source: "file:test").run { try input.next() }
            #expect(summary.inserted == 2 && summary.rejected == 1)
            let reject = try #require(try await database.collection("rejects").findOne())
            #expect(reject["field"] == "title" && reject["reason"]?.stringValue?.contains("UTF-8") == true)
        }
    }
}
