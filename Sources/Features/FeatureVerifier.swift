import MongoKit

/// Checks a built feature collection against what serving would compute for the same raw
/// documents: for every row, every per-document feature and score stored by the build must equal
/// the value ``FeatureSet/evaluate(_:)`` gives in Swift, and every history feature the value
/// ``FeatureSet/history(for:in:)`` looks up for the document (both missing, or within 1e-9 relative).
/// For a set whose preparation groups raw documents into entities (creators, users at cutoffs),
/// the documents evaluated are the preparation's output, as serving evaluates them.
public struct FeatureVerification: Sendable, Codable, Equatable {
    /// One disagreement.
    public struct Mismatch: Sendable, Codable, Equatable {
        /// The row's id.
        public var id: String
        /// The feature that differs.
        public var feature: String
        /// The value stored by the pipeline.
        public var database: Double?
        /// The value serving computes for the raw document (in Swift, or by the history lookup).
        public var swift: Double?
    }

    /// The set verified.
    public var featureSet: String
    /// Rows compared.
    public var rows: Int
    /// Values compared.
    public var compared: Int
    /// Every value that differs.
    public var mismatches: [Mismatch]

    enum CodingKeys: String, CodingKey { case featureSet = "feature_set", rows, compared, mismatches }

    /// Verifies `set`.
    public static func verify(_ set: FeatureSet, in database: MongoDatabase) async throws -> FeatureVerification {
        // History is looked up per raw document, which grouped rows do not have.
        if !set.history.isEmpty, !set.preparation.isEmpty { throw FeatureDefinitionError.notPerDocument(set.name) }
        let rows = try await database.collection(set.collection).find()
        let raw =
            set.preparation.isEmpty
            ? try await database.collection(set.source).find(set.filter)
            : try await database.collection(set.source).aggregate(set.preparedStages)
        let byID = Dictionary(
            raw.compactMap { document in document["_id"].map { ($0, document) } }, uniquingKeysWith: { first, _ in first })
        var result = FeatureVerification(featureSet: set.name, rows: rows.count, compared: 0, mismatches: [])
        func compare(_ id: BSONValue, _ feature: String, database: Double?, swift: Double?) {
            result.compared += 1
            let agree: Bool =
                switch (swift, database) {
                case (nil, nil): true
                case (let a?, let b?): abs(a - b) <= 1e-9 * max(1, abs(a))
                default: false
                }
            if !agree, result.mismatches.count < 100 {
                result.mismatches.append(Mismatch(id: "\(id)", feature: feature, database: database, swift: swift))
            }
        }
        var pairs: [(id: BSONValue, row: Document, document: Document)] = []
        for row in rows {
            guard let id = row["_id"], let document = byID[id] else { continue }
            pairs.append((id, row, document))
            for feature in set.features + set.scores {
                compare(id, feature.name, database: row[feature.name]?.doubleValue, swift: feature.expression.evaluate(document))
            }
        }
        if let first = set.history.first {
            // Served as probes, in the order of their first partition, so that each aggregation
            // brings in the stored rows of few partitions.
            let ordered = pairs.map { ("\(first.partition.keys(in: $0.document))", $0) }.sorted { $0.0 < $1.0 }.map(\.1)
            let served = try await set.history(for: ordered.map(\.document), in: database)
            for (pair, values) in zip(ordered, served) {
                for name in set.historyNames {
                    compare(pair.id, name, database: pair.row[name]?.doubleValue, swift: values[name] ?? nil)
                }
            }
        }
        return result
    }
}
