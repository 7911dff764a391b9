/// Options of `find`, as the MongoDB drivers name them.
public struct FindOptions: Sendable {
    /// Fields to include (`["id": 1]`) or exclude (`["_id": 0]`).
    public var projection: Document?
    /// Sort order, e.g. `["createTime": 1]`.
    public var sort: Document?
    /// At most this many documents (0 or nil: no limit).
    public var limit: Int?
    /// Skip this many documents first.
    public var skip: Int?
    /// Documents per server round trip; nil: about 1 MiB of documents per reply, judged from the first
    /// documents (see ``MongoCursor``).
    public var batchSize: Int?

    /// Options for `find`; nil leaves each to the server's default.
    public init(projection: Document? = nil, sort: Document? = nil, limit: Int? = nil, skip: Int? = nil, batchSize: Int? = nil) {
        self.projection = projection
        self.sort = sort
        self.limit = limit
        self.skip = skip
        self.batchSize = batchSize
    }

    var document: Document {
        var opts = Document()
        if let projection { opts["projection"] = .document(projection) }
        if let sort { opts["sort"] = .document(sort) }
        if let limit, limit > 0 { opts["limit"] = .int64(Int64(limit)) }
        if let skip, skip > 0 { opts["skip"] = .int64(Int64(skip)) }
        if let batchSize { opts["batchSize"] = BSONValue(batchSize) }
        return opts
    }
}

/// Options of `aggregate`.
public struct AggregateOptions: Sendable {
    /// Let memory-hungry stages spill to disk (`$group`, `$sort`, `$setWindowFields` on large inputs).
    public var allowDiskUse: Bool
    /// Documents per server round trip; nil: about 1 MiB of documents per reply, judged from the first
    /// documents (see ``MongoCursor``).
    public var batchSize: Int?

    /// Options for `aggregate`: disk use for large stages allowed, and the cursor's batch size.
    public init(allowDiskUse: Bool = true, batchSize: Int? = nil) {
        self.allowDiskUse = allowDiskUse
        self.batchSize = batchSize
    }

    var document: Document {
        var opts: Document = ["allowDiskUse": .bool(allowDiskUse)]
        if let batchSize { opts["batchSize"] = BSONValue(batchSize) }
        return opts
    }
}

/// An index to create: its key pattern and options.
public struct IndexModel: Sendable {
    /// Key pattern, e.g. `["author.uniqueId": 1, "createTime": -1]`.
    public var keys: Document
    /// Index name; MongoDB's default (`field_1_other_-1`) when nil.
    public var name: String?
    /// Reject documents that repeat the key.
    public var unique: Bool

    /// An index on `keys` (`["name": 1, "version": -1]`), named and unique as given.
    public init(keys: Document, name: String? = nil, unique: Bool = false) {
        self.keys = keys
        self.name = name
        self.unique = unique
    }

    var document: Document {
        let defaultName = keys.elements.map { "\($0.key)_\($0.value.int64Value.map(String.init) ?? $0.value.stringValue ?? "1")" }
            .joined(separator: "_")
        var spec: Document = ["key": .document(keys), "name": .string(name ?? defaultName)]
        if unique { spec["unique"] = true }
        return spec
    }
}

/// One operation of a bulk write.
public enum WriteModel: Sendable {
    /// Insert a document (an `_id` is generated when it has none).
    case insertOne(Document)
    /// Replace the first document matching `filter`; with `upsert`, insert when none matches.
    case replaceOne(filter: Document, replacement: Document, upsert: Bool)
    /// Apply update operators (`$set`, `$inc`, …) to the first document matching `filter`.
    case updateOne(filter: Document, update: Document, upsert: Bool)
    /// Apply update operators to every document matching `filter`.
    case updateMany(filter: Document, update: Document, upsert: Bool)
    /// Delete the first document matching `filter`.
    case deleteOne(filter: Document)
    /// Delete every document matching `filter`.
    case deleteMany(filter: Document)
}

/// What a bulk write did, as the server counted it.
public struct BulkWriteResult: Sendable, Equatable {
    /// Documents inserted.
    public var inserted = 0
    /// Documents the filters of updates and replacements matched.
    public var matched = 0
    /// Documents updates and replacements changed.
    public var modified = 0
    /// Documents deleted.
    public var deleted = 0
    /// Documents inserted by upserts.
    public var upserted = 0
    /// `_id`s of upserted documents by the index of the operation that upserted them.
    public var upsertedIDs: [Int: BSONValue] = [:]

    /// A result with every count 0.
    public init() {}
}

/// What `insertMany` did.
public struct InsertManyResult: Sendable, Equatable {
    /// Documents written.
    public var insertedCount: Int
    /// The `_id` of each document sent, in order (generated where the document had none).
    public var insertedIDs: [BSONValue]
}
