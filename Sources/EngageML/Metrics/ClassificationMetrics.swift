import Foundation

/// Binary and multiclass classification metrics, computed as scikit-learn computes them.
/// Binary metrics treat label `1` (the larger class) as positive.
public enum ClassificationMetrics {
    /// Fraction of predictions equal to the truth.
    public static func accuracy(_ truth: [Double], _ predicted: [Double]) -> Double {
        guard !truth.isEmpty else { return .nan }
        return Double(zip(truth, predicted).count { $0 == $1 }) / Double(truth.count)
    }

    /// Precision, recall and F1 of one class (`positive`).
    public static func precisionRecallF1(
        _ truth: [Double], _ predicted: [Double], positive: Double = 1
    ) -> (precision: Double, recall: Double, f1: Double) {
        var tp = 0.0, fp = 0.0, fn = 0.0
        for (t, p) in zip(truth, predicted) {
            if p == positive { if t == positive { tp += 1 } else { fp += 1 } } else if t == positive { fn += 1 }
        }
        let precision = tp + fp > 0 ? tp / (tp + fp) : 0
        let recall = tp + fn > 0 ? tp / (tp + fn) : 0
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        return (precision, recall, f1)
    }

    /// Counts by true class (rows) and predicted class (columns), over `classes`.
    public static func confusionMatrix(_ truth: [Double], _ predicted: [Double], classes: [Double]) -> [[Int]] {
        var index: [Double: Int] = [:]
        for (k, c) in classes.enumerated() { index[c] = k }
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for (t, p) in zip(truth, predicted) {
            if let row = index[t], let column = index[p] { matrix[row][column] += 1 }
        }
        return matrix
    }

    /// Area under the ROC curve from scores of the positive class; ties get half credit. NaN without both classes.
    public static func rocAUC(_ truth: [Double], _ scores: [Double], positive: Double = 1) -> Double {
        let curve = rocCurve(truth, scores, positive: positive)
        guard curve.count > 1 else { return .nan }
        var area = 0.0
        for k in 1..<curve.count {
            area +=
                (curve[k].falsePositiveRate - curve[k - 1].falsePositiveRate)
                * (curve[k].truePositiveRate + curve[k - 1].truePositiveRate) / 2
        }
        return area
    }

    /// One point of a ROC curve.
    public struct ROCPoint: Sendable, Equatable, Codable {
        /// The score at or above which rows count as positive.
        public let threshold: Double
        /// The share of negatives scored at or above the threshold.
        public let falsePositiveRate: Double
        /// The share of positives scored at or above the threshold.
        public let truePositiveRate: Double
    }

    /// The ROC curve: one point per distinct score (descending), starting at (0, 0).
    public static func rocCurve(_ truth: [Double], _ scores: [Double], positive: Double = 1) -> [ROCPoint] {
        let (thresholds, tps, fps) = cumulativeCounts(truth, scores, positive: positive)
        guard let totalTP = tps.last, let totalFP = fps.last, totalTP > 0, totalFP > 0 else { return [] }
        var points = [ROCPoint(threshold: .infinity, falsePositiveRate: 0, truePositiveRate: 0)]
        for k in thresholds.indices {
            points.append(ROCPoint(threshold: thresholds[k], falsePositiveRate: fps[k] / totalFP, truePositiveRate: tps[k] / totalTP))
        }
        return points
    }

    /// One point of a precision–recall curve.
    public struct PRPoint: Sendable, Equatable, Codable {
        /// The score at or above which rows count as positive.
        public let threshold: Double
        /// The share of rows at or above the threshold that are positive.
        public let precision: Double
        /// The share of positives at or above the threshold.
        public let recall: Double
    }

    /// The precision–recall curve, one point per distinct score (descending).
    public static func precisionRecallCurve(_ truth: [Double], _ scores: [Double], positive: Double = 1) -> [PRPoint] {
        let (thresholds, tps, fps) = cumulativeCounts(truth, scores, positive: positive)
        guard let totalTP = tps.last, totalTP > 0 else { return [] }
        return thresholds.indices.map { k in
            PRPoint(threshold: thresholds[k], precision: tps[k] / (tps[k] + fps[k]), recall: tps[k] / totalTP)
        }
    }

    /// Average precision (scikit-learn's PR AUC): `Σ (Rₙ − Rₙ₋₁) Pₙ` over the precision–recall curve.
    public static func averagePrecision(_ truth: [Double], _ scores: [Double], positive: Double = 1) -> Double {
        let curve = precisionRecallCurve(truth, scores, positive: positive)
        guard !curve.isEmpty else { return .nan }
        var previousRecall = 0.0
        var sum = 0.0
        for point in curve {
            sum += (point.recall - previousRecall) * point.precision
            previousRecall = point.recall
        }
        return sum
    }

    /// Mean negative log-likelihood of the truth under the positive-class probabilities (clipped to 1e-15).
    public static func logLoss(_ truth: [Double], _ probabilities: [Double], positive: Double = 1) -> Double {
        guard !truth.isEmpty else { return .nan }
        var sum = 0.0
        for (t, p) in zip(truth, probabilities) {
            let clipped = min(max(p, 1e-15), 1 - 1e-15)
            sum -= t == positive ? log(clipped) : log(1 - clipped)
        }
        return sum / Double(truth.count)
    }

    /// Mean squared difference between the positive-class probability and the outcome.
    public static func brierScore(_ truth: [Double], _ probabilities: [Double], positive: Double = 1) -> Double {
        guard !truth.isEmpty else { return .nan }
        return zip(truth, probabilities).reduce(0) { $0 + pow($1.1 - ($1.0 == positive ? 1 : 0), 2) } / Double(truth.count)
    }

    /// One bin of a calibration (reliability) curve.
    public struct CalibrationBin: Sendable, Equatable, Codable {
        /// The bin's lowest predicted probability (inclusive).
        public let lower: Double
        /// The bin's highest predicted probability (exclusive, but 1 for the last bin).
        public let upper: Double
        /// How many rows fell in the bin.
        public let count: Int
        /// The mean predicted probability of the bin's rows.
        public let meanPredicted: Double
        /// The share of the bin's rows that are positive.
        public let fractionPositive: Double
    }

    /// Calibration over `bins` equal-width probability bins; empty bins are left out.
    public static func calibration(_ truth: [Double], _ probabilities: [Double], bins: Int = 10, positive: Double = 1) -> [CalibrationBin] {
        var counts = [Int](repeating: 0, count: bins)
        var predicted = [Double](repeating: 0, count: bins)
        var positives = [Double](repeating: 0, count: bins)
        for (t, p) in zip(truth, probabilities) {
            let bin = min(bins - 1, max(0, Int(p * Double(bins))))
            counts[bin] += 1
            predicted[bin] += p
            if t == positive { positives[bin] += 1 }
        }
        return (0..<bins).filter { counts[$0] > 0 }.map { b in
            CalibrationBin(
                lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: counts[b],
                meanPredicted: predicted[b] / Double(counts[b]), fractionPositive: positives[b] / Double(counts[b]))
        }
    }

    /// Cumulative true and false positives at each distinct score, scores descending.
    private static func cumulativeCounts(
        _ truth: [Double], _ scores: [Double], positive: Double
    ) -> (thresholds: [Double], tps: [Double], fps: [Double]) {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var thresholds: [Double] = [], tps: [Double] = [], fps: [Double] = []
        var tp = 0.0, fp = 0.0
        for (position, i) in order.enumerated() {
            if truth[i] == positive { tp += 1 } else { fp += 1 }
            let last = position == order.count - 1
            if last || scores[order[position + 1]] != scores[i] {
                thresholds.append(scores[i])
                tps.append(tp)
                fps.append(fp)
            }
        }
        return (thresholds, tps, fps)
    }
}

/// Regression metrics.
public enum RegressionMetrics {
    /// Mean absolute error.
    public static func meanAbsoluteError(_ truth: [Double], _ predicted: [Double]) -> Double {
        guard !truth.isEmpty else { return .nan }
        return zip(truth, predicted).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(truth.count)
    }

    /// Root mean squared error.
    public static func rootMeanSquaredError(_ truth: [Double], _ predicted: [Double]) -> Double {
        guard !truth.isEmpty else { return .nan }
        return (zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(truth.count)).squareRoot()
    }

    /// Coefficient of determination `1 − SS_res / SS_tot` (0 when the truth is constant and predicted exactly, as scikit-learn returns 1 only for perfect fits).
    public static func r2(_ truth: [Double], _ predicted: [Double]) -> Double {
        guard !truth.isEmpty else { return .nan }
        let mean = truth.reduce(0, +) / Double(truth.count)
        let residual = zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard total > 0 else { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }
}
