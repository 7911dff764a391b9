import Collectors
import Features
import Insights
import MongoKit
import SourceSchemas

/// Which collections a sharded cluster spreads over its shards, by which key, and why; the rest
/// stay on the database's primary shard. `engage db shard` applies it through `mongos`, and a test
/// checks every pipeline a build runs against it (``ClusterRules``).
///
/// Every sharded collection is keyed by hashed `_id`:
/// - the collectors write by natural key (`_id` is the TikTok item id, the TMDB id, the export's
///   row key, the event's id or content hash), and an upsert into a sharded collection must name
///   its whole shard key in the filter, so the key must follow from the id alone;
/// - feature and insight rows are written by `$merge … on: "_id"`, which a sharded target allows
///   only when `on` holds the whole shard key;
/// - hashing spreads new ids (which grow with time) over every shard instead of one hot chunk.
///
/// An author's (or a director's) history needs their rows in time order, not on one shard: each
/// shard sorts its own rows by author and time in parallel, and the `$setWindowFields` stage runs
/// where the sorted streams merge. Keeping authors together (a range key on `author.id`) would put
/// every upsert's author in its filter and turn the largest creators into jumbo chunks on one shard.
struct ShardPlan: Sendable {
    /// A collection spread over the shards.
    struct Sharded: Sendable {
        var collection: String
        var key: Document
        var why: String
    }

    /// A collection left on the primary shard.
    struct Unsharded: Sendable {
        var collection: String
        var why: String
    }

    var sharded: [Sharded]
    var unsharded: [Unsharded]

    /// The plan for the collections engage writes, with every feature set `FeatureCatalog` knows.
    static func engage() -> ShardPlan {
        let hashedID: Document = ["_id": "hashed"]
        let raw = [TikTokVideo.collection, TMDBMovie.collection, "raw_videos", InteractionEvents.collection, UserProfiles.collection]
        var sharded = raw.map { Sharded(collection: $0, key: hashedID, why: "raw documents, upserted by their natural key") }
        sharded += [TikTokVideo.statsCollection, VideoColumnMapping.snapshotCollection].map {
            Sharded(collection: $0, key: hashedID, why: "stats snapshots, one per changed item and crawl: they grow with every crawl")
        }
        sharded += FeatureCatalog.allNames().compactMap { try? FeatureCatalog.resolve($0) }.map {
            Sharded(collection: $0.collection, key: hashedID, why: "feature rows, written by $merge on _id")
        }
        sharded.append(Sharded(collection: VideoRows.collection, key: hashedID, why: "one row per video, written by $merge on _id"))
        sharded.append(Sharded(collection: "predictions", key: hashedID, why: "the sampled prediction log grows with traffic"))
        let unsharded = [
            AudienceBuilder.collections.map {
                Unsharded(collection: $0, why: "rebuilt by $out, which cannot write a sharded collection; sized by users and days")
            },
            [
                Unsharded(collection: InsightsBuilder.summaries, why: "a handful of summary documents"),
                Unsharded(collection: "ingest_runs", why: "one document per collect run"),
                Unsharded(collection: "ingest_checkpoints", why: "one document per source"),
                Unsharded(collection: "rejects", why: "bad records, kept for their runs"),
                Unsharded(collection: "feature_builds", why: "one document per build"),
                Unsharded(collection: "models", why: "the registry: one document per model version"),
                Unsharded(collection: "model_aliases", why: "the registry's aliases"),
                Unsharded(collection: "model_artifacts.files", why: "GridFS: one file per model version"),
                Unsharded(collection: "model_artifacts.chunks", why: "GridFS: artifacts are kilobytes to a few megabytes"),
            ],
        ].flatMap { $0 }
        return ShardPlan(sharded: sharded, unsharded: unsharded)
    }

    /// Every collection the plan names, sharded or not.
    var names: Set<String> { Set(sharded.map(\.collection) + unsharded.map(\.collection)) }

    /// The shard key of `collection`, nil when it stays unsharded.
    func key(of collection: String) -> Document? {
        sharded.first { $0.collection == collection }?.key
    }

    /// The admin commands that apply the plan to database `name`: sharding enabled for it, then
    /// each collection sharded (both are no-ops when already done with the same key).
    func commands(database name: String) -> [Document] {
        [["enableSharding": .string(name)]]
            + sharded.map { ["shardCollection": .string("\(name).\($0.collection)"), "key": .document($0.key)] }
    }
}
