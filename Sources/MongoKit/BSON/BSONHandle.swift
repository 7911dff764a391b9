import CMongoC

/// The one owner of a heap-allocated libbson `bson_t`, freed in `deinit`.
///
/// `bson_t` is over-aligned (128 bytes), so Swift imports it as an `OpaquePointer`
/// and it always lives on the heap (`bson_new…`/`bson_destroy`). Not `Sendable`:
/// a handle is made, handed to one libmongoc call and dropped on the same thread.
///
/// Swift may end an object's lifetime right after its last use, so the pointer is reached only
/// inside ``withUnsafeBSON(_:)`` (or its two- and three-handle forms), which keep the handles alive
/// until the call returns.
final class BSONHandle {
    /// The owned `bson_t *`.
    private let pointer: OpaquePointer
    /// For a reply: the 128-byte aligned storage the `bson_t` lives in, freed after `bson_destroy`.
    private let replyStorage: UnsafeMutableRawPointer?

    /// Takes ownership of a `bson_t *` from `bson_new…`.
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
        self.replyStorage = nil
    }

    /// Storage for a reply that libmongoc initialises itself (its "uninitialized bson_t" out-parameters):
    /// libmongoc calls `bson_init` on it, so it must not be a `bson_new` document, which would then leak.
    init() {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: 128, alignment: 128)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: 128)
        self.pointer = OpaquePointer(storage)
        self.replyStorage = storage
        bson_init(pointer)
    }

    /// A document's BSON in a new `bson_t`; with an `id`, `_id` first in place of the document's
    /// own, as inserted (see ``Document/identifierForInsert()``).
    convenience init(_ document: Document, id: BSONValue? = nil) throws(BSONError) {
        var writer = BSONWriter(capacity: 512)
        try writer.write(document, id: id)
        let pointer = writer.withUnsafeBytes { bson_new_from_data($0.baseAddress!.assumingMemoryBound(to: UInt8.self), $0.count) }
        // bson_new_from_data fails only on a length mismatch, which BSONWriter never produces.
        self.init(taking: pointer!)
    }

    deinit {
        bson_destroy(pointer)
        replyStorage?.deallocate()
    }

    /// Calls `body` with the owned `bson_t *`, valid only during the call.
    func withUnsafeBSON<Result, Failure: Error>(_ body: (OpaquePointer) throws(Failure) -> Result) throws(Failure) -> Result {
        defer { withExtendedLifetime(self) {} }
        return try body(pointer)
    }

    /// Calls `body` with both handles' `bson_t *`, valid only during the call.
    static func withUnsafeBSON<Result>(_ a: BSONHandle, _ b: BSONHandle, _ body: (OpaquePointer, OpaquePointer) -> Result) -> Result {
        a.withUnsafeBSON { first in b.withUnsafeBSON { second in body(first, second) } }
    }

    /// Calls `body` with the three handles' `bson_t *`, valid only during the call.
    static func withUnsafeBSON<Result>(
        _ a: BSONHandle, _ b: BSONHandle, _ c: BSONHandle, _ body: (OpaquePointer, OpaquePointer, OpaquePointer) -> Result
    ) -> Result {
        a.withUnsafeBSON { first in withUnsafeBSON(b, c) { second, third in body(first, second, third) } }
    }

    /// Decodes the owned document into a Swift value.
    func document() throws(BSONError) -> Document {
        try Self.document(borrowing: pointer)
    }

    /// Decodes a `bson_t` that someone else owns (a cursor's current document, a reply).
    static func document(borrowing pointer: OpaquePointer) throws(BSONError) -> Document {
        try Document(bsonBytes: bytes(of: pointer))
    }

    /// The raw bytes of a `bson_t` someone else owns, valid while that owner keeps it.
    static func bytes(of pointer: OpaquePointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: bson_get_data(pointer), count: Int(engage_bson_length(pointer)))
    }
}
