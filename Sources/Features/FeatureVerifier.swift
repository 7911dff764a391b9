import MongoKit

/// Checks a built feature collection against the same definitions evaluated in Swift: for every
/// row, every per-document feature and score computed by the database must equal the value
/// ``FeatureSet/evaluate(_:)`` gives on the raw document (both missing, or within 1e-9 relative).
public struct FeatureVerification: Sendable, Codable, Equatable {
    /// One disagreement.
    public struct Mismatch: Sendable, Codable, Equatable {
        /// The row's id.
        public var id: String
        /// The feature that differs.
        public var feature: String
        /// The value stored by the pipeline.
        public var database: Double?
        /// The value Swift computes from the raw document.
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

    /// Verifies `set` (rows built from grouped entities cannot be re-evaluated per raw document and are refused).
    public static func verify(_ set: FeatureSet, in database: MongoDatabase) async throws -> FeatureVerification {
        try set.requirePerDocument()
        let rows = try await database.collection(set.collection).find()
        let raw = try await database.collection(set.source).find(set.filter)
        let byID = Dictionary(
            raw.compactMap { document in document["_id"].map { ($0, document) } }, uniquingKeysWith: { first, _ in first })
        var result = FeatureVerification(featureSet: set.name, rows: rows.count, compared: 0, mismatches: [])
        for row in rows {
            guard let id = row["_id"], let document = byID[id] else { continue }
            for feature in set.features + set.scores {
                let inSwift = feature.expression.evaluate(document)
                let inDatabase = row[feature.name]?.doubleValue
                result.compared += 1
                let agree: Bool =
                    switch (inSwift, inDatabase) {
                    case (nil, nil): true
                    case (let a?, let b?): abs(a - b) <= 1e-9 * max(1, abs(a))
                    default: false
                    }
                if !agree, result.mismatches.count < 100 {
                    result.mismatches.append(Mismatch(id: "\(id)", feature: feature.name, database: inDatabase, swift: inSwift))
                }
            }
        }
        return result
    }
}
