/// A preprocessor and a model fitted together: what is saved, loaded and asked for predictions.
/// Features are matched by name, so a caller passes a ``FeatureTable`` in any column order.
public struct ModelPipeline: Sendable, Equatable, Codable {
    /// The algorithm and parameters it was trained with.
    public let algorithm: AlgorithmSpec
    /// Preprocessing fitted on the training rows only.
    public let preprocessor: TablePreprocessor
    /// The fitted model.
    public let model: TrainedModel
    /// The label column it learned (nil for clustering).
    public let label: String?

    /// Fits preprocessing and model on the training table.
    public static func fit(
        _ algorithm: AlgorithmSpec, features: FeatureTable, target: [Double], label: String?,
        sampleWeights: [Double]? = nil, threads: Int? = nil
    ) throws(MLError) -> ModelPipeline {
        let preprocessor = TablePreprocessor(
            fitting: features,
            options: PreprocessingOptions(imputeNumeric: algorithm.family != .tree, scaleNumeric: algorithm.wantsScaledFeatures))
        let x = try preprocessor.transform(features)
        let model = try algorithm.fit(x, target, sampleWeights: sampleWeights, threads: threads)
        return ModelPipeline(algorithm: algorithm, preprocessor: preprocessor, model: model, label: label)
    }

    /// The input feature names, in training order.
    public var featureNames: [String] { preprocessor.inputNames }

    /// The model's input matrix for `features`.
    public func matrix(_ features: FeatureTable) throws(MLError) -> Matrix {
        try preprocessor.transform(features)
    }

    /// One prediction per row.
    public func predict(_ features: FeatureTable) throws(MLError) -> [Double] {
        try model.predict(try matrix(features))
    }
}

extension ModelPipeline {
    /// Stratified k-fold cross-validation: each fold fits preprocessing and model on its training
    /// rows and evaluates on its held-out rows. Classification folds keep the class proportions;
    /// regression folds keep the target's quintiles. Returns each metric's per-fold scores.
    public static func crossValidate(
        _ algorithm: AlgorithmSpec, features: FeatureTable, target: [Double], label: String?, folds: Int, seed: UInt64
    ) throws(MLError) -> [String: CrossValidationScore] {
        let splitter = try StratifiedKFold(folds: folds, seed: seed)
        let strata = algorithm.task == .classification ? target : StratifiedKFold.quantileBins(target)
        var scores: [String: [Double]] = [:]
        for (train, test) in try splitter.splits(strata) {
            let pipeline = try fit(algorithm, features: features.selectingRows(train), target: train.map { target[$0] }, label: label)
            let evaluation = try Evaluation.evaluate(
                pipeline.model, x: pipeline.matrix(features.selectingRows(test)), truth: test.map { target[$0] })
            for (name, value) in evaluation.metrics { scores[name, default: []].append(value) }
        }
        return scores.mapValues(CrossValidationScore.init)
    }
}
