import CMongoC

extension MongoCollection {
    /// Inserts documents, generating an ObjectId `_id` for any that has none.
    ///
    /// Large arrays are split into server-sized batches by the driver.
    /// - Parameter ordered: stop at the first rejected document (`true`), or insert every valid one (`false`).
    /// - Throws: ``MongoError`` with ``MongoError/writeErrors`` naming each rejected document's index and `_id`,
    ///   and ``MongoError/writtenCount``; code ``MongoError/Code/duplicateKey`` when every rejection is a duplicate key.
    @discardableResult
    public func insertMany(_ documents: [Document], ordered: Bool = true) async throws(MongoError) -> InsertManyResult {
        guard !documents.isEmpty else { return InsertManyResult(insertedCount: 0, insertedIDs: []) }
        return try await withHandle("insertMany") { (collection, context) throws(MongoError) -> InsertManyResult in
            let ids = documents.map { $0.identifierForInsert() }
            let batch = try context.batch(documents, ids: ids)
            // Swift strings are valid UTF-8 and the server checks field names, so libmongoc's
            // client-side re-validation of every document is skipped.
            let options = try context.handle(["ordered": .bool(ordered), "validate": false])
            let reply = BSONHandle()
            var error = bson_error_t()
            let ok = BSONHandle.withUnsafeBSON(options, reply) { options, reply in
                batch.withPointers { buffer in
                    mongoc_collection_insert_many(collection, buffer.baseAddress, buffer.count, options, reply, &error)
                }
            }
            let replyDocument = try context.decode(reply)
            let inserted = Int(replyDocument["insertedCount"]?.int64Value ?? 0)
            if !ok {
                throw context.writeFailure(error, reply: replyDocument, written: inserted) { ids.indices.contains($0) ? ids[$0] : nil }
            }
            return InsertManyResult(insertedCount: inserted, insertedIDs: ids)
        }
    }

    /// Runs a batch of inserts, replacements, updates and deletes in one bulk operation.
    ///
    /// - Throws: ``MongoError`` with per-operation ``MongoError/writeErrors`` (their `index` is the model's position).
    @discardableResult
    public func bulkWrite(_ models: [WriteModel], ordered: Bool = true) async throws(MongoError) -> BulkWriteResult {
        guard !models.isEmpty else { return BulkWriteResult() }
        return try await withHandle("bulkWrite") { (collection, context) throws(MongoError) -> BulkWriteResult in
            let options = try context.handle(["ordered": .bool(ordered)])
            let bulk = options.withUnsafeBSON { mongoc_collection_create_bulk_operation_with_opts(collection, $0)! }
            defer { mongoc_bulk_operation_destroy(bulk) }
            var documentIDs: [BSONValue?] = []
            documentIDs.reserveCapacity(models.count)
            let insertOptions = try context.handle(["validate": false])
            for model in models {
                documentIDs.append(try context.append(model, to: bulk, insertOptions: insertOptions))
            }
            let reply = BSONHandle()
            var error = bson_error_t()
            let ok = reply.withUnsafeBSON { mongoc_bulk_operation_execute(bulk, $0, &error) != 0 }
            let replyDocument = try context.decode(reply)
            var result = BulkWriteResult()
            result.inserted = Int(replyDocument["nInserted"]?.int64Value ?? 0)
            result.matched = Int(replyDocument["nMatched"]?.int64Value ?? 0)
            result.modified = Int(replyDocument["nModified"]?.int64Value ?? 0)
            result.deleted = Int(replyDocument["nRemoved"]?.int64Value ?? 0)
            result.upserted = Int(replyDocument["nUpserted"]?.int64Value ?? 0)
            for entry in replyDocument["upserted"]?.arrayValue ?? [] {
                if let index = entry.documentValue?["index"]?.int64Value, let id = entry.documentValue?["_id"] {
                    result.upsertedIDs[Int(index)] = id
                }
            }
            if !ok {
                let written = result.inserted + result.upserted + result.modified + result.deleted
                throw context.writeFailure(error, reply: replyDocument, written: written) {
                    documentIDs.indices.contains($0) ? documentIDs[$0] : nil
                }
            }
            return result
        }
    }

    /// Inserts or replaces each document by its natural key (one or more top-level fields):
    /// the same key twice never makes two documents.
    ///
    /// ```swift
    /// try await movies.upsert(documents, key: ["id"])
    /// ```
    @discardableResult
    public func upsert(_ documents: [Document], key: [String], ordered: Bool = false) async throws(MongoError) -> BulkWriteResult {
        var models: [WriteModel] = []
        models.reserveCapacity(documents.count)
        for document in documents {
            var filter = Document()
            for field in key {
                guard let value = document[path: field] else {
                    throw MongoError(
                        .invalidDocument, operation: "upsert \(namespace)",
                        message: "a document has no key field '\(field)'; every upserted document needs \(key)")
                }
                filter[field] = value
            }
            var replacement = document
            replacement["_id"] = nil
            models.append(.replaceOne(filter: filter, replacement: replacement, upsert: true))
        }
        return try await bulkWrite(models, ordered: ordered)
    }
}

extension OperationContext {
    /// Adds one write model to a libmongoc bulk operation; returns the inserted `_id`, if any.
    /// `insertOptions` is made once per bulk operation and shared by its inserts.
    func append(_ model: WriteModel, to bulk: OpaquePointer, insertOptions: BSONHandle) throws(MongoError) -> BSONValue? {
        var error = bson_error_t()
        var insertedID: BSONValue?
        // libmongoc copies each document into the bulk operation, so the handles only need to outlive the call.
        let ok: Bool
        switch model {
        case .insertOne(let document):
            let id = document.identifierForInsert()
            insertedID = id
            let documentHandle = try handle(document, id: id)
            ok = BSONHandle.withUnsafeBSON(documentHandle, insertOptions) { document, options in
                mongoc_bulk_operation_insert_with_opts(bulk, document, options, &error)
            }
        case .replaceOne(let filter, let replacement, let upsert):
            let (filterHandle, replacementHandle, options) = (try handle(filter), try handle(replacement), try upsertOption(upsert))
            ok = BSONHandle.withUnsafeBSON(filterHandle, replacementHandle, options) { filter, replacement, options in
                mongoc_bulk_operation_replace_one_with_opts(bulk, filter, replacement, options, &error)
            }
        case .updateOne(let filter, let update, let upsert), .updateMany(let filter, let update, let upsert):
            let (filterHandle, updateHandle, options) = (try handle(filter), try handle(update), try upsertOption(upsert))
            ok = BSONHandle.withUnsafeBSON(filterHandle, updateHandle, options) { filter, update, options in
                if case .updateOne = model {
                    mongoc_bulk_operation_update_one_with_opts(bulk, filter, update, options, &error)
                } else {
                    mongoc_bulk_operation_update_many_with_opts(bulk, filter, update, options, &error)
                }
            }
        case .deleteOne(let filter), .deleteMany(let filter):
            let filterHandle = try handle(filter)
            ok = filterHandle.withUnsafeBSON { filter in
                if case .deleteOne = model {
                    mongoc_bulk_operation_remove_one_with_opts(bulk, filter, nil, &error)
                } else {
                    mongoc_bulk_operation_remove_many_with_opts(bulk, filter, nil, &error)
                }
            }
        }
        guard ok else {
            throw MongoError(
                .invalidDocument, operation: operation,
                message: "the driver refused a \(model) operation: \(MongoError.message(of: error))")
        }
        return insertedID
    }

    private func upsertOption(_ upsert: Bool) throws(MongoError) -> BSONHandle {
        try handle(["upsert": .bool(upsert)])
    }

    /// Turns a failed write's reply into an error listing each rejected document.
    func writeFailure(
        _ error: bson_error_t, reply: Document, written: Int, documentID: (Int) -> BSONValue?
    ) -> MongoError {
        var failure = MongoError(error, operation: operation, hosts: hosts)
        failure.writtenCount = written
        for entry in reply["writeErrors"]?.arrayValue ?? [] {
            guard let details = entry.documentValue else { continue }
            let index = Int(details["index"]?.int64Value ?? -1)
            let id = documentID(index).flatMap { id in
                let wrapper: Document = ["_id": id]
                return (try? wrapper.extendedJSON()).map(Self.stripIDWrapper)
            }
            failure.writeErrors.append(
                MongoError.WriteError(
                    index: index,
                    code: Int(details["code"]?.int64Value ?? 0),
                    message: details["errmsg"]?.stringValue ?? "",
                    documentID: id))
        }
        if !failure.writeErrors.isEmpty {
            let allDuplicates = failure.writeErrors.allSatisfy { $0.code == 11000 }
            failure.code = allDuplicates ? .duplicateKey : .writeFailed
            failure.serverCode = failure.writeErrors[0].code
        }
        return failure
    }

    /// `{ "_id" : 123 }` → `123`.
    private static func stripIDWrapper(_ json: String) -> String {
        var text = Substring(json)
        if let colon = text.firstIndex(of: ":") { text = text[text.index(after: colon)...] }
        if text.hasSuffix("}") { text = text.dropLast() }
        return String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
