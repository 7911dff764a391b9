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
        let now = Date()
        var normalized: [Document] = []
        var problems: [FieldProblem] = []
        for (index, raw) in documents.enumerated() {
            do {
                normalized.append(try normalize(raw, source: set.source, at: now))
            } catch {
                problems.append(FieldProblem(instance: index, field: error.field, error: error.reason))
            }
        }
        guard problems.isEmpty else { throw ServingError.fields(summary: "invalid documents", problems) }
        let history: [[String: Double?]]
        do {
            history = try await set.history(for: normalized, in: database)
        } catch {
            throw ServingError.database("looking up the history features of \(set.name)", error)
        }
        let rows = zip(normalized, history).map { document, history in set.evaluate(document).merging(history) { given, _ in given } }
        let names = model.keys.names
        let columns = names.map { name in FeatureColumn.numeric(rows.map { ($0[name] ?? nil) ?? .nan }) }
        do {
            return (try FeatureTable(names: names, columns: columns), rows)
        } catch {
            throw ServingError.internalError("feature table of \(model.name) from documents: \(error)")
        }
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
