@testable import EngageCLI
import ArgumentParser
import EngageTestSupport
import Foundation
import MongoKit
import SeedData
import Synchronization
import Testing

/// Every pipeline a whole build sends (collect, audience, features, insights on the seeds),
/// recorded as it is sent and checked against what a sharded MongoDB cluster refuses, with the
/// collections sharded as ``ShardPlan`` shards them. A pipeline change that would break on a
/// cluster fails here, on one machine.
@Suite struct ShardedClusterTests {
    /// Stages known to run on sharded collections (MongoDB 8), in any position but `$merge`/`$out`.
    static let stages: Set<String> = [
        "$match", "$project", "$set", "$addFields", "$unset", "$group", "$sort", "$limit", "$skip", "$unwind", "$lookup",
        "$unionWith", "$facet", "$setWindowFields", "$count", "$bucket", "$bucketAuto", "$sortByCount", "$replaceRoot",
        "$replaceWith", "$sample", "$redact", "$densify", "$fill", "$merge", "$out",
    ]
    /// Server-side JavaScript: disabled on many clusters (and Atlas tiers), never needed here.
    static let javaScript: Set<String> = ["$where", "$function", "$accumulator"]

    /// Pipelines sent, with the collection each ran on.
    final class Recorder: Sendable {
        let sent = Mutex<[(collection: String?, pipeline: [Document])]>([])
    }

    /// What a cluster would refuse in `pipeline`, run on `collection`.
    static func problems(_ pipeline: [Document], on collection: String?, plan: ShardPlan, topLevel: Bool = true) -> [String] {
        var problems: [String] = []
        let place = collection ?? "(database)"
        for (index, stage) in pipeline.enumerated() {
            guard let name = stage.keys.first, stage.count == 1 else {
                problems.append("\(place): a stage must have exactly one key: \(stage.keys)")
                continue
            }
            if !stages.contains(name) { problems.append("\(place): \(name) is not a stage known to run on a sharded cluster") }
            if containsKey(in: .document(stage), javaScript) { problems.append("\(place): \(name) uses server-side JavaScript") }
            let last = index == pipeline.count - 1
            switch (name, stage[name]) {
            case ("$out", let target?):
                let into = target.stringValue ?? target.documentValue?["coll"]?.stringValue ?? "?"
                if !topLevel || !last { problems.append("\(place): $out must be the last stage of the outer pipeline") }
                if plan.key(of: into) != nil { problems.append("\(place): $out into \(into), which the plan shards: $out cannot") }
                if !plan.names.contains(into) { problems.append("\(place): $out into \(into), which the plan does not name") }
            case ("$merge", .document(let merge)?):
                let into = merge["into"]?.stringValue ?? merge["into"]?.documentValue?["coll"]?.stringValue ?? "?"
                let on: [String] =
                    merge["on"].map { value in value.stringValue.map { [$0] } ?? (value.arrayValue ?? []).compactMap(\.stringValue) }
                    ?? ["_id"]
                if !topLevel || !last { problems.append("\(place): $merge must be the last stage of the outer pipeline") }
                if let key = plan.key(of: into) {
                    if let missing = key.keys.first(where: { !on.contains($0) }) {
                        problems.append("\(place): $merge into sharded \(into) on \(on) lacks the shard key field \(missing)")
                    }
                } else if on != ["_id"] {
                    problems.append("\(place): $merge into unsharded \(into) on \(on): only _id is known to be unique")
                }
                if !plan.names.contains(into) { problems.append("\(place): $merge into \(into), which the plan does not name") }
            case ("$facet", .document(let facets)?):
                for (_, value) in facets {
                    let inner = (value.arrayValue ?? []).compactMap(\.documentValue)
                    problems += Self.problems(inner, on: collection, plan: plan, topLevel: false)
                }
            case ("$lookup", .document(let lookup)?), ("$unionWith", .document(let lookup)?):
                let inner = (lookup["pipeline"]?.arrayValue ?? []).compactMap(\.documentValue)
                let from = lookup["from"]?.stringValue ?? lookup["coll"]?.stringValue
                problems += Self.problems(inner, on: from, plan: plan, topLevel: false)
            default: break
            }
        }
        return problems
    }

    static func containsKey(in value: BSONValue, _ keys: Set<String>) -> Bool {
        switch value {
        case .document(let document): document.contains { keys.contains($0.key) || containsKey(in: $0.value, keys) }
        case .array(let items): items.contains { containsKey(in: $0, keys) }
        default: false
        }
    }

    @Test func theRulesRefuseWhatAClusterWould() {
        let plan = ShardPlan.engage()
        #expect(
            Self.problems([["$match": ["a": 1]], ["$merge": ["into": "features_tmdb_hit", "on": "_id"]]], on: "x", plan: plan).isEmpty)
        #expect(!Self.problems([["$out": "features_tmdb_hit"]], on: "x", plan: plan).isEmpty, "$out into a sharded collection")
        #expect(!Self.problems([["$merge": ["into": "features_tmdb_hit", "on": "tmdb_id"]]], on: "x", plan: plan).isEmpty)
        #expect(!Self.problems([["$facet": ["a": [["$out": "audience_daily"]]]]], on: "x", plan: plan).isEmpty)
        #expect(!Self.problems([["$match": ["$where": "this.a > 1"]]], on: "x", plan: plan).isEmpty)
        #expect(!Self.problems([["$out": "somewhere_new"]], on: "x", plan: plan).isEmpty, "a collection the plan does not name")
        #expect(!Self.problems([["$collStats": [:]]], on: "x", plan: plan).isEmpty)
    }

    @Test func everyPipelineOfAWholeBuildRunsOnACluster() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shard-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try SeedGenerator(seed: 5, scale: 0.05).write(to: folder)
        let recorder = Recorder()
        let plan = ShardPlan.engage()
        try await withTestDatabase { database in
            func engage(_ arguments: [String]) async throws { try await runEngage(arguments, on: database) }
            try await PipelineObserver.$observe.withValue({ collection, pipeline in
                recorder.sent.withLock { $0.append((collection, pipeline)) }
            }) {
                for arguments in [
                    ["collect", "tmdb", "--from", "\(folder)/tmdb_movies.jsonl"],
                    ["collect", "tiktok", "--from", "\(folder)/tiktok_items.jsonl", "--observed-at", "2026-11-01T00:00:00Z"],
                    ["collect", "videos", "--from", "\(folder)/videos_export.csv"],
                    ["collect", "users", "--from", "\(folder)/users.csv"],
                    ["collect", "events", "--from", "\(folder)/events_sample.csv"],
                    ["audience", "build"], ["features", "build", "all"], ["insights", "build"],
                ] {
                    try await engage(arguments + ["--json"])
                }
            }
            let sent = recorder.sent.withLock { $0 }
            let writers = sent.filter { $0.pipeline.last?.keys.first.map { ["$merge", "$out"].contains($0) } == true }
            // Every feature set, the per-video insights and every audience collection are written by a pipeline.
            #expect(writers.count >= FeatureCatalogCount.sets + 1 + 6, "\(writers.count) writing pipelines")
            for (collection, pipeline) in sent {
                let found = Self.problems(pipeline, on: collection, plan: plan)
                #expect(found.isEmpty, "\(found.joined(separator: "; "))")
            }
            // The plan names every collection the build made, so none is left to chance on a cluster.
            let unnamed = try await database.collectionNames().filter { !plan.names.contains($0) }
            #expect(unnamed.isEmpty, "collections the shard plan does not name: \(unnamed)")
        }
    }
}

/// The number of feature sets a `features build all` builds.
enum FeatureCatalogCount {
    static var sets: Int { ShardPlan.engage().sharded.filter { $0.collection.hasPrefix("features_") }.count }
}
