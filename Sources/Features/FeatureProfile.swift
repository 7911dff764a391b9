import MongoKit

/// A built feature collection described: rows, label balance, and per feature the share of
/// missing values and min / median / max, all computed by one aggregation in the database.
public struct FeatureProfile: Sendable, Codable, Equatable {
    /// One column's profile.
    public struct Column: Sendable, Codable, Equatable {
        /// The column.
        public var name: String
        /// `feature`, `history`, `label` or `score`.
        public var kind: String
        /// Rows where it is present.
        public var present: Int
        /// The share of rows where it is missing.
        public var nullRate: Double
        /// The smallest value.
        public var min: Double?
        /// The median value.
        public var median: Double?
        /// The largest value.
        public var max: Double?

        enum CodingKeys: String, CodingKey {
            case name, kind, present, nullRate = "null_rate", min, median, max
        }
    }

    /// The set profiled.
    public var featureSet: String
    /// Its task.
    public var task: String
    /// Its version.
    public var version: Int
    /// Its definition's SHA-256.
    public var definitionHash: String
    /// Rows in the feature collection.
    public var rows: Int
    /// Every column's profile.
    public var columns: [Column]
    /// Rows per label value (classification), or nil.
    public var labelCounts: [String: Int]?
    /// Rows per performance tier and viral potential (short-video sets), or nil.
    public var tiers: [String: Int]?
    /// Rows per viral potential (short-video sets).
    public var potential: [String: Int]?

    enum CodingKeys: String, CodingKey {
        case featureSet = "feature_set", task, version, definitionHash = "definition_hash", rows, columns
        case labelCounts = "label_counts", tiers, potential
    }

    /// The profile of `set`'s built collection in `database`.
    public static func measure(_ set: FeatureSet, in database: MongoDatabase) async throws -> FeatureProfile {
        let collection = database.collection(set.collection)
        let rows = try await collection.countDocuments()
        var kinds: [(String, String)] = set.features.map { ($0.name, "feature") } + set.historyNames.map { ($0, "history") }
        if set.label != nil || set.quantileLabel != nil { kinds.append(("label", "label")) }
        kinds += set.scores.map { ($0.name, "score") }
        var group: Document = ["_id": .null]
        for (index, (name, _)) in kinds.enumerated() {
            let value: BSONValue = ["$convert": ["input": .string("$" + name), "to": "double", "onError": .null, "onNull": .null]]
            group["n\(index)"] = ["$sum": ["$cond": [["$in": [["$type": .string("$" + name)], ["null", "missing"]]], 0, 1]]]
            group["lo\(index)"] = ["$min": value]
            group["hi\(index)"] = ["$max": value]
            group["md\(index)"] = ["$percentile": ["input": value, "p": [0.5], "method": "approximate"]]
        }
        let summary = rows == 0 ? nil : try await collection.aggregate([["$group": .document(group)]]).first
        let columns = kinds.enumerated().map { index, entry in
            let present = summary?["n\(index)"]?.int64Value.map(Int.init) ?? 0
            var median: Double?
            if case .array(let values)? = summary?["md\(index)"] { median = values.first?.doubleValue }
            return Column(
                name: entry.0, kind: entry.1, present: present, nullRate: rows == 0 ? 0 : 1 - Double(present) / Double(rows),
                min: summary?["lo\(index)"]?.doubleValue, median: median, max: summary?["hi\(index)"]?.doubleValue)
        }
        var profile = FeatureProfile(
            featureSet: set.name, task: set.task.rawValue, version: set.version, definitionHash: set.definitionHash, rows: rows,
            columns: columns)
        if set.task == .classification { profile.labelCounts = try await counts("label", in: collection) }
        if !set.scores.isEmpty {
            profile.tiers = try await counts("performance_tier", in: collection)
            profile.potential = try await counts("viral_potential", in: collection)
        }
        return profile
    }

    private static func counts(_ field: String, in collection: MongoCollection) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for row in try await collection.aggregate([["$group": ["_id": .string("$" + field), "n": ["$sum": 1]]]]) {
            let key: String =
                switch row["_id"] {
                case .string(let text)?: text
                case let value? where value.doubleValue != nil: String(Int(value.doubleValue!))
                default: "missing"
                }
            out[key] = row["n"]?.int64Value.map(Int.init) ?? 0
        }
        return out
    }
}
