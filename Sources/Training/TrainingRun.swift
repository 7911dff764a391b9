import EngageML
import Foundation
import Registry

/// The one training path, shared by `engage train --task` (rows of a built feature collection) and
/// `--data` (a CSV feature table): fit preprocessing and model on the training rows only, evaluate
/// on the held-out rows against the naive baseline (majority class or mean), optionally
/// cross-validate on the training rows, and describe the result as a registrable artifact.
///
/// ```swift
/// let run = try TrainingRun.fit(spec, features: table, target: y, train: trainRows, test: testRows, label: "label")
/// let artifact = run.artifact(name: "viral", featureSet: reference, dataFingerprint: digest, split: "hash:0.2")
/// ```
public struct TrainingRun: Sendable {
    /// The code version recorded in every artifact (and printed by `engage --version`).
    public static let codeVersion = "engage 0.5.0"

    /// The algorithm and parameters fitted.
    public let spec: AlgorithmSpec
    /// Preprocessing and model, fitted on the training rows.
    public let pipeline: ModelPipeline
    /// Held-out metrics of the model and of the naive baseline.
    public let evaluation: Evaluation
    /// The naive baseline's held-out metrics (majority class or mean).
    public let baseline: Evaluation
    /// Cross-validation on the training rows, by metric (nil when not asked for, or clustering).
    public let crossValidation: [String: CrossValidationSummary]?
    /// Rows the model was fitted on.
    public let trainingRows: Int
    /// Rows held out for the metrics.
    public let testRows: Int
    /// The seed of the folds (and, for a table, the shuffle).
    public let seed: UInt64
    /// Seconds the final fit took (preprocessing and model, not cross-validation).
    public let fitSeconds: Double
    /// For a text label, the text of each class by class code (see ``ModelArtifact/classLabels``).
    public var classLabels: [String]?
    /// Rows left out because their label was missing.
    public var rowsWithoutLabel = 0

    /// Fits `spec` on the `train` rows of `features`, evaluates on the `test` rows, and with
    /// `folds` ≥ 2 cross-validates on the training rows (stratified, seeded by `seed`).
    public static func fit(
        _ spec: AlgorithmSpec, features: FeatureTable, target: [Double], train: [Int], test: [Int], label: String?,
        folds: Int = 0, seed: UInt64 = 0
    ) throws(MLError) -> TrainingRun {
        let trainTarget = train.map { target[$0] }
        let testTarget = test.map { target[$0] }
        let trainFeatures = features.selectingRows(train)
        let clock = ContinuousClock()
        let start = clock.now
        let pipeline = try ModelPipeline.fit(
            spec, features: trainFeatures, target: trainTarget, label: spec.task == .clustering ? nil : label)
        let fitSeconds = (clock.now - start) / .seconds(1)
        let evaluation = try Evaluation.evaluate(pipeline.model, x: pipeline.matrix(features.selectingRows(test)), truth: testTarget)
        let baseline = Evaluation.baseline(task: spec.task, trainTarget: trainTarget, truth: testTarget)
        var crossValidation: [String: CrossValidationSummary]?
        if folds >= 2, spec.task != .clustering {
            crossValidation = try ModelPipeline.crossValidate(
                spec, features: trainFeatures, target: trainTarget, label: label, folds: folds, seed: seed
            ).mapValues(CrossValidationSummary.init)
        }
        return TrainingRun(
            spec: spec, pipeline: pipeline, evaluation: evaluation, baseline: baseline, crossValidation: crossValidation,
            trainingRows: train.count, testRows: test.count, seed: seed, fitSeconds: fitSeconds)
    }

    /// The artifact to register under `name`: the pipeline with where it came from and how good it was.
    public func artifact(name: String, featureSet: FeatureSetReference, dataFingerprint: String, split: String) -> ModelArtifact {
        ModelArtifact(
            name: name, task: spec.task, features: pipeline.featureNames, pipeline: pipeline,
            metadata: ModelMetadata(
                algorithm: spec.family, parameters: spec.parameters, featureSet: featureSet, trainingRows: trainingRows,
                testRows: testRows, dataFingerprint: dataFingerprint, seed: seed, split: split, metrics: evaluation.metrics,
                baseline: baseline.metrics, crossValidation: crossValidation, codeVersion: Self.codeVersion, createdAt: Date()),
            classLabels: classLabels)
    }
}

extension CrossValidationSummary {
    /// The mean and standard deviation of one metric's per-fold scores.
    public init(_ score: CrossValidationScore) {
        self.init(mean: score.mean, standardDeviation: score.standardDeviation)
    }
}
