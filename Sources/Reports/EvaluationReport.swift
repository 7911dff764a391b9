import EngageML
import Features
import Foundation
import MongoKit
import Registry

/// Everything `engage evaluate` reports on one model version, computed on the held-out rows of
/// its feature set (re-derived from the recorded split rule), as JSON-ready values.
public struct EvaluationReport: Sendable, Codable {
    public struct FeatureSummary: Sendable, Codable {
        public var name: String
        public var nullRate: Double
        public var min: Double?
        public var median: Double?
        public var max: Double?
    }

    public struct ThresholdRow: Sendable, Codable {
        public var threshold: Double
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var positiveRate: Double
    }

    public struct ClassRow: Sendable, Codable {
        public var label: Double
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public struct Segment: Sendable, Codable {
        public var segment: String
        public var rows: Int
        public var mae: Double
        public var rmse: Double
    }

    public struct Comparison: Sendable, Codable {
        public var version: Int
        public var metrics: [String: Double]
    }

    public var model: String
    public var version: Int
    public var task: LearningTask
    public var algorithm: AlgorithmSpec.Family
    public var parameters: [String: String]
    public var featureSet: String
    public var split: String
    public var createdAt: Date
    public var trainingRows: Int
    public var testRows: Int
    public var metrics: [String: Double]
    public var baseline: [String: Double]
    public var crossValidation: [String: CrossValidationSummary]?
    public var production: Comparison?
    public var features: [FeatureSummary]
    public var classBalance: [String: Int]?

    // Classification
    public var roc: [[Double]]?
    public var precisionRecall: [[Double]]?
    public var confusion: [[Int]]?
    public var classes: [Double]?
    public var thresholds: [ThresholdRow]?
    public var calibration: [ClassificationMetrics.CalibrationBin]?
    public var perClass: [ClassRow]?
    public var impurityImportances: [String: Double]?
    public var permutationImportances: [String: Double]?

    // Regression
    public var predictedVsActual: [[Double]]?
    public var residuals: [Double]?
    public var errorsBySegment: [Segment]?

    // Clustering
    public var clusterSizes: [Int]?
    public var centroids: [[Double]]?
    public var centroidFeatures: [String]?
    public var projection: [[Double]]?
}
