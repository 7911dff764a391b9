import ArgumentParser
import EngageML
import Foundation
import MongoKit

/// Insert, read back and aggregate the TikTok-shaped documents of `ingest_peer.py`, timing client CPU.
struct StoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "insertMany / find / aggregate of TikTok-shaped documents; client CPU per phase as JSON.")

    @Option(help: "MongoDB URI of a fresh server.") var uri: String
    @Option(help: "JSON Lines file of documents (the peer's make_docs).") var documents: String
    @Option(help: "Documents per insertMany, as the peer's --batch.") var batch = 1_000
    @Option(help: "Where to write the JSON result.") var out: String

    func run() async throws {
        let lines = try String(contentsOfFile: documents, encoding: .utf8).split(separator: "\n")
        let docs = try lines.map { try Document(extendedJSON: String($0)) }
        let expectedRateSum = docs.reduce(0.0) { sum, doc in
            let play = doc[path: "stats.playCount"]?.doubleValue ?? 0
            guard play > 0 else { return sum }
            let engaged = ["diggCount", "commentCount", "shareCount"].reduce(0.0) { $0 + (doc[path: "stats.\($1)"]?.doubleValue ?? 0) }
            return sum + engaged / play
        }
        let pipeline: [Document] = [
            [
                "$addFields": [
                    "engagement_rate": [
                        "$cond": [
                            ["$gt": ["$stats.playCount", 0]],
                            ["$divide": [["$add": ["$stats.diggCount", "$stats.commentCount", "$stats.shareCount"]], "$stats.playCount"]],
                            0,
                        ]
                    ]
                ]
            ],
            ["$project": ["_id": 0, "id": 1, "author": "$author.uniqueId", "engagement_rate": 1]],
        ]

        let configuration = try MongoConfiguration(uri: uri, serverSelectionTimeout: .seconds(30))
        let phases = try await MongoClient.withClient(configuration) { client in
            let collection = client.database("engage_bench").collection("tiktok_raw")
            try await collection.drop()
            var phases: [String: Phase] = [:]

            phases["insert"] = try await Phase.measure {
                for start in stride(from: 0, to: docs.count, by: batch) {
                    try await collection.insertMany(Array(docs[start..<min(start + batch, docs.count)]))
                }
            }
            let count = try await collection.countDocuments()
            guard count == docs.count else { throw BenchmarkError("count \(count) != \(docs.count)") }

            var readBack: [Document] = []
            phases["find"] = try await Phase.measure { readBack = try await collection.find() }
            guard readBack.count == docs.count else { throw BenchmarkError("find returned \(readBack.count)") }
            readBack = []
            releaseFreedMemory()

            var rows: [Document] = []
            phases["aggregate"] = try await Phase.measure { rows = try await collection.aggregate(pipeline) }
            let rateSum = rows.reduce(0.0) { $0 + ($1["engagement_rate"]?.doubleValue ?? 0) }
            guard rows.count == docs.count, abs(rateSum - expectedRateSum) < 1e-6 * max(1, expectedRateSum) else {
                throw BenchmarkError("aggregate returned \(rows.count) rows, rate sum \(rateSum) vs \(expectedRateSum)")
            }
            return phases
        }
        let result = StoreResult(documents: docs.count, batch: batch, phases: phases)
        try JSONCoding.readableEncoder().encode(result).write(to: URL(fileURLWithPath: out))
        for (name, phase) in phases.sorted(by: { $0.key < $1.key }) {
            FileHandle.standardError.write(
                Data(
                    String(format: "%@: wall %.2f s, client CPU %.3f s\n", name, phase.wallSeconds, phase.clientCPUSeconds).utf8))
        }
    }
}

/// Finishes freeing what the last phase dropped, as the peer's `del` and `gc.collect()` do before
/// each phase. glibc keeps freed small chunks in its per-thread arenas' fast bins and merges them
/// at a later large allocation from that arena, so the next phase would pay for the last one's
/// garbage. (`malloc_trim` is looked up at run time: Swift's Glibc module omits `malloc.h`.)
private func releaseFreedMemory() {
    typealias MallocTrim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
}

struct StoreResult: Codable {
    var documents: Int
    var batch: Int
    var phases: [String: Phase]
}
