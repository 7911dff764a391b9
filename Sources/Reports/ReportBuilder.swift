import EngageML
import Features
import Foundation
import MongoKit
import Registry
import Training

/// Builds an ``EvaluationReport`` for a registered model version.
public struct ReportBuilder: Sendable {
    /// The database holding the feature collections the reports evaluate on.
    public let database: MongoDatabase
    /// The registry the versions are loaded from.
    public let registry: ModelRegistry

    /// A builder reading features from `database` and models from `registry`.
    public init(database: MongoDatabase, registry: ModelRegistry) {
        self.database = database
        self.registry = registry
    }

    /// The report of `name` at `reference` (a version, an alias, or nil for the newest), on its held-out rows.
    public func build(_ name: String, reference: String?) async throws -> EvaluationReport {
        let artifact = try await registry.load(name, reference: reference)
        let metadata = artifact.metadata
        let set = try FeatureCatalog.set(named: metadata.featureSet.name, definition: metadata.featureSet.definition)
        let rows = try await SplitFeatureRows.read(
            database.collection(set.collection), featureNames: artifact.features, task: artifact.task,
            split: try SplitRule(parsing: metadata.split))
        let test = rows.test
        let testFeatures = rows.features.selectingRows(test)
        let truth = test.map { rows.labels[$0] }
        let x = try artifact.pipeline.matrix(testFeatures)
        let evaluation = try Evaluation.evaluate(artifact.pipeline.model, x: x, truth: truth)

        var report = EvaluationReport(
            model: artifact.name, version: artifact.version, task: artifact.task, algorithm: metadata.algorithm,
            parameters: metadata.parameters,
            featureSet: "\(set.name) v\(metadata.featureSet.version)", split: metadata.split, createdAt: metadata.createdAt,
            trainingRows: metadata.trainingRows, testRows: test.count, metrics: evaluation.metrics, baseline: metadata.baseline,
            crossValidation: metadata.crossValidation, production: nil, features: profile(rows.features), classBalance: nil)
        if let production = try? await registry.resolve(name, reference: "production"), production != artifact.version {
            report.production = EvaluationReport.Comparison(
                version: production, metrics: try await registry.record(name, version: production).metrics)
        }
        let outputNames = artifact.pipeline.preprocessor.outputNames
        switch artifact.pipeline.model {
        case .logisticRegression, .decisionTreeClassifier:
            try classification(&report, artifact: artifact, x: x, truth: truth, testFeatures: testFeatures, outputNames: outputNames)
        case .ridgeRegression, .decisionTreeRegressor:
            try regression(&report, artifact: artifact, x: x, truth: truth, testFeatures: testFeatures, outputNames: outputNames)
        case .kMeans(let model):
            try clustering(&report, model: model, x: x, preprocessor: artifact.pipeline.preprocessor)
        }
        return report
    }

    private func classification(
        _ report: inout EvaluationReport, artifact: ModelArtifact, x: Matrix, truth: [Double], testFeatures: FeatureTable,
        outputNames: [String]
    ) throws {
        let model = artifact.pipeline.model
        let classes = model.classes ?? []
        let predicted = try model.predict(x)
        report.classes = classes
        report.confusion = ClassificationMetrics.confusionMatrix(truth, predicted, classes: classes)
        var balance: [String: Int] = [:]
        for label in truth { balance[String(format: "%g", label), default: 0] += 1 }
        report.classBalance = balance
        report.perClass = classes.map { label in
            let scores = ClassificationMetrics.precisionRecallF1(truth, predicted, positive: label)
            return .init(
                label: label, precision: scores.precision, recall: scores.recall, f1: scores.f1, support: truth.count { $0 == label })
        }
        if classes.count == 2, let p = try model.predictProbabilities(x) {
            let positive = Array(p.column(1))
            let binary = truth.map { $0 == classes[1] ? 1.0 : 0.0 }
            report.roc = thin(ClassificationMetrics.rocCurve(binary, positive).map { [$0.falsePositiveRate, $0.truePositiveRate] })
            report.precisionRecall = thin(ClassificationMetrics.precisionRecallCurve(binary, positive).map { [$0.recall, $0.precision] })
            report.calibration = ClassificationMetrics.calibration(binary, positive)
            report.thresholds = stride(from: 0.1, through: 0.9, by: 0.1).map { t in
                let decisions = positive.map { $0 >= t ? 1.0 : 0.0 }
                let scores = ClassificationMetrics.precisionRecallF1(binary, decisions)
                return .init(
                    threshold: t, precision: scores.precision, recall: scores.recall, f1: scores.f1,
                    positiveRate: decisions.reduce(0, +) / Double(max(1, decisions.count)))
            }
            report.permutationImportances = try permutation(artifact: artifact, features: testFeatures, truth: truth) {
                pipeline, table, truth in
                let probabilities = try pipeline.model.predictProbabilities(try pipeline.matrix(table))!
                return ClassificationMetrics.rocAUC(truth.map { $0 == classes[1] ? 1 : 0 }, Array(probabilities.column(1)))
            }
        }
        report.impurityImportances = importances(model, outputNames: outputNames)
    }

    private func regression(
        _ report: inout EvaluationReport, artifact: ModelArtifact, x: Matrix, truth: [Double], testFeatures: FeatureTable,
        outputNames: [String]
    ) throws {
        let predicted = try artifact.pipeline.model.predict(x)
        let step = max(1, truth.count / 800)
        report.predictedVsActual = stride(from: 0, to: truth.count, by: step).map { [truth[$0], predicted[$0]] }
        report.residuals = zip(truth, predicted).map { $0 - $1 }
        let order = truth.indices.sorted { truth[$0] < truth[$1] }
        report.errorsBySegment = (0..<5).map { q in
            let rows = Array(order[(q * order.count / 5)..<((q + 1) * order.count / 5)])
            let t = rows.map { truth[$0] }, p = rows.map { predicted[$0] }
            return .init(
                segment: "actual quintile \(q + 1) (\(String(format: "%.3g", t.first ?? 0))–\(String(format: "%.3g", t.last ?? 0)))",
                rows: rows.count, mae: RegressionMetrics.meanAbsoluteError(t, p), rmse: RegressionMetrics.rootMeanSquaredError(t, p))
        }
        report.permutationImportances = try permutation(artifact: artifact, features: testFeatures, truth: truth) {
            pipeline, table, truth in
            RegressionMetrics.r2(truth, try pipeline.predict(table))
        }
        report.impurityImportances = importances(artifact.pipeline.model, outputNames: outputNames)
    }

    private func clustering(_ report: inout EvaluationReport, model: KMeansModel, x: Matrix, preprocessor: TablePreprocessor) throws {
        let labels = try model.predict(x).map { Int($0) }
        report.clusterSizes = (0..<model.clusterCount).map { k in labels.count { $0 == k } }
        report.centroidFeatures = preprocessor.outputNames
        report.centroids = (0..<model.clusterCount).map { k in
            zip(
                model.centre(k),
                preprocessor.steps.flatMap { step -> [(Double, Double)] in
                    switch step {
                    case .numeric(_, _, let mean, let scale): [(mean, scale)]
                    case .oneHot(_, _, let categories): categories.map { _ in (0, 1) }
                    }
                }
            ).map { value, unit in value * unit.1 + unit.0 }
        }
        let projected = principalComponents(x)
        let step = max(1, x.rows / 1_000)
        report.projection = stride(from: 0, to: x.rows, by: step).map { [projected[$0].0, projected[$0].1, Double(labels[$0])] }
    }

    /// Drop of `score` when each input column is shuffled (seeded), on the held-out rows.
    private func permutation(
        artifact: ModelArtifact, features: FeatureTable, truth: [Double],
        score: (ModelPipeline, FeatureTable, [Double]) throws -> Double
    ) throws -> [String: Double] {
        let base = try score(artifact.pipeline, features, truth)
        var generator = SeededGenerator(seed: 11)
        var out: [String: Double] = [:]
        for (index, name) in features.names.enumerated() {
            var columns = features.columns
            if case .numeric(let values) = columns[index] { columns[index] = .numeric(values.shuffled(using: &generator)) }
            let shuffled = try FeatureTable(names: features.names, columns: columns)
            out[name] = base - (try score(artifact.pipeline, shuffled, truth))
        }
        return out
    }

    private func importances(_ model: TrainedModel, outputNames: [String]) -> [String: Double] {
        let values: [Double]
        switch model {
        case .decisionTreeClassifier(let tree): values = tree.tree.impurityImportances
        case .decisionTreeRegressor(let tree): values = tree.tree.impurityImportances
        case .logisticRegression(let linear): values = linear.coefficients.last!.map(abs)
        case .ridgeRegression(let linear): values = linear.coefficients.map(abs)
        case .kMeans: return [:]
        }
        return Dictionary(uniqueKeysWithValues: zip(outputNames, values))
    }

    private func profile(_ table: FeatureTable) -> [EvaluationReport.FeatureSummary] {
        zip(table.names, table.columns).map { name, column in
            guard case .numeric(let values) = column else { return .init(name: name, nullRate: 0) }
            let known = values.filter { !$0.isNaN }.sorted()
            return .init(
                name: name, nullRate: values.isEmpty ? 0 : 1 - Double(known.count) / Double(values.count),
                min: known.first, median: known.isEmpty ? nil : known[known.count / 2], max: known.last)
        }
    }

    /// At most ~400 points of a curve, keeping its ends.
    private func thin(_ points: [[Double]]) -> [[Double]] {
        guard points.count > 400 else { return points }
        let step = points.count / 400
        return stride(from: 0, to: points.count, by: step).map { points[$0] } + [points.last!]
    }

    /// Each row's coordinates on the first two principal components (power iteration on the covariance).
    private func principalComponents(_ x: Matrix) -> [(Double, Double)] {
        let d = x.columns
        let means = (0..<d).map { j in x.column(j).reduce(0, +) / Double(max(1, x.rows)) }
        var covariance = [Double](repeating: 0, count: d * d)
        for a in 0..<d {
            for b in a..<d {
                var sum = 0.0
                for i in 0..<x.rows { sum += (x[i, a] - means[a]) * (x[i, b] - means[b]) }
                covariance[a * d + b] = sum / Double(max(1, x.rows - 1))
                covariance[b * d + a] = covariance[a * d + b]
            }
        }
        func component(excluding other: [Double]?) -> [Double] {
            var v = (0..<d).map { 1.0 / Double($0 + 1) }
            for _ in 0..<100 {
                var next = (0..<d).map { a in (0..<d).reduce(0.0) { $0 + covariance[a * d + $1] * v[$1] } }
                if let other {
                    let projection = zip(next, other).reduce(0) { $0 + $1.0 * $1.1 }
                    next = zip(next, other).map { $0 - projection * $1 }
                }
                let length = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard length > 0 else { break }
                v = next.map { $0 / length }
            }
            return v
        }
        let first = component(excluding: nil)
        let second = component(excluding: first)
        return (0..<x.rows).map { i in
            (
                (0..<d).reduce(0.0) { $0 + (x[i, $1] - means[$1]) * first[$1] },
                (0..<d).reduce(0.0) { $0 + (x[i, $1] - means[$1]) * second[$1] }
            )
        }
    }
}
