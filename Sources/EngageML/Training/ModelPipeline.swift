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
            fitting: features, options: PreprocessingOptions(imputeNumeric: algorithm.family != .tree, scaleNumeric: algorithm.wantsScaledFeatures))
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
