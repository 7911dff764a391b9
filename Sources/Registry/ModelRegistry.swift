import Foundation
import Hashing
import MongoKit

/// One registered version, as the `models` collection records it.
public struct ModelRecord: Sendable, Codable, Equatable {
    public var name: String
    public var version: Int
    public var task: String
    public var algorithm: String
    public var featureSet: String
    public var sha256: String
    public var path: String
    public var metrics: [String: Double]
    public var createdAt: Date
    public var archived: Bool
    /// Aliases pointing at this version.
    public var aliases: [String]

    enum CodingKeys: String, CodingKey {
        case name, version, task, algorithm, featureSet = "feature_set", sha256, path, metrics, createdAt = "created_at", archived, aliases
    }
}

/// Versioned model artifacts: each model name has versions 1, 2, 3…; every version's JSON is
/// written to `models/NAME/VERSION/model.json` and the same bytes to GridFS (bucket
/// `model_artifacts`), its SHA-256 recorded in `models` and checked on every load. Aliases
/// (`production`, `staging`, any name) live in `model_aliases` and move with ``promote(_:version:alias:)``.
public struct ModelRegistry: Sendable {
    public let database: MongoDatabase
    /// The local artifact folder.
    public let folder: String

    public init(database: MongoDatabase, folder: String = "models") {
        self.database = database
        self.folder = folder
    }

    var models: MongoCollection { database.collection("models") }
    var aliases: MongoCollection { database.collection("model_aliases") }
    var bucket: GridFSBucket { GridFSBucket(database: database, name: "model_artifacts") }

    /// Registers `artifact` as the next version of its name; returns the artifact as saved.
    public func register(_ artifact: ModelArtifact) async throws -> (ModelArtifact, ModelRecord) {
        try await models.createIndexes([IndexModel(keys: ["name": 1, "version": 1], name: "name_1_version_1", unique: true)])
        let latest = try await models.find(["name": .string(artifact.name)], options: FindOptions(sort: ["version": -1], limit: 1)).first
        var saved = artifact
        saved.version = Int(latest?["version"]?.int64Value ?? 0) + 1
        let bytes = try saved.encoded()
        let sha = SHA256.hex(bytes)
        let directory = "\(folder)/\(saved.name)/\(saved.version)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/model.json"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(saved.metadata).write(to: URL(fileURLWithPath: "\(directory)/metadata.json"))
        let fileID = try await bucket.upload(bytes, filename: "\(saved.name)/\(saved.version)/model.json", metadata: ["sha256": .string(sha)])
        var metrics = Document()
        for (key, value) in saved.metadata.metrics.sorted(by: { $0.key < $1.key }) { metrics[key] = .double(value) }
        try await models.insertMany([[
            "_id": .string("\(saved.name)@\(saved.version)"), "name": .string(saved.name), "version": .int64(Int64(saved.version)),
            "task": .string(saved.task), "algorithm": .string(saved.metadata.algorithm), "feature_set": .string(saved.metadata.featureSet.name),
            "sha256": .string(sha), "gridfs_id": .objectId(fileID), "path": .string("\(directory)/model.json"),
            "metrics": .document(metrics), "created_at": .date(saved.metadata.createdAt),
            "archived": false,
        ]])
        return (saved, try await record(saved.name, version: saved.version))
    }

    /// The version a reference names: a number, an alias, or (nil) the newest version not archived.
    public func resolve(_ name: String, reference: String? = nil) async throws -> Int {
        if let reference, let number = Int(reference) {
            guard try await models.findOne(["_id": .string("\(name)@\(number)")]) != nil else {
                throw RegistryError.unknownVersion(model: name, reference: reference)
            }
            return number
        }
        if let reference {
            guard let alias = try await aliases.findOne(["_id": .string("\(name):\(reference)")]), let version = alias["version"]?.int64Value else {
                throw RegistryError.unknownVersion(model: name, reference: reference)
            }
            return Int(version)
        }
        guard let latest = try await models.find(["name": .string(name), "archived": false], options: FindOptions(sort: ["version": -1], limit: 1)).first,
              let version = latest["version"]?.int64Value
        else { throw RegistryError.unknownModel(name) }
        return Int(version)
    }

    /// Loads a version's artifact, from the local file when present or else from GridFS, and
    /// refuses it unless its SHA-256 matches the recorded one and its schema version is known.
    public func load(_ name: String, reference: String? = nil) async throws -> ModelArtifact {
        let version = try await resolve(name, reference: reference)
        guard let document = try await models.findOne(["_id": .string("\(name)@\(version)")]),
              case .string(let expected)? = document["sha256"]
        else { throw RegistryError.unknownVersion(model: name, reference: String(version)) }
        var bytes: [UInt8]
        if case .string(let path)? = document["path"], let local = FileManager.default.contents(atPath: path) {
            bytes = Array(local)
        } else if case .objectId(let id)? = document["gridfs_id"] {
            bytes = try await bucket.download(id)
        } else {
            throw RegistryError.unknownVersion(model: name, reference: String(version))
        }
        let found = SHA256.hex(bytes)
        guard found == expected else { throw RegistryError.checksumMismatch(model: "\(name)@\(version)", expected: expected, found: found) }
        return try ModelArtifact.decode(bytes)
    }

    /// Points `alias` of `name` at `version` (which must exist and not be archived).
    public func promote(_ name: String, version: Int, alias: String) async throws {
        let record = try await record(name, version: version)
        guard !record.archived else { throw RegistryError.archived(model: name, version: version) }
        try await aliases.upsert([[
            "_id": .string("\(name):\(alias)"), "name": .string(name), "alias": .string(alias), "version": .int64(Int64(version)),
            "moved_at": .date(Date()),
        ]], key: ["_id"])
    }

    /// Archives a version: it stays loadable by number but is no longer "latest" and cannot be promoted.
    public func archive(_ name: String, version: Int) async throws {
        _ = try await record(name, version: version)
        _ = try await models.bulkWrite([.updateOne(filter: ["_id": .string("\(name)@\(version)")], update: ["$set": ["archived": true]], upsert: false)])
    }

    /// Every version of every model (or of `name`), newest first within a name.
    public func list(_ name: String? = nil) async throws -> [ModelRecord] {
        let filter: Document = name.map { ["name": .string($0)] } ?? [:]
        let documents = try await models.find(filter, options: FindOptions(sort: ["name": 1, "version": -1]))
        let aliasDocuments = try await aliases.find(name.map { ["name": .string($0)] } ?? [:])
        return documents.map { record(from: $0, aliases: aliasDocuments) }
    }

    /// One version's record.
    public func record(_ name: String, version: Int) async throws -> ModelRecord {
        guard let document = try await models.findOne(["_id": .string("\(name)@\(version)")]) else {
            throw RegistryError.unknownVersion(model: name, reference: String(version))
        }
        return record(from: document, aliases: try await aliases.find(["name": .string(name)]))
    }

    private func record(from document: Document, aliases: [Document]) -> ModelRecord {
        let name = document["name"]?.stringValue ?? ""
        let version = Int(document["version"]?.int64Value ?? 0)
        var metrics: [String: Double] = [:]
        if case .document(let values)? = document["metrics"] {
            for (key, value) in values { metrics[key] = value.doubleValue }
        }
        var created = Date(timeIntervalSince1970: 0)
        if case .datetime(let ms)? = document["created_at"] { created = ms.date }
        return ModelRecord(
            name: name, version: version, task: document["task"]?.stringValue ?? "", algorithm: document["algorithm"]?.stringValue ?? "",
            featureSet: document["feature_set"]?.stringValue ?? "", sha256: document["sha256"]?.stringValue ?? "",
            path: document["path"]?.stringValue ?? "", metrics: metrics, createdAt: created, archived: document["archived"] == .bool(true),
            aliases: aliases.filter { $0["name"]?.stringValue == name && $0["version"]?.int64Value == Int64(version) }.compactMap { $0["alias"]?.stringValue }.sorted())
    }
}
