import EngageML
import Foundation
import Hashing
import MongoKit

/// A named feature of a ``FeatureSet``.
public struct Feature: Sendable, Equatable {
    /// The column name in the feature collection and the model input.
    public let name: String
    /// How it is computed, in MongoDB and in Swift alike.
    public let expression: FeatureExpression

    /// A feature named `name`, computed by `expression`.
    public init(_ name: String, _ expression: FeatureExpression) {
        self.name = name
        self.expression = expression
    }
}

/// A feature set: the entity it describes, where its rows come from, its features (known at
/// posting or release time), history features, its label and task.
///
/// The leakage guard runs at definition time: a feature that reads one of the declared outcome
/// fields (or anything below them) is refused, because the model would learn from the answer.
public struct FeatureSet: Sendable, Equatable {
    /// The set's name (`tiktok_virality`).
    public let name: String
    /// Its version; a changed definition under the same version still rebuilds (the hash changes).
    public let version: Int
    /// What a model learns from the set (EngageML's one ``LearningTask``).
    public let task: LearningTask
    /// The raw collection the rows come from.
    public let source: String
    /// Field paths known only after the outcome (stats, revenue, votes, popularity).
    public let outcomeFields: Set<String>
    /// Rows to keep (e.g. movies whose budget and revenue are both known).
    public let filter: Document
    /// The time the row's entity appeared (posting time, release date), for time splits and history order.
    public let timeField: String
    /// Features computed from each row alone.
    public let features: [Feature]
    /// Features computed over strictly earlier rows of a partition.
    public let history: [HistoryWindow]
    /// The label (nil for clustering); it may read outcome fields.
    public let label: FeatureExpression?
    /// Stages that run before the features, after the filter (grouping rows into entities, for example).
    public let preparation: [Document]
    /// The cutoffs of a point-in-time set (one row per entity and cutoff), set before the preparation runs.
    public let pointInTime: PointInTime?
    /// Outcome-derived columns stored beside the features for reports and labels, never model inputs.
    public let scores: [Feature]
    /// A label set from a quantile of an expression at build time (e.g. the top 10 % virality score).
    public let quantileLabel: QuantileLabel?
    /// The short-video scoring layer whose tiers the build adds (with `scores` its rate columns).
    public let scoring: ShortVideoScores?

    /// A set, refused when a feature reads an outcome field or a name is given twice.
    public init(
        name: String, version: Int, task: LearningTask, source: String, outcomeFields: Set<String>, filter: Document = [:],
        timeField: String, features: [Feature], history: [HistoryWindow] = [], label: FeatureExpression?,
        preparation: [Document] = [], pointInTime: PointInTime? = nil, scores: [Feature] = [], scoring: ShortVideoScores? = nil,
        quantileLabel: QuantileLabel? = nil
    ) throws(FeatureDefinitionError) {
        if pointInTime != nil, preparation.isEmpty || !history.isEmpty {
            throw .pointInTimeShape(name)
        }
        for feature in features {
            for path in feature.expression.fieldsRead {
                if let outcome = outcomeFields.first(where: { path == $0 || path.hasPrefix($0 + ".") }) {
                    throw .leakage(featureSet: name, feature: feature.name, field: path, outcome: outcome)
                }
            }
        }
        let names = features.map(\.name) + history.flatMap(\.outputs).map(\.name)
        if let duplicate = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw .duplicateName(featureSet: name, feature: duplicate)
        }
        self.name = name
        self.version = version
        self.task = task
        self.source = source
        self.outcomeFields = outcomeFields
        self.filter = filter
        self.timeField = timeField
        self.features = features
        self.history = history
        self.label = label
        self.preparation = preparation
        self.pointInTime = pointInTime
        self.scores = scores
        self.quantileLabel = quantileLabel
        self.scoring = scoring
    }

    /// Every feature name, per-document features first, then history features.
    public var featureNames: [String] { features.map(\.name) + historyNames }

    /// The history features' names, in declaration order.
    public var historyNames: [String] { history.flatMap(\.outputs).map(\.name) }

    /// The collection the set is materialized into.
    public var collection: String { "features_\(name)" }

    /// The last stage of a build: each computed row replaces its stored row, or is inserted.
    public var mergeStage: Document {
        ["$merge": ["into": .string(collection), "on": "_id", "whenMatched": "replace", "whenNotMatched": "insert"]]
    }

    /// The aggregation that computes the rows: filter, preparation, history windows, then one
    /// `$project` with every feature, the label, the scores and the entity's time, stamped with the
    /// set's name, version, definition hash and build time.
    public func pipeline(
        builtAt: Date, onlyIngestedAfter: Date? = nil, resolvedLabel: FeatureExpression? = nil, extraColumns: Document = [:]
    ) -> [Document] {
        var stages = computation(onlyIngestedAfter: onlyIngestedAfter)
        var projection = projection(label: resolvedLabel ?? label)
        for (key, value) in extraColumns { projection[key] = value }
        projection["_feature_set"] = [
            "$literal": .document([
                "name": .string(name), "version": .int64(Int64(version)), "definition_hash": .string(definitionHash),
                "built_at": .date(builtAt),
            ])
        ]
        stages.append(["$project": .document(projection)])
        return stages
    }

    /// SHA-256 of the definition (name, version, source and the computation): a changed feature changes it.
    public var definitionHash: String {
        var description = projection(label: label)
        if let quantileLabel {
            description["label"] = [
                "quantile": .double(quantileLabel.quantile), "of": quantileLabel.expression.aggregation,
                "within": quantileLabel.within.map(BSONValue.string) ?? .null,
            ]
        }
        let stages = computation(onlyIngestedAfter: nil) + [["$project": .document(description)]]
        let text = stages.compactMap { try? $0.extendedJSON(.canonical) }.joined(separator: "\n")
        return SHA256.hex(Array("\(name)|\(version)|\(source)|\(text)".utf8))
    }

    /// The stages that give the documents the features read: the filter, the cutoffs of a
    /// point-in-time set, and the preparation (none of them for a set of raw documents as stored).
    var preparedStages: [Document] {
        (filter.isEmpty ? [] : [["$match": .document(filter)]]) + (pointInTime?.trainingStages ?? []) + preparation
    }

    private func computation(onlyIngestedAfter: Date?) -> [Document] {
        var stages = preparedStages
        stages += HistoryWindow.stages(history, timeField: timeField, probes: false)
        if let onlyIngestedAfter {
            // Windows above saw every row; only rows ingested since the last build are rewritten.
            stages.append(["$match": ["_ingest.fetched_at": ["$gt": .date(onlyIngestedAfter)]]])
        }
        return stages
    }

    private func projection(label: FeatureExpression?) -> Document {
        var projection: Document = [
            "_id": 1, "entity_time": ["$convert": ["input": .string("$" + timeField), "to": "date", "onError": .null, "onNull": .null]],
        ]
        for feature in features { projection[feature.name] = feature.expression.aggregation }
        for (name, value) in HistoryWindow.projection(history) { projection[name] = value }
        if let label { projection["label"] = label.aggregation }
        for score in scores { projection[score.name] = score.expression.aggregation }
        return projection
    }

    /// Refuses a set whose rows are computed from many raw documents (grouped entities) without
    /// declared cutoffs: those rows cannot be re-evaluated, or predicted, from the documents a
    /// request sends. (A point-in-time set serves from the stored documents instead: see
    /// ``pointInTimeDocuments(for:in:)``.)
    public func requirePerDocument() throws(FeatureDefinitionError) {
        guard preparation.isEmpty || pointInTime != nil else { throw .notPerDocument(name) }
    }

    /// The per-document features of one normalized document, evaluated in Swift (history
    /// features are left out: see ``history(for:in:)``).
    public func evaluate(_ document: Document) -> [String: Double?] {
        var values: [String: Double?] = [:]
        for feature in features { values[feature.name] = feature.expression.evaluate(document) }
        return values
    }
}

/// A feature set that cannot be defined as written.
public enum FeatureDefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    case leakage(featureSet: String, feature: String, field: String, outcome: String)
    case duplicateName(featureSet: String, feature: String)
    case unknownSet(String)
    case invalidSplit(String)
    case notPerDocument(String)
    case pointInTimeShape(String)
    case builtInUnreadable(String, String)

    /// The problem, with what to do about it.
    public var description: String {
        switch self {
        case .leakage(let set, let feature, let field, let outcome):
            "feature \(feature) of \(set) reads \(field), which is part of the outcome \(outcome) (known only after the fact); "
                + "use it only through a history feature over strictly earlier rows"
        case .duplicateName(let set, let feature): "feature set \(set) defines \(feature) twice"
        case .unknownSet(let name): "no feature set named \(name); known sets: \(FeatureCatalog.names.joined(separator: ", "))"
        case .notPerDocument(let name):
            "\(name) groups raw documents into entities; its rows cannot be re-evaluated one raw document at a time"
        case .pointInTimeShape(let name):
            "\(name) declares cutoffs, so its preparation must build the rows (one per entity and cutoff); "
                + "give it a preparation and no history (count earlier activity in the preparation instead)"
        case .builtInUnreadable(let name, let problem):
            "the built-in feature set \(name) could not be read (\(problem)); the installation is incomplete: "
                + "EngageML_Features.resources must sit beside the engage executable"
        case .invalidSplit(let text): "split \(text) is neither time:YYYY-MM-DD nor hash:FRACTION (0 < FRACTION < 1)"
        }
    }
}

/// A binary label that is 1 when `expression` reaches its `quantile` over the set's rows, the
/// threshold computed at build time and recorded with the build.
public struct QuantileLabel: Sendable, Equatable {
    /// The expression whose quantile is the threshold.
    public let expression: FeatureExpression
    /// The quantile (0.9: the top 10 % are 1).
    public let quantile: Double
    /// A field whose each value has its own threshold (the platform); nil: one over all rows.
    public let within: String?

    /// A label that is 1 when `expression` reaches its `quantile` (within each value of `within`).
    public init(expression: FeatureExpression, quantile: Double, within: String? = nil) {
        self.expression = expression
        self.quantile = quantile
        self.within = within
    }
}
