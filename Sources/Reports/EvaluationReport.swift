import EngageML
import Features
import Foundation
import MongoKit
import Registry

/// Everything `engage evaluate` reports on one model version, computed on the held-out rows of
/// its feature set (re-derived from the recorded split rule), as JSON-ready values.
public struct EvaluationReport: Sendable, Codable {
    /// One feature's distribution on the held-out rows.
    public struct FeatureSummary: Sendable, Codable {
        /// The feature.
        public var name: String
        /// The share of rows where it is missing.
        public var nullRate: Double
        /// The smallest value present.
        public var min: Double?
        /// The median of the values present.
        public var median: Double?
        /// The largest value present.
        public var max: Double?
    }

    /// A classifier's quality at one decision threshold.
    public struct ThresholdRow: Sendable, Codable {
        /// The probability at or above which a row is called positive.
        public var threshold: Double
        /// The share of rows called positive that are.
        public var precision: Double
        /// The share of positives called positive.
        public var recall: Double
        /// The harmonic mean of precision and recall.
        public var f1: Double
        /// The share of all rows called positive.
        public var positiveRate: Double
    }

    /// One class's precision, recall, F1 and support.
    public struct ClassRow: Sendable, Codable {
        /// The class.
        public var label: Double
        /// The share of rows predicted as the class that are.
        public var precision: Double
        /// The share of the class's rows predicted as it.
        public var recall: Double
        /// The harmonic mean of precision and recall.
        public var f1: Double
        /// The class's held-out rows.
        public var support: Int
    }

    /// A regressor's errors on one segment of the held-out rows (a quintile of the target).
    public struct Segment: Sendable, Codable {
        /// The segment's name (its target range).
        public var segment: String
        /// The segment's rows.
        public var rows: Int
        /// The mean absolute error on the segment.
        public var mae: Double
        /// The root mean squared error on the segment.
        public var rmse: Double
    }

    /// Another version's metrics to compare with (the production one).
    public struct Comparison: Sendable, Codable {
        /// That version.
        public var version: Int
        /// Its held-out metrics, as registered.
        public var metrics: [String: Double]
    }

    /// The model name.
    public var model: String
    /// The version reported.
    public var version: Int
    /// What the model predicts.
    public var task: LearningTask
    /// The algorithm family.
    public var algorithm: AlgorithmSpec.Family
    /// The hyperparameters as given.
    public var parameters: [String: String]
    /// The feature set and its version (`tmdb_hit v1`).
    public var featureSet: String
    /// How rows were held out.
    public var split: String
    /// When the version was trained.
    public var createdAt: Date
    /// Rows the model was fitted on.
    public var trainingRows: Int
    /// Held-out rows the report is computed on.
    public var testRows: Int
    /// Held-out metrics, recomputed on the held-out rows.
    public var metrics: [String: Double]
    /// The naive baseline's held-out metrics.
    public var baseline: [String: Double]
    /// Cross-validation on the training rows, when it was run.
    public var crossValidation: [String: CrossValidationSummary]?
    /// The production version's metrics, when another version is production.
    public var production: Comparison?
    /// Each feature's distribution on the held-out rows.
    public var features: [FeatureSummary]
    /// Held-out rows per class (classifiers).
    public var classBalance: [String: Int]?

    // Classification
    /// The ROC curve as `[false positive rate, true positive rate]` points.
    public var roc: [[Double]]?
    /// The precision–recall curve as `[recall, precision]` points.
    public var precisionRecall: [[Double]]?
    /// The confusion matrix, rows true class, columns predicted, in ``classes`` order.
    public var confusion: [[Int]]?
    /// The class labels.
    public var classes: [Double]?
    /// Quality at nine decision thresholds (0.1 to 0.9).
    public var thresholds: [ThresholdRow]?
    /// Calibration bins: mean predicted probability against the positive share.
    public var calibration: [ClassificationMetrics.CalibrationBin]?
    /// Per-class precision, recall, F1 and support.
    public var perClass: [ClassRow]?
    /// Impurity importances (trees) or |standardized coefficients| (logistic regression), by feature.
    public var impurityImportances: [String: Double]?
    /// The held-out metric's drop when each feature is shuffled.
    public var permutationImportances: [String: Double]?

    // Regression
    /// `[actual, predicted]` per held-out row (regressors).
    public var predictedVsActual: [[Double]]?
    /// Actual minus predicted per held-out row.
    public var residuals: [Double]?
    /// Errors by quintile of the target.
    public var errorsBySegment: [Segment]?

    // Clustering
    /// Held-out rows per cluster (k-means).
    public var clusterSizes: [Int]?
    /// The centres in the features' original units.
    public var centroids: [[Double]]?
    /// The features of each centroid column.
    public var centroidFeatures: [String]?
    /// A 2-D projection of the held-out rows: `[x, y, cluster]` per row.
    public var projection: [[Double]]?
}
