import BSON

/// A record that passed validation, ready to store: its natural key and the document to keep
/// (without `_ingest`), plus an optional stats snapshot (TikTok) to append when it changed.
public struct NormalizedRecord: Sendable {
    /// The natural key, stored as `_id`.
    public var key: BSONValue
    /// The document to store (its `_id` is set from `key`).
    public var document: Document
    /// A point-in-time observation to append to a history collection when the record is new or changed.
    public var snapshot: Document?
    /// A measure that only grows between observations of the same record (a video's views). A record
    /// whose freshness is below the stored one is an older observation: it does not replace the newer.
    public var freshness: Double?
    /// Whether the snapshot is the source's own observation (dated by the source, or undated), not
    /// stamped with the time it was read: then an older observation's snapshot is still appended,
    /// because it is true history (a trending export's earlier day). A TikTok crawl is stamped when
    /// read, so its older observation loaded later would put old stats at a new time: it is skipped.
    public var snapshotIsSourceObservation: Bool

    /// A record stored under `key`, with an optional snapshot and freshness.
    public init(
        key: BSONValue, document: Document, snapshot: Document? = nil, freshness: Double? = nil, snapshotIsSourceObservation: Bool = false
    ) {
        self.key = key
        self.document = document
        self.snapshot = snapshot
        self.freshness = freshness
        self.snapshotIsSourceObservation = snapshotIsSourceObservation
    }
}
