import EngageML
import Foundation
import Hashing
import MongoKit

/// One registered version, as the `models` collection records it.
public struct ModelRecord: Sendable, Codable, Equatable {
    /// The model name.
    public var name: String
    /// The version number (1, 2, …).
    public var version: Int
    /// What the model predicts.
    public var task: LearningTask
    /// The algorithm family.
    public var algorithm: AlgorithmSpec.Family
    /// The feature set it was trained on.
    public var featureSet: String
    /// SHA-256 of the artifact's bytes, checked on every load.
    public var sha256: String
    /// Where the trainer wrote the artifact (for people; loads read the registry's own folder).
    public var path: String
    /// The held-out metrics.
    public var metrics: [String: Double]
    /// When the version was trained.
    public var createdAt: Date
    /// Whether the version is archived (loadable by number, never latest or promoted).
    public var archived: Bool
    /// Aliases pointing at this version.
    public var aliases: [String]

    enum CodingKeys: String, CodingKey {
        case name, version, task, algorithm, featureSet = "feature_set", sha256, path, metrics, createdAt = "created_at", archived, aliases
    }
}

/// Versioned model artifacts: each model name has versions 1, 2, 3…; every version's JSON is
/// written to `FOLDER/NAME/VERSION/model.json` and the same bytes to GridFS (bucket
/// `model_artifacts`), its SHA-256 recorded in `models` and checked on every load. Aliases
/// (`production`, `staging`, any name) live in `model_aliases` and move with ``promote(_:version:alias:)``.
///
/// Registering is safe when several trainers register the same name at once: a version number is
/// claimed first by inserting its record (the unique `(name, version)` index lets exactly one
/// claim win; the others take the next number), then the files are written under it, then the
/// record is marked ready. A version whose trainer died between the claim and the mark stays
/// `registering`: it is never resolved, listed or served, and the next registration of the name
/// removes it with its files once it is older than ``abandonedAfter``.
public struct ModelRegistry: Sendable {
    /// The database holding `models`, `model_aliases` and the `model_artifacts` GridFS bucket.
    public let database: MongoDatabase
    /// The local artifact folder: every version is read from and written under it.
    public let folder: String
    /// How long a claimed version may stay unfinished before it is taken for abandoned.
    public var abandonedAfter: Duration = .seconds(600)

    /// A registry over `database`, with local artifacts under `folder`.
    public init(database: MongoDatabase, folder: String = "models") {
        self.database = database
        self.folder = folder
    }

    var models: MongoCollection { database.collection("models") }
    var aliases: MongoCollection { database.collection("model_aliases") }
    var bucket: GridFSBucket { GridFSBucket(database: database, name: "model_artifacts") }

    /// The `status` condition of records that are ready to use: finished registrations (and
    /// records from before the `status` field, which were written in one step).
    static let readyStatus: BSONValue = ["$ne": "registering"]

    /// Where a version's files live, under ``folder``.
    public func directory(_ name: String, version: Int) -> String { "\(folder)/\(name)/\(version)" }

    /// Registers `artifact` as the next version of its name; returns the artifact as saved.
    /// - Throws: ``RegistryError/invalidName(_:reason:)`` for a name outside ``ModelName``'s rules.
    public func register(_ artifact: ModelArtifact) async throws -> (ModelArtifact, ModelRecord) {
        try ModelName.validate(artifact.name)
        try await models.createIndexes([IndexModel(keys: ["name": 1, "version": 1], name: "name_1_version_1", unique: true)])
        try await removeAbandoned(artifact.name)
        var saved = artifact
        saved.version = try await claimVersion(for: artifact)
        let bytes = try saved.encoded()
        let sha = SHA256.hex(bytes)
        let directory = directory(saved.name, version: saved.version)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/model.json"), options: .atomic)
        try JSONCoding.readableEncoder().encode(saved.metadata).write(
            to: URL(fileURLWithPath: "\(directory)/metadata.json"), options: .atomic)
        let fileID = try await bucket.upload(
            bytes, filename: "\(saved.name)/\(saved.version)/model.json",
            metadata: ["sha256": .string(sha), "model": .string(saved.name), "version": .int64(Int64(saved.version))])
        _ = try await models.bulkWrite([
            .updateOne(
                filter: ["_id": .string("\(saved.name)@\(saved.version)")],
                update: [
                    "$set": [
                        "sha256": .string(sha), "gridfs_id": .objectId(fileID), "path": .string("\(directory)/model.json"),
                        "status": "ready",
                    ], "$unset": ["claimed_at": ""],
                ],
                upsert: false)
        ])
        return (saved, try await record(saved.name, version: saved.version))
    }

    /// Inserts the record of the next free version, retrying with the next number when another
    /// registration took it first.
    private func claimVersion(for artifact: ModelArtifact) async throws -> Int {
        var metrics = Document()
        for (key, value) in artifact.metadata.metrics.sorted(by: { $0.key < $1.key }) { metrics[key] = .double(value) }
        for _ in 0..<64 {
            let latest = try await models.find(["name": .string(artifact.name)], options: FindOptions(sort: ["version": -1], limit: 1))
                .first
            let version = Int(latest?["version"]?.int64Value ?? 0) + 1
            let claim: Document = [
                "_id": .string("\(artifact.name)@\(version)"), "name": .string(artifact.name), "version": .int64(Int64(version)),
                "task": .string(artifact.task.rawValue), "algorithm": .string(artifact.metadata.algorithm.rawValue),
                "feature_set": .string(artifact.metadata.featureSet.name), "metrics": .document(metrics),
                "created_at": .date(artifact.metadata.createdAt), "archived": false, "status": "registering", "claimed_at": .date(Date()),
            ]
            if try await insertUnlessTaken(claim) { return version }
        }
        throw RegistryError.busy(model: artifact.name)
    }

    /// Inserts `record`; false when its key is taken (another registration claimed the version).
    private func insertUnlessTaken(_ record: Document) async throws(MongoError) -> Bool {
        do {
            try await models.insertMany([record])
            return true
        } catch {
            guard error.code == .duplicateKey else { throw error }
            return false
        }
    }

    /// Removes versions of `name` whose registration was claimed longer than ``abandonedAfter`` ago
    /// and never finished: their record, their GridFS file and their local folder.
    public func removeAbandoned(_ name: String) async throws {
        let cutoff = Date().addingTimeInterval(-(abandonedAfter / .seconds(1)))
        let abandoned = try await models.find(["name": .string(name), "status": "registering", "claimed_at": ["$lt": .date(cutoff)]])
        for record in abandoned {
            guard let version = record["version"]?.int64Value else { continue }
            try await bucket.delete(["metadata.model": .string(name), "metadata.version": .int64(version)])
            try? FileManager.default.removeItem(atPath: directory(name, version: Int(version)))
            _ = try await models.bulkWrite([.deleteOne(filter: ["_id": .string("\(name)@\(version)"), "status": "registering"])])
        }
    }

    /// The version a reference names: a number, an alias, or (nil) the newest version not archived.
    public func resolve(_ name: String, reference: String? = nil) async throws -> Int {
        if let reference, let number = Int(reference) {
            guard try await models.findOne(readyRecord(name, version: number)) != nil else {
                throw RegistryError.unknownVersion(model: name, reference: reference)
            }
            return number
        }
        if let reference {
            guard let alias = try await aliases.findOne(["_id": Self.aliasKey(name, reference)]), let version = alias["version"]?.int64Value
            else {
                throw RegistryError.unknownVersion(model: name, reference: reference)
            }
            return Int(version)
        }
        var newest: Document = ["name": .string(name), "archived": false]
        newest["status"] = Self.readyStatus
        guard let latest = try await models.find(newest, options: FindOptions(sort: ["version": -1], limit: 1)).first,
            let version = latest["version"]?.int64Value
        else { throw RegistryError.unknownModel(name) }
        return Int(version)
    }

    /// Loads a version's artifact, from its file under ``folder`` when present or else from GridFS,
    /// and refuses it unless its SHA-256 matches the recorded one and its schema version is known.
    public func load(_ name: String, reference: String? = nil) async throws -> ModelArtifact {
        let version = try await resolve(name, reference: reference)
        guard let document = try await models.findOne(readyRecord(name, version: version)),
            case .string(let expected)? = document["sha256"]
        else { throw RegistryError.unknownVersion(model: name, reference: String(version)) }
        var bytes: [UInt8]
        if let local = FileManager.default.contents(atPath: "\(directory(name, version: version))/model.json") {
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

    /// Points `alias` of `name` at `version`, which must exist, not be archived, and load: its
    /// artifact must match its recorded SHA-256, so a tampered version is never promoted.
    public func promote(_ name: String, version: Int, alias: String) async throws {
        try ModelName.validate(alias, what: "alias")
        guard Int(alias) == nil else {
            throw RegistryError.invalidName(alias, reason: "an alias cannot be a number: it would read as a version")
        }
        let record = try await record(name, version: version)
        guard !record.archived else { throw RegistryError.archived(model: name, version: version) }
        _ = try await load(name, reference: String(version))
        try await aliases.upsert(
            [
                [
                    "_id": Self.aliasKey(name, alias), "name": .string(name), "alias": .string(alias), "version": .int64(Int64(version)),
                    "moved_at": .date(Date()),
                ]
            ], key: ["_id"])
    }

    /// An alias document's key: the model and the alias as separate fields, so that no choice of
    /// names can make two aliases share a key (`a` + `b:c` against `a:b` + `c`).
    static func aliasKey(_ name: String, _ alias: String) -> BSONValue {
        .document(["name": .string(name), "alias": .string(alias)])
    }

    private func readyRecord(_ name: String, version: Int) -> Document {
        var filter: Document = ["_id": .string("\(name)@\(version)")]
        filter["status"] = Self.readyStatus
        return filter
    }

    /// Archives a version: it stays loadable by number but is no longer "latest" and cannot be promoted.
    public func archive(_ name: String, version: Int) async throws {
        _ = try await record(name, version: version)
        _ = try await models.bulkWrite([
            .updateOne(filter: ["_id": .string("\(name)@\(version)")], update: ["$set": ["archived": true]], upsert: false)
        ])
    }

    /// Every version of every model (or of `name`), newest first within a name; `withAliases: false`
    /// leaves each record's aliases empty and reads only the `models` collection.
    public func list(_ name: String? = nil, withAliases: Bool = true) async throws -> [ModelRecord] {
        var filter: Document = name.map { ["name": .string($0)] } ?? [:]
        filter["status"] = Self.readyStatus
        let documents = try await models.find(filter, options: FindOptions(sort: ["name": 1, "version": -1]))
        let aliasDocuments = withAliases ? try await aliases.find(name.map { ["name": .string($0)] } ?? [:]) : []
        return documents.compactMap { record(from: $0, aliases: aliasDocuments) }
    }

    /// One version's record.
    public func record(_ name: String, version: Int) async throws -> ModelRecord {
        guard let document = try await models.findOne(readyRecord(name, version: version)),
            let record = record(from: document, aliases: try await aliases.find(["name": .string(name)]))
        else {
            throw RegistryError.unknownVersion(model: name, reference: String(version))
        }
        return record
    }

    /// The record a `models` document describes; nil for one this code did not write (an unknown
    /// task or algorithm), which is then neither listed nor loaded.
    private func record(from document: Document, aliases: [Document]) -> ModelRecord? {
        guard let task = document["task"]?.stringValue.flatMap(LearningTask.init(rawValue:)),
            let algorithm = document["algorithm"]?.stringValue.flatMap(AlgorithmSpec.Family.init(rawValue:))
        else { return nil }
        let name = document["name"]?.stringValue ?? ""
        let version = Int(document["version"]?.int64Value ?? 0)
        var metrics: [String: Double] = [:]
        if case .document(let values)? = document["metrics"] {
            for (key, value) in values { metrics[key] = value.doubleValue }
        }
        var created = Date(timeIntervalSince1970: 0)
        if case .datetime(let ms)? = document["created_at"] { created = ms.date }
        return ModelRecord(
            name: name, version: version, task: task, algorithm: algorithm,
            featureSet: document["feature_set"]?.stringValue ?? "", sha256: document["sha256"]?.stringValue ?? "",
            path: document["path"]?.stringValue ?? "", metrics: metrics, createdAt: created, archived: document["archived"] == .bool(true),
            aliases: aliases.filter { $0["name"]?.stringValue == name && $0["version"]?.int64Value == Int64(version) }.compactMap {
                $0["alias"]?.stringValue
            }.sorted())
    }
}
