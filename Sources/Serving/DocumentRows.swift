import EngageML
import Features
import Foundation
import MongoKit
import SourceSchemas

/// Feature rows computed from raw source documents, for `{"documents": [...]}` requests: each
/// document is normalized as the collectors would store it, then its features are evaluated by
/// the model's feature set (the same definitions the pipelines compile), and its history features
/// are looked up among the stored rows that came before it, in one aggregation for the request.
/// A feature the document cannot give is missing (the model's preprocessing imputes it, or the
/// tree routes it).
///
/// A point-in-time set (``FeatureSet/pointInTime``, such as `user_churn`) serves from stored
/// documents instead: a request names the entity (`{"user_id": "u1"}`, optionally with a past
/// cutoff), and its row is prepared from the stored source documents before the cutoff (by
/// default the next UTC midnight, so every stored event counts), as the build prepared the
/// training rows, then evaluated in Swift.
public enum DocumentRows {
    /// The feature table (in the model's feature order) of `documents`, and each document's
    /// computed features. Throws ``ServingError/fields(summary:_:)`` naming every document that
    /// cannot be normalized, by its index.
    public static func compute(
        _ documents: [Document], for model: ServedModel, database: MongoDatabase
    ) async throws -> (table: FeatureTable, features: [[String: Double?]]) {
        guard let set = model.featureSet else {
            throw ServingError.malformed("\(model.name) was trained on a feature table, not a feature set; send instances")
        }
        do {
            try set.requirePerDocument()
        } catch {
            throw ServingError.malformed("\(model.name): \(error); send instances")
        }
        let rows =
            set.pointInTime == nil
            ? try await perDocument(documents, set: set, database: database)
            : try await pointInTime(documents, set: set, database: database)
        let names = model.keys.names
        let columns = names.map { name in FeatureColumn.numeric(rows.map { ($0[name] ?? nil) ?? .nan }) }
        do {
            return (try FeatureTable(names: names, columns: columns), rows)
        } catch {
            throw ServingError.internalError("feature table of \(model.name) from documents: \(error)")
        }
    }

    /// Each document normalized, its features evaluated and its history looked up.
    private static func perDocument(_ documents: [Document], set: FeatureSet, database: MongoDatabase) async throws -> [[String: Double?]] {
        let now = Date()
        let normalized = try readEach(documents) { (raw) throws(RecordError) in try normalize(raw, source: set.source, at: now) }
        let history: [[String: Double?]]
        do {
            history = try await set.history(for: normalized, in: database)
        } catch {
            throw ServingError.database("looking up the history features of \(set.name)", error)
        }
        return zip(normalized, history).map { document, history in set.evaluate(document).merging(history) { given, _ in given } }
    }

    /// Each document's entity prepared from the stored documents at its cutoff, then evaluated.
    private static func pointInTime(_ documents: [Document], set: FeatureSet, database: MongoDatabase) async throws -> [[String: Double?]] {
        let now = Date()
        let requests = try readEach(documents) { (document) throws(PointInTimeRequestError) in
            try set.pointInTimeRequest(document, now: now)
        }
        let prepared: [Document?]
        do {
            prepared = try await set.pointInTimeDocuments(for: requests, in: database)
        } catch let error as MongoError {
            throw ServingError.database("preparing the \(set.name) rows from \(set.source)", error)
        } catch {
            throw ServingError.internalError("\(set.name): \(error)")
        }
        var problems: [FieldProblem] = []
        for (index, (request, document)) in zip(requests, prepared).enumerated() where document == nil {
            let entity = request.entity.stringValue.map { "\"\($0.prefix(60))\"" } ?? "\(request.entity)"
            problems.append(
                FieldProblem(
                    instance: index, field: set.pointInTime?.entity ?? "(document)",
                    error: "\(set.source) gives \(set.name) no row for \(entity) at cutoff \(PointInTime.dayText(request.cutoff)): "
                        + "no stored activity its preparation counts before that day"))
        }
        guard problems.isEmpty else { throw ServingError.fields(summary: "no row for these entities", problems) }
        return prepared.map { set.evaluate($0 ?? [:]) }
    }

    /// Each document as `read` gives it, or a 400 naming every document it refuses, by index, and the field.
    private static func readEach<Value, Failure: FieldRefusal>(
        _ documents: [Document], _ read: (Document) throws(Failure) -> Value
    ) throws(ServingError) -> [Value] {
        var values: [Value] = []
        var problems: [FieldProblem] = []
        for (index, document) in documents.enumerated() {
            do {
                values.append(try read(document))
            } catch {
                problems.append(FieldProblem(instance: index, field: error.field, error: error.reason))
            }
        }
        guard problems.isEmpty else { throw .fields(summary: "invalid documents", problems) }
        return values
    }

    /// The document as the collectors store it in `source`.
    private static func normalize(_ raw: Document, source: String, at now: Date) throws(RecordError) -> Document {
        switch source {
        case TikTokVideo.collection: return try TikTokVideo.normalize(raw, observedAt: now, requireStats: false).document
        case TMDBMovie.collection: return try TMDBMovie.normalize(raw, key: nil).document
        case "raw_videos":
            // Video exports have no one source shape: documents come in the stored schema
            // (`engage predict` maps a CSV's columns to it as `engage collect videos` does).
            try OperatorKeys.refuse(in: raw)
            return raw
        default:
            throw RecordError(field: "(document)", reason: "documents of \(source) cannot be normalized here; send instances")
        }
    }
}

/// A refusal of one field of a document: what ``DocumentRows`` lists in a 400.
protocol FieldRefusal: Error {
    var field: String { get }
    var reason: String { get }
}

extension RecordError: FieldRefusal {}
extension PointInTimeRequestError: FieldRefusal {}
