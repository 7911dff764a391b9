import CMongoC

/// A collection: reads, writes, aggregation and indexes. Every call runs on the client's worker
/// threads and returns `Sendable` Swift values.
public struct MongoCollection: Sendable {
    /// The database this collection is in.
    public let database: MongoDatabase
    /// The collection name.
    public let name: String

    /// `database.collection`, as server messages name it.
    public var namespace: String { "\(database.name).\(name)" }

    /// Runs `body` with a `mongoc_collection_t *` for this collection on a worker thread.
    func withHandle<T: Sendable>(
        _ verb: String,
        _ body: @escaping @Sendable (_ collection: OpaquePointer, _ context: OperationContext) throws(MongoError) -> T
    ) async throws(MongoError) -> T {
        let context = OperationContext(operation: "\(verb) \(namespace)", hosts: database.client.configuration.hosts)
        let databaseName = database.name
        let collectionName = name
        return try await database.client.withConnection(context.operation) { (connection) throws(MongoError) -> T in
            let collection = mongoc_client_get_collection(connection, databaseName, collectionName)!
            defer { mongoc_collection_destroy(collection) }
            return try body(collection, context)
        }
    }

    /// Drops the collection and its indexes. Dropping one that does not exist succeeds.
    public func drop() async throws(MongoError) {
        try await withHandle("drop") { (collection, context) throws(MongoError) in
            var error = bson_error_t()
            if !mongoc_collection_drop_with_opts(collection, nil, &error) {
                let failure = MongoError(error, operation: context.operation, hosts: context.hosts)
                if failure.serverCode != 26 { throw failure }  // 26: NamespaceNotFound
            }
        }
    }

    /// Counts the documents matching `filter`.
    public func countDocuments(_ filter: Document = [:]) async throws(MongoError) -> Int {
        try await withHandle("countDocuments") { (collection, context) throws(MongoError) -> Int in
            let filterHandle = try context.handle(filter)
            var error = bson_error_t()
            let count = filterHandle.withUnsafeBSON { filter in
                mongoc_collection_count_documents(collection, filter, nil, nil, nil, &error)
            }
            guard count >= 0 else { throw MongoError(error, operation: context.operation, hosts: context.hosts) }
            return Int(count)
        }
    }

    /// Creates indexes; creating one that already exists with the same options does nothing.
    public func createIndexes(_ indexes: [IndexModel]) async throws(MongoError) {
        try await database.runCommand([
            "createIndexes": .string(name),
            "indexes": .array(indexes.map { .document($0.document) }),
        ])
    }
}

/// What a worker-thread operation needs to report errors: its name and the hosts tried.
struct OperationContext: Sendable {
    let operation: String
    let hosts: String

    /// A libbson copy of a document (with an `id`, `_id` first, as inserted), or an
    /// ``MongoError/Code/invalidDocument`` error naming this operation.
    func handle(_ document: Document, id: BSONValue? = nil) throws(MongoError) -> BSONHandle {
        do throws(BSONError) { return try BSONHandle(document, id: id) } catch { throw MongoError(error, operation: operation) }
    }

    /// Documents to insert, each with `_id` first, in one buffer.
    func batch(_ documents: [Document], ids: [BSONValue]) throws(MongoError) -> BSONBatch {
        do throws(BSONError) { return try BSONBatch(documents, ids: ids) } catch { throw MongoError(error, operation: operation) }
    }

    /// Decodes a reply, or reports it as an invalid document of this operation.
    func decode(_ handle: BSONHandle) throws(MongoError) -> Document {
        do throws(BSONError) { return try handle.document() } catch { throw MongoError(error, operation: operation) }
    }
}
