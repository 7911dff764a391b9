import CMongoC

/// The two MongoDB extended JSON dialects.
public enum ExtendedJSONMode: Sendable {
    /// Plain JSON numbers and strings where no type is lost to a reader of JSON (`{"n": 5}`, `{"$date": "…"}`).
    case relaxed
    /// Every type spelled out (`{"n": {"$numberInt": "5"}}`): lossless for every value.
    case canonical
}

extension Document {
    /// Parses MongoDB extended JSON (relaxed or canonical; plain JSON is relaxed JSON).
    ///
    /// ```swift
    /// let doc = try Document(extendedJSON: #"{"id": 7, "at": {"$date": "2024-05-01T00:00:00Z"}}"#)
    /// ```
    public init(extendedJSON text: String) throws(BSONError) {
        var error = bson_error_t()
        let utf8 = Array(text.utf8)
        let parsed = utf8.withUnsafeBufferPointer { buffer in
            bson_new_from_json(buffer.baseAddress, buffer.count, &error)
        }
        guard let parsed else { throw .invalidJSON(MongoError.message(of: error)) }
        self = try BSONHandle(taking: parsed).document()
    }

    /// The document as MongoDB extended JSON.
    public func extendedJSON(_ mode: ExtendedJSONMode = .relaxed) throws(BSONError) -> String {
        let handle = try BSONHandle(self)
        var length = 0
        let text: UnsafeMutablePointer<CChar>? = handle.withUnsafeBSON { document in
            switch mode {
            case .relaxed: bson_as_relaxed_extended_json(document, &length)
            case .canonical: bson_as_canonical_extended_json(document, &length)
            }
        }
        guard let text else { throw .invalidJSON("libbson could not render the document (invalid UTF-8?)") }
        defer { bson_free(text) }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }
}
