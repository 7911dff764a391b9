import Foundation

/// A GridFS bucket (the MongoDB GridFS specification, written over ordinary collections so that it
/// works with any server): a file is one document in `<bucket>.files` and its bytes in 255 KiB
/// chunks in `<bucket>.chunks`, readable by every MongoDB driver's GridFS API.
///
/// ```swift
/// let bucket = GridFSBucket(database: database, name: "model_artifacts")
/// let id = try await bucket.upload(bytes, filename: "tiktok_virality/3/model.json")
/// let back = try await bucket.download(id)
/// ```
public struct GridFSBucket: Sendable {
    /// The database holding the bucket's two collections.
    public let database: MongoDatabase
    /// The bucket's name (`NAME.files`, `NAME.chunks`).
    public let name: String
    /// Bytes per chunk of new files (GridFS' default, 255 KiB).
    public var chunkSize = 255 * 1024

    /// The bucket `name` of `database`.
    public init(database: MongoDatabase, name: String = "fs") {
        self.database = database
        self.name = name
    }

    var files: MongoCollection { database.collection("\(name).files") }
    var chunks: MongoCollection { database.collection("\(name).chunks") }

    /// Stores `bytes` as a new file and returns its id. Chunks are written before the files
    /// document, so a reader never sees a file whose bytes are incomplete.
    public func upload(_ bytes: [UInt8], filename: String, metadata: Document = [:]) async throws(MongoError) -> ObjectId {
        let id = ObjectId()
        try await chunks.createIndexes([IndexModel(keys: ["files_id": 1, "n": 1], name: "files_id_1_n_1", unique: true)])
        var documents: [Document] = []
        var n: Int32 = 0
        for start in stride(from: 0, to: max(bytes.count, 1), by: chunkSize) where start < bytes.count || bytes.isEmpty {
            let end = min(bytes.count, start + chunkSize)
            documents.append([
                "files_id": .objectId(id), "n": .int32(n),
                "data": .binary(BSONBinary(bytes: Array(bytes[start..<end]))),
            ])
            n += 1
        }
        if !documents.isEmpty { try await chunks.insertMany(documents) }
        try await files.insertMany([
            [
                "_id": .objectId(id), "length": .int64(Int64(bytes.count)), "chunkSize": .int32(Int32(chunkSize)),
                "uploadDate": .date(Date()),
                "filename": .string(filename), "metadata": .document(metadata),
            ]
        ])
        return id
    }

    /// Deletes every file whose files document matches `filter` (e.g. on its `metadata`), chunks first.
    public func delete(_ filter: Document) async throws(MongoError) {
        let ids = try await files.find(filter, options: FindOptions(projection: ["_id": 1])).compactMap { $0["_id"] }
        guard !ids.isEmpty else { return }
        _ = try await chunks.bulkWrite([.deleteMany(filter: ["files_id": ["$in": .array(ids)]])])
        _ = try await files.bulkWrite([.deleteMany(filter: ["_id": ["$in": .array(ids)]])])
    }

    /// The bytes of file `id`; throws when the file or one of its chunks is missing.
    public func download(_ id: ObjectId) async throws(MongoError) -> [UInt8] {
        guard let file = try await files.findOne(["_id": .objectId(id)]) else {
            throw MongoError(.commandFailed, operation: "gridfs download \(database.name).\(name).files", message: "no file \(id)")
        }
        let length = Int(file["length"]?.int64Value ?? 0)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        let parts = try await chunks.find(["files_id": .objectId(id)], options: FindOptions(sort: ["n": 1]))
        for (expected, part) in parts.enumerated() {
            guard part["n"]?.int64Value == Int64(expected), case .binary(let data)? = part["data"] else {
                throw MongoError(
                    .commandFailed, operation: "gridfs download \(database.name).\(name).chunks",
                    message: "file \(id) is missing chunk \(expected)")
            }
            bytes += data.bytes
        }
        guard bytes.count == length else {
            throw MongoError(
                .commandFailed, operation: "gridfs download \(database.name).\(name).chunks",
                message: "file \(id) has \(bytes.count) bytes, its files document says \(length)")
        }
        return bytes
    }
}
