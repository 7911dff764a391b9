import CMongoC

/// A server-side cursor, read one document at a time on the worker thread that opened it.
///
/// A cursor only exists inside ``MongoCollection/withCursor(find:options:_:)`` or
/// ``MongoCollection/withCursor(aggregate:options:_:)``; it is `~Copyable`, so it cannot
/// escape that scope, and it is destroyed (killing any server-side cursor) when the scope ends.
public struct MongoCursor: ~Copyable {
    private let pointer: OpaquePointer
    private let operation: String
    private let hosts: String

    init(taking pointer: OpaquePointer, operation: String, hosts: String) {
        self.pointer = pointer
        self.operation = operation
        self.hosts = hosts
    }

    deinit { mongoc_cursor_destroy(pointer) }

    /// The next document, or nil when the cursor is exhausted.
    public mutating func next() throws(MongoError) -> Document? {
        guard let raw = try nextRaw() else { return nil }
        do throws(BSONError) { return try Document(bsonBytes: raw) } catch { throw MongoError(error, operation: operation) }
    }

    /// The next document's raw BSON bytes, valid only until the next call; nil when exhausted.
    public mutating func nextRaw() throws(MongoError) -> UnsafeRawBufferPointer? {
        var current: OpaquePointer?
        if mongoc_cursor_next(pointer, &current), let current {
            return BSONHandle.bytes(of: current)
        }
        var error = bson_error_t()
        if mongoc_cursor_error(pointer, &error) {
            throw MongoError(error, operation: operation, hosts: hosts)
        }
        return nil
    }
}
