import MongoKit

/// Features computed over strictly earlier rows of the same partition (an author's earlier
/// videos, a director's earlier films), so that no row sees its own or a later outcome.
///
/// A window is declared once and compiled to the same `$setWindowFields` stages for building and
/// for serving. To serve a new document, the stages run over the stored rows of its partitions
/// with the document added as a *probe*: a row that takes its place in the order (time, then
/// `_id`) but contributes nothing to anyone's window. A probe therefore gets exactly what the
/// build would give it as a stored row, and a batch of probes is answered by one aggregation
/// whose answers do not depend on each other (see ``FeatureSet/history(for:in:)``).
public struct HistoryWindow: Sendable, Equatable {
    /// Who shares a history.
    public let partition: HistoryPartition
    /// What each earlier row contributes (its outcome: log views, log revenue); missing values are skipped.
    public let value: FeatureExpression
    /// The columns computed over the earlier rows' values.
    public let outputs: [HistoryOutput]

    /// A window over `partition`, computing `outputs` over earlier rows' `value`.
    public init(partition: HistoryPartition, value: FeatureExpression, outputs: [HistoryOutput]) {
        self.partition = partition
        self.value = value
        self.outputs = outputs
    }
}

/// One column of a ``HistoryWindow``.
public struct HistoryOutput: Sendable, Equatable {
    /// A statistic over the earlier rows of a partition.
    public enum Statistic: String, Sendable, Equatable {
        /// The median of the values (MongoDB's approximate `$median`, in the build and in serving alike).
        case median
        /// The mean of the values.
        case mean
        /// How many earlier rows (0 for the first).
        case count
    }

    /// The column name.
    public let name: String
    /// What it computes.
    public let statistic: Statistic

    /// A column `name` computing `statistic`.
    public init(_ name: String, _ statistic: Statistic) {
        self.name = name
        self.statistic = statistic
    }
}

/// The key that puts rows in one history. A row without a key (no author, no credited director)
/// has no history: its outputs are missing. Null and missing keys are treated alike, because
/// servers differ on which one an expression such as `{$first: []}` gives.
public enum HistoryPartition: Sendable, Equatable {
    /// The value at a field path (`author.id`).
    case field(String)
    /// The `key` of the first element of the array at `array` whose `field` equals `value`
    /// (the director: the first `credits.crew` member whose `job` is `Director`).
    case firstElement(array: String, where: String, equals: String, key: String)
    /// The `key`s of the first `count` elements of the array at `array` (the three lead actors):
    /// the row is in several histories, and each output is the mean over them.
    case leadingElements(array: String, count: Int, key: String)

    /// The query path of the key in a stored document, to find the rows of given partitions.
    var storedPath: String {
        switch self {
        case .field(let path): path
        case .firstElement(let array, _, _, let key), .leadingElements(let array, _, let key): "\(array).\(key)"
        }
    }

    /// The top-level field the key is read from.
    var topLevelField: String { String(storedPath.prefix { $0 != "." }) }

    /// The row's key, as an aggregation expression (null when it has none).
    var aggregation: BSONValue {
        switch self {
        case .field(let path):
            return ["$ifNull": [.string("$" + path), .null]]
        case .firstElement(let arrayPath, let field, let value, let key):
            let elements: BSONValue = ["$ifNull": [.string("$" + arrayPath), []]]
            let first: BSONValue = [
                "$first": ["$filter": ["input": elements, "cond": ["$eq": [.string("$$this." + field), .string(value)]]]]
            ]
            return ["$ifNull": [["$getField": ["field": .string(key), "input": first]], .null]]
        case .leadingElements(let arrayPath, let count, let key):
            let elements: BSONValue = ["$ifNull": [.string("$" + arrayPath), []]]
            return [
                "$map": ["input": ["$slice": [elements, .int64(Int64(count))]], "in": ["$ifNull": [.string("$$this." + key), .null]]]
            ]
        }
    }

    /// The row's keys read in Swift, only plain values (text and numbers), to find the stored rows
    /// that share them.
    func keys(in document: Document) -> [BSONValue] {
        let keys: [BSONValue?]
        switch self {
        case .field(let path):
            keys = [document[path: path]]
        case .firstElement(let array, let field, let value, let key):
            let elements = document[path: array]?.arrayValue ?? []
            keys = [elements.lazy.compactMap(\.documentValue).first { $0[path: field] == .string(value) }?[path: key]]
        case .leadingElements(let array, let count, let key):
            keys = (document[path: array]?.arrayValue ?? []).prefix(count).map { $0.documentValue?[path: key] }
        }
        return keys.compactMap { key in
            switch key {
            case .string, .int32, .int64, .double: key
            default: nil
            }
        }
    }
}

extension HistoryWindow {
    /// The field names the stages use for window `index`'s key and value.
    static func keyField(_ index: Int) -> String { "_history_key_\(index)" }
    static func valueField(_ index: Int) -> String { "_history_value_\(index)" }
    /// 1 for a stored row, 0 for a probe: a probe sorts before a stored row of the same time and
    /// `_id`, and adds nothing to any window.
    static let weightField = "_history_weight"
    /// The time the rows are ordered by.
    static let timeField = "_history_time"
    /// A probe's position in its request.
    static let probeField = "_history_probe"

    /// The stages that add every output of `windows` to each row, ordered by `timeField` then `_id`.
    /// With `probes`, rows carrying ``probeField`` contribute nothing (serving); without, every row
    /// contributes (building), and the stages mean the same as they would with no probe present.
    static func stages(_ windows: [HistoryWindow], timeField: String, probes: Bool) -> [Document] {
        guard !windows.isEmpty else { return [] }
        let stored = FeatureExpression.isMissing(.string("$" + probeField))
        var prelude: Document = [
            Self.timeField: ["$convert": ["input": .string("$" + timeField), "to": "date", "onError": .null, "onNull": .null]],
            weightField: probes ? ["$cond": [stored, 1, 0]] : 1,
        ]
        for (index, window) in windows.enumerated() {
            prelude[keyField(index)] = window.partition.aggregation
            let value = window.value.aggregation
            prelude[valueField(index)] = probes ? ["$cond": [stored, value, .null]] : value
        }
        var stages: [Document] = [["$addFields": .document(prelude)]]
        for (index, window) in windows.enumerated() { stages += window.stages(index) }
        return stages
    }

    /// This window's stages, as window `index` of its set.
    private func stages(_ index: Int) -> [Document] {
        let key = Self.keyField(index)
        let sort: Document = [Self.timeField: 1, "_id": 1, Self.weightField: 1]
        guard case .leadingElements = partition else {
            var output: Document = [:]
            for column in outputs { output[column.name] = column.accumulator(value: Self.valueField(index)) }
            return [["$setWindowFields": ["partitionBy": .string("$" + key), "sortBy": .document(sort), "output": .document(output)]]]
        }
        // One row per key, a window per key, then back to one row with the mean over its keys.
        var output: Document = [:]
        var group: Document = ["_id": ["$_id", .string("$" + Self.weightField)], "_row": ["$first": "$$ROOT"]]
        var merged: Document = [:]
        for column in outputs {
            let prior = "_history_prior_\(column.name)"
            output[prior] = column.accumulator(value: Self.valueField(index))
            group[column.name] = ["$avg": ["$cond": [FeatureExpression.isMissing(.string("$" + key)), .null, .string("$" + prior)]]]
            merged[column.name] = .string("$" + column.name)
        }
        return [
            ["$unwind": ["path": .string("$" + key), "preserveNullAndEmptyArrays": true]],
            ["$setWindowFields": ["partitionBy": .string("$" + key), "sortBy": .document(sort), "output": .document(output)]],
            ["$group": .document(group)],
            ["$replaceRoot": ["newRoot": ["$mergeObjects": ["$_row", .document(merged)]]]],
        ]
    }

    /// The value of `output` in the projected row: missing for a row without a key.
    static func projection(_ windows: [HistoryWindow]) -> Document {
        var projection: Document = [:]
        for (index, window) in windows.enumerated() {
            for column in window.outputs {
                let value: BSONValue = ["$ifNull": [.string("$" + column.name), .null]]
                if case .leadingElements = window.partition {
                    projection[column.name] = value  // the group above left it missing for a row without keys
                } else {
                    projection[column.name] = ["$cond": [FeatureExpression.isMissing(.string("$" + keyField(index))), .null, value]]
                }
            }
        }
        return projection
    }
}

extension HistoryOutput {
    /// The `$setWindowFields` output over every earlier row of the partition.
    func accumulator(value field: String) -> BSONValue {
        let window: BSONValue = ["documents": ["unbounded", -1]]
        return switch statistic {
        case .median: ["$median": ["input": .string("$" + field), "method": "approximate"], "window": window]
        case .mean: ["$avg": .string("$" + field), "window": window]
        case .count: ["$sum": .string("$" + HistoryWindow.weightField), "window": window]
        }
    }
}

extension FeatureSet {
    /// Probes sent in one aggregation: a bound on the command's size (a film's full credits are a
    /// few kilobytes) and on the stored rows its partitions bring in.
    static let probesPerAggregation = 256

    /// The history features of new normalized documents, from the stored rows of the set's source
    /// that pass its filter: for each document, what the build's windows would give it as a row of
    /// its partitions (ordered by time, then `_id`). One aggregation per 256 documents; a document's
    /// answer does not depend on the others in the batch.
    public func history(for documents: [Document], in database: MongoDatabase) async throws(MongoError) -> [[String: Double?]] {
        guard !history.isEmpty else { return documents.map { _ in [:] } }
        var answers: [[String: Double?]] = []
        answers.reserveCapacity(documents.count)
        for start in stride(from: 0, to: documents.count, by: Self.probesPerAggregation) {
            let batch = documents[start..<min(start + Self.probesPerAggregation, documents.count)]
            answers += try await history(probing: Array(batch), in: database)
        }
        return answers
    }

    private func history(probing documents: [Document], in database: MongoDatabase) async throws(MongoError) -> [[String: Double?]] {
        // A probe carries only what the windows read; it enters as a `$literal`, so its values stay data.
        let fields = Set(["_id", String(timeField.prefix { $0 != "." })] + history.map(\.partition.topLevelField))
        let probes: [BSONValue] = documents.enumerated().map { index, document in
            var probe: Document = [HistoryWindow.probeField: .int64(Int64(index))]
            for (key, value) in document where fields.contains(key) { probe[key] = value }
            return .document(probe)
        }
        var partitions: [BSONValue] = []
        for window in history {
            var seen = Set<String>()
            let keys = documents.flatMap(window.partition.keys(in:)).filter { seen.insert("\($0)").inserted }
            if !keys.isEmpty { partitions.append([window.partition.storedPath: ["$in": .array(keys)]]) }
        }
        var pipeline: [Document] = [
            ["$documents": [[:]]],
            ["$project": ["_id": 0, "probe": ["$literal": .array(probes)]]],
            ["$unwind": "$probe"],
            ["$replaceRoot": ["newRoot": "$probe"]],
        ]
        if !partitions.isEmpty {
            let stored: Document = ["$and": [.document(filter), ["$or": .array(partitions)]]]
            pipeline.append(["$unionWith": ["coll": .string(source), "pipeline": (preparation + [["$match": .document(stored)]]).bson]])
        }
        pipeline += HistoryWindow.stages(history, timeField: timeField, probes: true)
        pipeline.append(["$match": [HistoryWindow.probeField: ["$exists": true]]])
        var projection = HistoryWindow.projection(history)
        projection["_id"] = 0
        projection[HistoryWindow.probeField] = 1
        pipeline.append(["$project": .document(projection)])
        var answers = [[String: Double?]](
            repeating: Dictionary(uniqueKeysWithValues: historyNames.map { ($0, nil) }), count: documents.count)
        for row in try await database.aggregate(pipeline) {
            guard let index = row[HistoryWindow.probeField]?.int64Value.map(Int.init), answers.indices.contains(index) else { continue }
            for name in historyNames { answers[index][name] = .some(row[name]?.doubleValue) }
        }
        return answers
    }
}

extension [Document] {
    fileprivate var bson: BSONValue { .array(map(BSONValue.document)) }
}
