import Foundation
import Logging
import MongoKit

/// What one build did.
public struct FeatureBuildSummary: Sendable, Codable, Equatable {
    /// The set built.
    public var featureSet: String
    /// Its version.
    public var version: Int
    /// Its definition's SHA-256, stamped on every row.
    public var definitionHash: String
    /// Whether every row was rebuilt (first build, changed definition, or asked).
    public var full: Bool
    /// Rows written by this build, and rows in the collection after it.
    public var written: Int
    /// Rows in the feature collection after the build.
    public var rows: Int
    /// The label threshold of a quantile label, if any.
    public var labelThreshold: Double?
    /// How long the build took.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case featureSet = "feature_set", version, definitionHash = "definition_hash", full, written, rows
        case labelThreshold = "label_threshold", seconds
    }
}

/// Materializes a ``FeatureSet`` into `features_<name>` with `$merge`, entirely inside the
/// database. Incremental by default: only rows ingested since the last build are rewritten (history
/// windows still see every row); a changed definition, or `full`, rebuilds everything.
public struct FeatureBuilder: Sendable {
    /// The database holding the raw and feature collections.
    public let database: MongoDatabase
    /// The set built.
    public let set: FeatureSet
    let logger: Logger

    /// A builder of `set` in `database`.
    public init(database: MongoDatabase, set: FeatureSet, logger: Logger = Logger(label: "engage.features")) {
        self.database = database
        self.set = set
        self.logger = logger
    }

    /// Builds the set: incrementally (rows ingested since the last build), or in full when asked or when the definition changed.
    public func build(full requested: Bool = false) async throws -> FeatureBuildSummary {
        let clock = ContinuousClock()
        let start = clock.now
        let builtAt = Date()
        let builds = database.collection("feature_builds")
        let previous = try await builds.findOne(["_id": .string(set.name)])
        let sameDefinition = previous?["definition_hash"] == .string(set.definitionHash)
        let full = requested || !sameDefinition
        var since: Date?
        if !full, case .datetime(let last)? = previous?["source_ingested_through"] {
            since = last.date
        }
        let target = database.collection(set.collection)
        if full { try await target.drop() }

        // Every quantile the build needs, measured in one pass over the source (and one more
        // within each value of a `within` field: each platform gets its own cuts).
        var wanted: [(FeatureExpression, [Double])] = []
        if let quantileLabel = set.quantileLabel { wanted.append((quantileLabel.expression, [quantileLabel.quantile])) }
        if let scoring = set.scoring {
            wanted += [(scoring.views, [0.5, 0.8, 0.95, 0.99]), (scoring.viralityScore, [0.75, 0.9])]
        }
        let within = set.quantileLabel?.within ?? set.scoring?.within
        let overall = try await quantiles(wanted)
        var groups: [(value: BSONValue, quantiles: [[Double]])] = []
        if let within { groups = try await quantiles(wanted, within: within) }
        var label: FeatureExpression?
        var threshold: Double?
        var extra: Document = [:]
        var groupThresholds: [BSONValue] = []
        /// The expression of each group's cuts, chosen by the row's `within` value (overall cuts otherwise).
        func perGroup(_ make: ([[Double]]) -> BSONValue) -> BSONValue {
            guard let within, !groups.isEmpty else { return make(overall) }
            let branches: [BSONValue] = groups.map { group in
                ["case": ["$eq": [.string("$" + within), ["$literal": group.value]]], "then": make(group.quantiles)]
            }
            return ["$switch": ["branches": .array(branches), "default": make(overall)]]
        }
        if let quantileLabel = set.quantileLabel {
            func labelled(_ cut: Double) -> FeatureExpression {
                .condition(.greaterOrEqual(quantileLabel.expression, .constant(cut)), then: .constant(1), otherwise: .constant(0))
            }
            threshold = overall[0][0]
            label = labelled(overall[0][0])
            if quantileLabel.within != nil {
                extra["label"] = perGroup { labelled($0[0][0]).aggregation }
                groupThresholds = groups.map { group -> BSONValue in
                    ["within": group.value, "threshold": .double(group.quantiles[0][0])]
                }
            }
        }
        if let scoring = set.scoring {
            let offset = set.quantileLabel == nil ? 0 : 1
            func tiers(_ measured: [[Double]]) -> Document {
                let views = measured[offset], scores = measured[offset + 1]
                return scoring.tierColumns(
                    ShortVideoScores.Cuts(
                        viewsMedian: views[0], viewsP80: views[1], viewsP95: views[2], viewsP99: views[3], scoreP75: scores[0],
                        scoreP90: scores[1]))
            }
            for (name, value) in tiers(overall) {
                extra[name] = scoring.within == nil ? value : perGroup { tiers($0)[name] ?? .null }
            }
        }
        let newest = try await database.collection(set.source).aggregate([
            ["$group": ["_id": .null, "t": ["$max": "$_ingest.fetched_at"]]]
        ]).first?["t"]
        var pipeline = set.pipeline(builtAt: builtAt, onlyIngestedAfter: since, resolvedLabel: label, extraColumns: extra)
        pipeline.append(set.mergeStage)
        let before = full ? 0 : try await target.countDocuments()
        let touched: Int? = if let since { try await countRows(ingestedAfter: since) } else { nil }
        _ = try await database.collection(set.source).aggregate(pipeline)
        let rows = try await target.countDocuments()
        var record: Document = [
            "_id": .string(set.name), "version": .int64(Int64(set.version)), "definition_hash": .string(set.definitionHash),
            "built_at": .date(builtAt), "rows": .int64(Int64(rows)), "feature_names": .array(set.featureNames.map(BSONValue.string)),
            "source_ingested_through": newest ?? .null,
        ]
        if let threshold { record["label_threshold"] = .double(threshold) }
        if !groupThresholds.isEmpty { record["label_thresholds"] = .array(groupThresholds) }
        try await builds.upsert([record], key: ["_id"])
        let summary = FeatureBuildSummary(
            featureSet: set.name, version: set.version, definitionHash: set.definitionHash, full: full,
            written: touched ?? (rows - before), rows: rows, labelThreshold: threshold, seconds: (clock.now - start) / .seconds(1))
        logger.debug("features built", metadata: ["feature.set": "\(set.name)", "feature.rows": "\(rows)"])
        return summary
    }

    /// Quantiles of each expression over the set's rows (approximate, as `$percentile` computes
    /// them; values that are not numbers are skipped), all in one `$group`: one pass over the source.
    func quantiles(_ wanted: [(FeatureExpression, [Double])]) async throws -> [[Double]] {
        try await quantiles(wanted, within: nil).first?.quantiles ?? wanted.map { $0.1.map { _ in 0 } }
    }

    /// The same quantiles within each value of the field `within` (nil: one group of every row),
    /// with the values as stored.
    func quantiles(_ wanted: [(FeatureExpression, [Double])], within: String?) async throws -> [(value: BSONValue, quantiles: [[Double]])] {
        guard !wanted.isEmpty else { return [] }
        var group: Document = ["_id": within.map { .string("$" + $0) } ?? .null]
        for (index, (expression, ps)) in wanted.enumerated() {
            group["q\(index)"] = [
                "$percentile": ["input": expression.aggregation, "p": .array(ps.map(BSONValue.double)), "method": "approximate"]
            ]
        }
        let stages: [Document] =
            (set.filter.isEmpty ? [] : [["$match": .document(set.filter)]]) + [["$group": .document(group)], ["$sort": ["_id": 1]]]
        return try await database.collection(set.source).aggregate(stages).map { answer in
            let quantiles = wanted.enumerated().map { index, item in
                guard case .array(let values)? = answer["q\(index)"] else { return item.1.map { _ in 0.0 } }
                return values.map { $0.doubleValue ?? 0 }
            }
            return (answer["_id"] ?? .null, quantiles)
        }
    }

    /// Source rows ingested after `date` (nil when rows are grouped into entities first).
    private func countRows(ingestedAfter date: Date) async throws -> Int? {
        guard set.preparation.isEmpty else { return nil }
        var filter = set.filter
        filter["_ingest.fetched_at"] = ["$gt": .date(date)]
        return try await database.collection(set.source).countDocuments(filter)
    }
}
