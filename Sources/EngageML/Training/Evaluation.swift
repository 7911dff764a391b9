/// Held-out quality of a model, by task: the numbers a report and the registry keep.
public struct Evaluation: Sendable, Equatable, Codable {
    /// Rows evaluated.
    public var rows: Int
    /// Named metrics (`roc_auc`, `accuracy`, `f1`, `log_loss`, `brier`, `pr_auc`; `mae`, `rmse`, `r2`;
    /// `inertia`, `silhouette`, `davies_bouldin`).
    public var metrics: [String: Double]
    /// Confusion matrix by true (rows) and predicted (columns) class, classifiers only.
    public var confusion: [[Int]]?
    /// The class labels of `confusion`.
    public var classes: [Double]?

    /// Evaluates `model` on `x` against `truth` (ignored for clustering).
    public static func evaluate(_ model: TrainedModel, x: Matrix, truth: [Double]) throws(MLError) -> Evaluation {
        switch model.task {
        case .classification:
            let classes = model.classes ?? []
            let predicted = try model.predict(x)
            var metrics = ["accuracy": ClassificationMetrics.accuracy(truth, predicted)]
            if classes.count == 2, let p = try model.predictProbabilities(x) {
                let positive = Array(p.column(1))
                let truthBinary = truth.map { $0 == classes[1] ? 1.0 : 0.0 }
                metrics["roc_auc"] = ClassificationMetrics.rocAUC(truthBinary, positive)
                metrics["pr_auc"] = ClassificationMetrics.averagePrecision(truthBinary, positive)
                metrics["log_loss"] = ClassificationMetrics.logLoss(truthBinary, positive)
                metrics["brier"] = ClassificationMetrics.brierScore(truthBinary, positive)
                let scores = ClassificationMetrics.precisionRecallF1(truth, predicted, positive: classes[1])
                metrics["precision"] = scores.precision
                metrics["recall"] = scores.recall
                metrics["f1"] = scores.f1
            } else {
                let f1s = classes.map { ClassificationMetrics.precisionRecallF1(truth, predicted, positive: $0).f1 }
                metrics["f1_macro"] = f1s.reduce(0, +) / Double(max(1, f1s.count))
            }
            return Evaluation(
                rows: x.rows, metrics: metrics,
                confusion: ClassificationMetrics.confusionMatrix(truth, predicted, classes: classes), classes: classes)
        case .regression:
            let predicted = try model.predict(x)
            return Evaluation(
                rows: x.rows,
                metrics: [
                    "mae": RegressionMetrics.meanAbsoluteError(truth, predicted),
                    "rmse": RegressionMetrics.rootMeanSquaredError(truth, predicted),
                    "r2": RegressionMetrics.r2(truth, predicted),
                ])
        case .clustering:
            guard case .kMeans(let kmeans) = model else { return Evaluation(rows: x.rows, metrics: [:]) }
            let labels = try kmeans.predict(x).map { Int($0) }
            return Evaluation(
                rows: x.rows,
                metrics: [
                    "inertia": try kmeans.inertia(of: x),
                    "silhouette": ClusterQuality.silhouette(x, labels: labels),
                    "davies_bouldin": ClusterQuality.daviesBouldin(x, labels: labels),
                ])
        }
    }

    /// The same metrics for the naive baseline: the majority class, or the training mean.
    public static func baseline(task: LearningTask, trainTarget: [Double], truth: [Double]) -> Evaluation {
        switch task {
        case .classification:
            var counts: [Double: Int] = [:]
            for label in trainTarget { counts[label, default: 0] += 1 }
            let majority = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 0
            let predicted = [Double](repeating: majority, count: truth.count)
            return Evaluation(rows: truth.count, metrics: ["accuracy": ClassificationMetrics.accuracy(truth, predicted), "roc_auc": 0.5])
        case .regression:
            let mean = trainTarget.reduce(0, +) / Double(max(1, trainTarget.count))
            let predicted = [Double](repeating: mean, count: truth.count)
            return Evaluation(
                rows: truth.count,
                metrics: [
                    "mae": RegressionMetrics.meanAbsoluteError(truth, predicted),
                    "rmse": RegressionMetrics.rootMeanSquaredError(truth, predicted),
                    "r2": RegressionMetrics.r2(truth, predicted),
                ])
        case .clustering:
            return Evaluation(rows: truth.count, metrics: [:])
        }
    }
}
