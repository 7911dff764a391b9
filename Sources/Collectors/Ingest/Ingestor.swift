import Foundation
import Hashing
import Logging
import MongoKit
import SourceSchemas

/// One record handed to the ``Ingestor``: its position, raw text, and either the normalized
/// record or why it was refused.
public struct IngestItem: Sendable {
    /// Where the record is in its input.
    public var position: RecordPosition
    /// The record's raw text, kept with a reject.
    public var raw: String
    /// The normalized record, or why it was refused.
    public var outcome: Result<NormalizedRecord, RecordError>

    /// An item with its position, raw text and outcome.
    public init(position: RecordPosition, raw: String, outcome: Result<NormalizedRecord, RecordError>) {
        self.position = position
        self.raw = raw
        self.outcome = outcome
    }
}

/// Writes validated records to a raw collection idempotently, and everything else to `rejects`.
///
/// Each record is stored under its natural key with `_ingest` metadata (source, run id, fetched at,
/// SHA-256 of its content). A record whose hash matches the stored one is left alone (`unchanged`),
/// so re-running a file writes nothing and an interrupted run re-run completes without duplicates;
/// so is an older observation of a record (lower ``NormalizedRecord/freshness``), so that loading
/// an old crawl after a new one keeps the newer stats, and of several rows of one record in a
/// file the freshest is kept (the others still add their snapshots when they are the source's own
/// observations, see ``NormalizedRecord/snapshotIsSourceObservation``).
/// Rejects are keyed by source and position, so they are not duplicated either. Every run is
/// recorded in `ingest_runs`, with its counts when it ends.
public struct Ingestor: Sendable {
    /// The database written to.
    public let database: MongoDatabase
    /// The raw collection the records go to.
    public let collection: String
    /// Where records go for a changed record's snapshot (e.g. `tiktok_stats`), if any.
    public let snapshotCollection: String?
    /// Names the input, e.g. `tmdb-file:/data/movies.json`.
    public let source: String
    /// The run's id in `ingest_runs` (a new ObjectId unless given).
    public let runID: String
    /// When the input was fetched, stamped on every stored document.
    public let fetchedAt: Date
    /// Records written per round trip.
    public var batchSize = 500
    let logger: Logger

    /// An ingestor writing `source`'s records into `collection` (and changed records' snapshots into `snapshotCollection`).
    public init(
        database: MongoDatabase, collection: String, snapshotCollection: String? = nil, source: String,
        runID: String = ObjectId().description, fetchedAt: Date = Date(), logger: Logger = Logger(label: "engage.collect")
    ) {
        self.database = database
        self.collection = collection
        self.snapshotCollection = snapshotCollection
        self.source = source
        self.runID = runID
        self.fetchedAt = fetchedAt
        self.logger = logger
    }

    /// Ingests every item `next()` returns until it returns nil. `fraction` reports how far through
    /// the input the last item was (for the progress bar).
    public func run(
        progress: ProgressBar? = nil, fraction: @escaping () -> Double? = { nil },
        next: () async throws -> IngestItem?
    ) async throws -> IngestSummary {
        var summary = IngestSummary(runID: runID, source: source, collection: collection)
        var progress = progress
        let clock = ContinuousClock()
        let start = clock.now
        let runs = database.collection("ingest_runs")
        try await markInterruptedRuns()
        try await runs.upsert(
            [
                [
                    "_id": .string(runID), "source": .string(source), "collection": .string(collection),
                    "started_at": .date(fetchedAt), "status": "running", "host": .string(Self.host), "pid": .int64(Int64(getpid())),
                    "heartbeat_at": .date(Date()),
                ]
            ], key: ["_id"])
        do {
            var batch: [IngestItem] = []
            var keys = Set<BSONValue>()
            while let item = try await next() {
                if case .success(let record) = item.outcome, keys.contains(record.key) {
                    // The same key twice in one batch: write the first before reading the second.
                    try await write(batch, into: &summary)
                    batch.removeAll()
                    keys.removeAll()
                }
                if case .success(let record) = item.outcome { keys.insert(record.key) }
                batch.append(item)
                if batch.count >= batchSize {
                    try await write(batch, into: &summary)
                    batch.removeAll()
                    keys.removeAll()
                    progress?.update(fraction: fraction(), summary: summary)
                    try await heartbeat(summary)
                }
            }
            try await write(batch, into: &summary)
        } catch {
            summary.seconds = (clock.now - start) / .seconds(1)
            _ = try? await runs.bulkWrite([
                .updateOne(
                    filter: ["_id": .string(runID)],
                    update: ["$set": ["status": "failed", "error": .string(String(describing: error)), "counts": counts(summary)]],
                    upsert: false)
            ])
            throw error
        }
        summary.seconds = (clock.now - start) / .seconds(1)
        progress?.finish(summary: summary)
        try await finish(summary)
        return summary
    }

    /// The largest document stored: MongoDB's 16 MiB limit, less room for `_ingest` and the
    /// write command around it.
    public static let maxDocumentBytes = 16 * 1024 * 1024 - 16 * 1024

    static let host = ProcessInfo.processInfo.hostName

    /// How long a run may go without a heartbeat before another run takes it for dead, when its
    /// process cannot be checked (another host).
    static let silentRunLimit: TimeInterval = 3_600

    /// Marks runs left `running` by a process that is gone (killed, crashed, the machine restarted)
    /// as `interrupted`, so `ingest_runs` tells what finished. A run on this host is gone when its
    /// process is; a run elsewhere when it has sent no heartbeat for ``silentRunLimit``.
    func markInterruptedRuns() async throws {
        let runs = database.collection("ingest_runs")
        let stale = Date().addingTimeInterval(-Self.silentRunLimit)
        for run in try await runs.find(["status": "running"]) {
            guard let id = run["_id"] else { continue }
            let alive: Bool
            if run["host"]?.stringValue == Self.host, let pid = run["pid"]?.int64Value {
                alive = kill(pid_t(pid), 0) == 0 || errno == EPERM
            } else if case .datetime(let beat)? = run["heartbeat_at"] ?? run["started_at"] {
                alive = beat.date > stale
            } else {
                alive = false
            }
            guard !alive else { continue }
            _ = try await runs.bulkWrite([
                .updateOne(
                    filter: ["_id": id, "status": "running"],
                    update: [
                        "$set": ["status": "interrupted", "interrupted_seen_at": .date(Date()), "interrupted_seen_by": .string(runID)]
                    ],
                    upsert: false)
            ])
            logger.info("earlier ingest run marked interrupted", metadata: ["ingest.run": "\(id)"])
        }
    }

    private func heartbeat(_ summary: IngestSummary) async throws {
        _ = try await database.collection("ingest_runs").bulkWrite([
            .updateOne(
                filter: ["_id": .string(runID)], update: ["$set": ["heartbeat_at": .date(Date()), "counts": counts(summary)]], upsert: false
            )
        ])
    }

    /// Records side-input problems (rows of a joined file) as rejects.
    public func reject(
        side: String, problems: [(position: RecordPosition, error: RecordError, raw: String)], into summary: inout IngestSummary
    ) async throws {
        guard !problems.isEmpty else { return }
        let documents = problems.map { rejectDocument(source: side, position: $0.position, error: $0.error, raw: $0.raw) }
        try await database.collection("rejects").upsert(documents, key: ["_id"])
        summary.sideInputRejected += problems.count
    }

    /// Stores the final counts of the run.
    public func finish(_ summary: IngestSummary) async throws {
        try await database.collection("ingest_runs").bulkWrite([
            .updateOne(
                filter: ["_id": .string(runID)],
                update: ["$set": ["status": "completed", "finished_at": .date(Date()), "counts": counts(summary)]], upsert: false)
        ])
        logger.debug("ingest run finished", metadata: ["ingest.run": "\(runID)", "ingest.read": "\(summary.read)"])
    }

    private func counts(_ summary: IngestSummary) -> BSONValue {
        .document([
            "read": .int64(Int64(summary.read)), "inserted": .int64(Int64(summary.inserted)), "updated": .int64(Int64(summary.updated)),
            "unchanged": .int64(Int64(summary.unchanged)), "rejected": .int64(Int64(summary.rejected)),
            "snapshots": .int64(Int64(summary.snapshots)), "side_input_rejected": .int64(Int64(summary.sideInputRejected)),
        ])
    }

    private func write(_ batch: [IngestItem], into summary: inout IngestSummary) async throws {
        guard !batch.isEmpty else { return }
        summary.read += batch.count
        var records: [(record: NormalizedRecord, document: Document, hash: String)] = []
        var rejects: [Document] = []
        for item in batch {
            switch item.outcome {
            case .success(let record):
                var document = record.document
                document["_id"] = record.key
                let bytes = try document.bsonBytes()
                guard bytes.count <= Self.maxDocumentBytes else {
                    let error = RecordError(
                        field: "(record)",
                        reason:
                            "the stored document would be \(bytes.count) bytes; MongoDB's limit is 16 MiB (at most \(Self.maxDocumentBytes) here)"
                    )
                    rejects.append(rejectDocument(source: source, position: item.position, error: error, raw: item.raw))
                    continue
                }
                records.append((record, document, SHA256.hex(bytes)))
            case .failure(let error):
                rejects.append(rejectDocument(source: source, position: item.position, error: error, raw: item.raw))
            }
        }
        if !rejects.isEmpty {
            try await database.collection("rejects").upsert(rejects, key: ["_id"])
            summary.rejected += rejects.count
        }
        guard !records.isEmpty else { return }
        let target = database.collection(collection)
        let existing = try await target.find(
            ["_id": ["$in": .array(records.map(\.record.key))]],
            options: FindOptions(projection: ["_ingest.content_hash": 1, "_ingest.freshness": 1]))
        var stored: [BSONValue: (hash: String?, freshness: Double?)] = [:]
        for document in existing {
            guard let id = document["_id"] else { continue }
            let hash: String? = if case .string(let text)? = document[path: "_ingest.content_hash"] { text } else { nil }
            stored[id] = (hash, document[path: "_ingest.freshness"]?.doubleValue)
        }
        // Several rows of one record in a batch (a daily export): the freshest is the one written,
        // the others are older observations. Ties go to the later row.
        var freshest: [BSONValue: Int] = [:]
        for (index, entry) in records.enumerated() {
            if let kept = freshest[entry.record.key],
                (records[kept].record.freshness ?? -.infinity) > (entry.record.freshness ?? -.infinity)
            {
                continue
            }
            freshest[entry.record.key] = index
        }
        var writes: [WriteModel] = []
        var snapshots: [Document] = []
        var inserted = 0
        var updated = 0
        func keepSnapshot(of record: NormalizedRecord) throws {
            guard var snapshot = record.snapshot else { return }
            snapshot["_id"] = .string(SHA256.hex(try snapshot.bsonBytes()))
            snapshots.append(snapshot)
        }
        for (index, (record, hashed, hash)) in records.enumerated() {
            guard freshest[record.key] == index else {
                summary.unchanged += 1
                if record.snapshotIsSourceObservation { try keepSnapshot(of: record) }
                continue
            }
            var document = hashed
            var ingest: Document = [
                "source": .string(source), "run_id": .string(runID), "fetched_at": .date(fetchedAt), "content_hash": .string(hash),
            ]
            if let freshness = record.freshness { ingest["freshness"] = .double(freshness) }
            document["_ingest"] = .document(ingest)
            if let previous = stored[record.key] {
                if previous.hash == hash {
                    summary.unchanged += 1
                    continue
                }
                if (record.freshness ?? .infinity) < (previous.freshness ?? -.infinity) {
                    summary.unchanged += 1
                    if record.snapshotIsSourceObservation { try keepSnapshot(of: record) }
                    continue
                }
                updated += 1
                writes.append(.replaceOne(filter: ["_id": record.key], replacement: document, upsert: true))
            } else {
                inserted += 1
                writes.append(.insertOne(document))
            }
            try keepSnapshot(of: record)
        }
        // Snapshots first: a run stopped between the two writes leaves a snapshot (keyed by its
        // content, so writing it again is harmless) and a raw document not yet written, which the
        // next run sees as new and writes with its snapshot. The other order would leave the raw
        // document looking unchanged and its snapshot lost for good.
        if let snapshotCollection, !snapshots.isEmpty {
            // Counted when new: re-reading a file appends nothing.
            summary.snapshots += try await database.collection(snapshotCollection).upsert(snapshots, key: ["_id"]).upserted
        }
        if !writes.isEmpty { _ = try await target.bulkWrite(writes, ordered: false) }
        summary.inserted += inserted
        summary.updated += updated
    }

    private func rejectDocument(source: String, position: RecordPosition, error: RecordError, raw: String) -> Document {
        let id = SHA256.hex(Array("\(source)|\(position.index)|\(position.offset)|\(error.field)|\(error.reason)".utf8))
        return [
            "_id": .string(id), "source": .string(source), "run_id": .string(runID),
            // Counted from 1, as the console prints it (`record 3 (line 4, …)`).
            "record": .int64(Int64(position.index + 1)),
            "line": .int64(Int64(position.line)), "offset": .int64(Int64(position.offset)),
            "key": position.key.map(BSONValue.string) ?? .null, "field": .string(error.field), "reason": .string(error.reason),
            "raw": .string(String(raw.prefix(16_384))), "rejected_at": .date(fetchedAt),
        ]
    }
}
