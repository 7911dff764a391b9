import CMongoC

/// A database on a ``MongoClient``: a name and the client, no I/O until used.
public struct MongoDatabase: Sendable {
    /// The client operations go through.
    public let client: MongoClient
    /// The database name.
    public let name: String

    /// A handle to a collection in this database; cheap, no I/O.
    public func collection(_ name: String) -> MongoCollection {
        MongoCollection(database: self, name: name)
    }

    /// Runs any database command and returns the server's reply.
    ///
    /// ```swift
    /// let stats = try await db.runCommand(["dbStats": 1])
    /// ```
    /// - Throws: ``MongoError`` with the server's code and message when the reply is not `ok`.
    @discardableResult
    public func runCommand(_ command: Document) async throws(MongoError) -> Document {
        let operation = "\(command.keys.first ?? "command") \(name)"
        let context = OperationContext(operation: operation, hosts: client.configuration.hosts)
        let databaseName = name
        return try await client.withConnection(operation) { (connection) throws(MongoError) -> Document in
            let commandHandle = try context.handle(command)
            let reply = BSONHandle()
            var error = bson_error_t()
            let ok = BSONHandle.withUnsafeBSON(commandHandle, reply) { command, reply in
                mongoc_client_command_simple(connection, databaseName, command, nil, reply, &error)
            }
            guard ok else { throw MongoError(error, operation: operation, hosts: context.hosts) }
            return try context.decode(reply)
        }
    }

    /// Drops the whole database. Dropping one that does not exist succeeds.
    public func drop() async throws(MongoError) {
        try await runCommand(["dropDatabase": 1])
    }

    /// The names of the collections in this database, sorted.
    public func collectionNames() async throws(MongoError) -> [String] {
        let reply = try await runCommand(["listCollections": 1, "nameOnly": true])
        let batch = reply[path: "cursor.firstBatch"]?.arrayValue ?? []
        return batch.compactMap { $0.documentValue?["name"]?.stringValue }.sorted()
    }

    /// Per-collection document counts and sizes, as `collStats`/`dbStats` report them.
    public func statistics() async throws(MongoError) -> DatabaseStatistics {
        let database = try await runCommand(["dbStats": 1])
        var collections: [DatabaseStatistics.Collection] = []
        for name in try await collectionNames() {
            let count = try await collection(name).countDocuments()
            collections.append(.init(name: name, documents: count))
        }
        return DatabaseStatistics(
            name: name,
            collections: collections,
            dataSize: database["dataSize"]?.int64Value ?? 0,
            storageSize: database["storageSize"]?.int64Value ?? 0,
            indexes: Int(database["indexes"]?.int64Value ?? 0))
    }
}

/// What `engage db stats` shows: the database's size and each collection's document count.
public struct DatabaseStatistics: Sendable, Codable, Equatable {
    /// One collection's count.
    public struct Collection: Sendable, Codable, Equatable {
        /// The collection.
        public var name: String
        /// Its document count.
        public var documents: Int
    }

    /// The database.
    public var name: String
    /// Its collections, by name.
    public var collections: [Collection]
    /// Uncompressed bytes of all documents.
    public var dataSize: Int64
    /// Bytes on disk.
    public var storageSize: Int64
    /// Number of indexes.
    public var indexes: Int
}
