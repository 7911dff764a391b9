import CMongoC

extension MongoCollection {
    /// Opens a `find` cursor and runs `body` with it on a worker thread; the cursor is closed when `body` returns.
    ///
    /// Use this to stream a large result without holding it all in memory:
    /// ```swift
    /// let total = try await videos.withCursor(find: ["author.verified": true]) { (cursor) throws(MongoError) in
    ///     var n = 0
    ///     while let _ = try cursor.next() { n += 1 }
    ///     return n
    /// }
    /// ```
    public func withCursor<T: Sendable>(
        find filter: Document = [:],
        options: FindOptions = FindOptions(),
        _ body: @escaping @Sendable (inout MongoCursor) throws(MongoError) -> T
    ) async throws(MongoError) -> T {
        try await withCursor(
            "find", sizesBatches: options.batchSize == nil,
            open: { (collection, context) throws(MongoError) in
                let filterHandle = try context.handle(filter)
                let optionsHandle = try context.handle(options.document)
                return BSONHandle.withUnsafeBSON(filterHandle, optionsHandle) { filter, options in
                    mongoc_collection_find_with_opts(collection, filter, options, nil)
                }
            }, body)
    }

    /// Opens an `aggregate` cursor and runs `body` with it on a worker thread; the cursor is closed when `body` returns.
    public func withCursor<T: Sendable>(
        aggregate pipeline: [Document],
        options: AggregateOptions = AggregateOptions(),
        _ body: @escaping @Sendable (inout MongoCursor) throws(MongoError) -> T
    ) async throws(MongoError) -> T {
        PipelineObserver.observe?(name, pipeline)
        return try await withCursor(
            "aggregate", sizesBatches: options.batchSize == nil,
            open: { (collection, context) throws(MongoError) in
                let pipelineHandle = try context.handle(["pipeline": .array(pipeline.map(BSONValue.document))])
                let optionsHandle = try context.handle(options.document)
                return BSONHandle.withUnsafeBSON(pipelineHandle, optionsHandle) { pipeline, options in
                    mongoc_collection_aggregate(collection, MONGOC_QUERY_NONE, pipeline, options, nil)
                }
            }, body)
    }

    private func withCursor<T: Sendable>(
        _ verb: String,
        sizesBatches: Bool,
        open: @escaping @Sendable (OpaquePointer, OperationContext) throws(MongoError) -> OpaquePointer?,
        _ body: @escaping @Sendable (inout MongoCursor) throws(MongoError) -> T
    ) async throws(MongoError) -> T {
        try await withHandle(verb) { (collection, context) throws(MongoError) in
            guard let pointer = try open(collection, context) else {
                throw MongoError(.commandFailed, operation: context.operation, message: "the driver could not open a cursor")
            }
            var cursor = MongoCursor(taking: pointer, operation: context.operation, hosts: context.hosts, sizesBatches: sizesBatches)
            return try body(&cursor)
        }
    }

    /// All documents matching `filter`.
    public func find(_ filter: Document = [:], options: FindOptions = FindOptions()) async throws(MongoError) -> [Document] {
        try await withCursor(find: filter, options: options) { (cursor) throws(MongoError) in try cursor.drain() }
    }

    /// The first document matching `filter`, or nil.
    public func findOne(_ filter: Document = [:], sort: Document? = nil) async throws(MongoError) -> Document? {
        try await find(filter, options: FindOptions(sort: sort, limit: 1)).first
    }

    /// Runs an aggregation pipeline and returns every result document.
    ///
    /// Pipelines ending in `$merge` or `$out` return no documents; they run to completion before this returns.
    /// - Throws: ``MongoError`` with code ``MongoError/Code/invalidPipeline`` when the server rejects a stage.
    public func aggregate(_ pipeline: [Document], options: AggregateOptions = AggregateOptions()) async throws(MongoError) -> [Document] {
        try await withCursor(aggregate: pipeline, options: options) { (cursor) throws(MongoError) in try cursor.drain() }
    }
}

extension MongoCursor {
    /// Reads every remaining document.
    mutating func drain() throws(MongoError) -> [Document] {
        var documents: [Document] = []
        while let document = try next() { documents.append(document) }
        return documents
    }
}

extension MongoDatabase {
    /// Runs a database-level aggregation (`{aggregate: 1}`), whose pipeline starts from `$documents`
    /// rather than a collection, and returns every result document.
    public func aggregate(_ pipeline: [Document], options: AggregateOptions = AggregateOptions()) async throws(MongoError) -> [Document] {
        PipelineObserver.observe?(nil, pipeline)
        let context = OperationContext(operation: "aggregate \(name)", hosts: client.configuration.hosts)
        let databaseName = name
        return try await client.withConnection(context.operation) { (connection) throws(MongoError) -> [Document] in
            guard let database = mongoc_client_get_database(connection, databaseName) else {
                throw MongoError(.commandFailed, operation: context.operation, message: "the driver could not open the database")
            }
            defer { mongoc_database_destroy(database) }
            let pipelineHandle = try context.handle(["pipeline": .array(pipeline.map(BSONValue.document))])
            let optionsHandle = try context.handle(options.document)
            let opened = BSONHandle.withUnsafeBSON(pipelineHandle, optionsHandle) { pipeline, options in
                mongoc_database_aggregate(database, pipeline, options, nil)
            }
            guard let pointer = opened else {
                throw MongoError(.commandFailed, operation: context.operation, message: "the driver could not open a cursor")
            }
            var cursor = MongoCursor(
                taking: pointer, operation: context.operation, hosts: context.hosts, sizesBatches: options.batchSize == nil)
            return try cursor.drain()
        }
    }
}

/// Sees every aggregation pipeline before it is sent, with the collection it runs on (nil for a
/// database-level aggregation), in the task that sets it: the sharded-cluster test records every
/// pipeline a whole build runs and checks it against what a cluster refuses.
public enum PipelineObserver {
    /// Called with each pipeline sent in this task and its children; nil observes nothing.
    @TaskLocal public static var observe: (@Sendable (_ collection: String?, _ pipeline: [Document]) -> Void)?
}
