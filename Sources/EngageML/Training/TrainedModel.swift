/// Any fitted model of this module, tagged by kind, so that one artifact format holds them all.
public enum TrainedModel: Sendable, Equatable, Codable {
    case logisticRegression(LogisticRegressionModel)
    case ridgeRegression(RidgeRegressionModel)
    case decisionTreeClassifier(DecisionTreeClassifierModel)
    case decisionTreeRegressor(DecisionTreeRegressorModel)
    case kMeans(KMeansModel)

    /// What the model predicts.
    public var task: LearningTask {
        switch self {
        case .logisticRegression, .decisionTreeClassifier: .classification
        case .ridgeRegression, .decisionTreeRegressor: .regression
        case .kMeans: .clustering
        }
    }

    /// Features the model expects.
    public var featureCount: Int {
        switch self {
        case .logisticRegression(let model): model.featureCount
        case .ridgeRegression(let model): model.featureCount
        case .decisionTreeClassifier(let model): model.featureCount
        case .decisionTreeRegressor(let model): model.featureCount
        case .kMeans(let model): model.featureCount
        }
    }

    /// One prediction per row: class label, value or cluster index.
    public func predict(_ x: Matrix) throws(MLError) -> [Double] {
        switch self {
        case .logisticRegression(let model): try model.predict(x)
        case .ridgeRegression(let model): try model.predict(x)
        case .decisionTreeClassifier(let model): try model.predict(x)
        case .decisionTreeRegressor(let model): try model.predict(x)
        case .kMeans(let model): try model.predict(x)
        }
    }

    /// Class probabilities (`rows × classes`) for a classifier, nil otherwise.
    public func predictProbabilities(_ x: Matrix) throws(MLError) -> Matrix? {
        switch self {
        case .logisticRegression(let model): try model.predictProbabilities(x)
        case .decisionTreeClassifier(let model): try model.predictProbabilities(x)
        default: nil
        }
    }

    /// The class labels of a classifier, nil otherwise.
    public var classes: [Double]? {
        switch self {
        case .logisticRegression(let model): model.classes
        case .decisionTreeClassifier(let model): model.classes
        default: nil
        }
    }
}

/// What a model learns to do.
public enum LearningTask: String, Sendable, Codable, CaseIterable {
    case classification
    case regression
    case clustering
}
