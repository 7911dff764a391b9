import CMongoC

/// A server-side cursor, read one document at a time on the worker thread that opened it.
///
/// Unless the caller chose a batch size, the cursor sizes its later batches to about
/// ``targetBatchBytes`` from the first documents it reads. The server's default fills replies up
/// to 16 MiB; libmongoc reads each reply into a new buffer and copies it once more, and buffers
/// that large are fresh `mmap`s whose every page faults on first touch. On 50k TikTok-shaped
/// documents (24 MB) that doubled the client CPU of reading the raw replies.
///
/// About 1 MiB is small enough for glibc to reuse: after the first such buffer is freed, malloc
/// raises its `mmap` threshold to that size and later replies take the same heap memory. A
/// 3.4 MB aggregate answer read in one reply instead pays fresh pages for both of its copies.
///
/// A cursor only exists inside ``MongoCollection/withCursor(find:options:_:)`` or
/// ``MongoCollection/withCursor(aggregate:options:_:)``; it is `~Copyable`, so it cannot
/// escape that scope, and it is destroyed (killing any server-side cursor) when the scope ends.
public struct MongoCursor: ~Copyable {
    private let pointer: OpaquePointer
    private let operation: String
    private let hosts: String
    /// Documents still to be read before the batch size is set from their average size; nil once
    /// set, or when the caller chose a batch size.
    private var documentsBeforeSizing: Int?
    private var sampledBytes = 0

    /// About this many bytes of BSON per reply when the caller sets no batch size.
    static let targetBatchBytes = 1 << 20
    /// Documents whose average size sets the batch size (fewer than the server's first batch of 101).
    static let sizingSample = 16

    init(taking pointer: OpaquePointer, operation: String, hosts: String, sizesBatches: Bool) {
        self.pointer = pointer
        self.operation = operation
        self.hosts = hosts
        self.documentsBeforeSizing = sizesBatches ? Self.sizingSample : nil
    }

    deinit { mongoc_cursor_destroy(pointer) }

    /// The next document, or nil when the cursor is exhausted.
    public mutating func next() throws(MongoError) -> Document? {
        let operation = operation
        let decoded = try withNextRaw { raw in Result { () throws(BSONError) in try Document(bsonBytes: raw) } }
        guard let decoded else { return nil }
        do throws(BSONError) { return try decoded.get() } catch { throw MongoError(error, operation: operation) }
    }

    /// Calls `body` with the next document's raw BSON bytes, which the driver owns and reuses: they
    /// are valid only during the call, so nothing of them outlives it. Returns nil when exhausted.
    public mutating func withNextRaw<Result>(_ body: (UnsafeRawBufferPointer) -> Result) throws(MongoError) -> Result? {
        var current: OpaquePointer?
        if mongoc_cursor_next(pointer, &current), let current {
            let bytes = BSONHandle.bytes(of: current)
            if let left = documentsBeforeSizing { sizeBatches(after: bytes.count, left: left) }
            return body(bytes)
        }
        var error = bson_error_t()
        if mongoc_cursor_error(pointer, &error) {
            throw MongoError(error, operation: operation, hosts: hosts)
        }
        return nil
    }

    /// The batch size later `getMore`s ask for (0: the server's default).
    var batchSize: Int { Int(mongoc_cursor_get_batch_size(pointer)) }

    /// Counts one more sampled document; after the last, asks for batches of about ``targetBatchBytes``.
    private mutating func sizeBatches(after documentBytes: Int, left: Int) {
        sampledBytes += documentBytes
        guard left == 1 else {
            documentsBeforeSizing = left - 1
            return
        }
        documentsBeforeSizing = nil
        let averageBytes = max(1, sampledBytes / Self.sizingSample)
        mongoc_cursor_set_batch_size(pointer, UInt32(min(100_000, max(101, Self.targetBatchBytes / averageBytes))))
    }
}
