import EngageML
import Features
import Foundation
import MongoKit

/// A built feature collection read for training or evaluation, through the numeric fast path:
/// the features, the labels, and which rows the split rule puts on each side. Rows without a
/// label (supervised tasks) are on neither side: they can neither teach nor test.
public struct SplitFeatureRows: Sendable {
    /// The columns as read, with each row's entity key.
    public let table: NumericTable
    /// The model inputs, named as the feature set names them.
    public let features: FeatureTable
    /// Labels (classes rounded to whole numbers; zeros for clustering).
    public let labels: [Double]
    /// Rows the model is fitted on.
    public let train: [Int]
    /// Rows held out for evaluation.
    public let test: [Int]

    /// Reads `featureNames` (and `label`, for supervised tasks) of `collection` and splits the rows.
    public static func read(
        _ collection: MongoCollection, featureNames: [String], task: LearningTask, split: SplitRule
    ) async throws -> SplitFeatureRows {
        let needsLabel = task != .clustering
        let table = try await collection.readNumericColumns(
            fields: featureNames + (needsLabel ? ["label"] : []) + ["entity_time"], keyField: "_id")
        let times = Array(table.column(named: "entity_time")!)
        var labels = needsLabel ? Array(table.column(named: "label")!) : [Double](repeating: 0, count: table.rowCount)
        if task == .classification { labels = labels.map { $0.rounded() } }
        var train: [Int] = []
        var test: [Int] = []
        for row in 0..<table.rowCount where !(needsLabel && labels[row].isNaN) {
            let time = times[row].isNaN ? nil : Date(timeIntervalSince1970: times[row] / 1000)
            if split.isTest(key: table.keys[row], time: time) { test.append(row) } else { train.append(row) }
        }
        let features = try FeatureTable(names: featureNames, columns: featureNames.map { .numeric(Array(table.column(named: $0)!)) })
        return SplitFeatureRows(table: table, features: features, labels: labels, train: train, test: test)
    }
}
