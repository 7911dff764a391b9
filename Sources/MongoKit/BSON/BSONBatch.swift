import CMongoC

/// Documents to insert, encoded one after another into a single buffer and shown to libmongoc as
/// read-only `bson_t` headers over that buffer (`bson_init_static`): no allocation and no copy per
/// document, where a `BSONHandle` each would cost both.
///
/// The headers live in one 128-byte aligned block (`bson_t` is over-aligned); static headers own
/// nothing, so nothing is destroyed but the two buffers.
struct BSONBatch: ~Copyable {
    private let writer: BSONWriter
    private let spans: [Range<Int>]

    /// Encodes each document with its `_id` first (`ids[i]` for `documents[i]`).
    init(_ documents: [Document], ids: [BSONValue]) throws(BSONError) {
        var writer = BSONWriter(capacity: documents.count * 512)
        var spans: [Range<Int>] = []
        spans.reserveCapacity(documents.count)
        for (document, id) in zip(documents, ids) {
            let start = writer.count
            try writer.write(document, id: id)
            spans.append(start..<writer.count)
        }
        self.writer = writer
        self.spans = spans
    }

    /// Calls `body` with one `bson_t *` per document, valid only during the call.
    func withPointers<Result>(_ body: (UnsafeMutableBufferPointer<OpaquePointer?>) -> Result) -> Result {
        let headers = UnsafeMutableRawPointer.allocate(byteCount: max(1, spans.count) * 128, alignment: 128)
        defer { headers.deallocate() }
        return writer.withUnsafeBytes { data in
            let start = data.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var pointers: [OpaquePointer?] = spans.indices.map { i in
                let header = OpaquePointer(headers + i * 128)
                // Fails only when a length disagrees with its bytes, which BSONWriter never produces.
                _ = bson_init_static(header, start + spans[i].lowerBound, spans[i].count)
                return header
            }
            return pointers.withUnsafeMutableBufferPointer { body($0) }
        }
    }
}
