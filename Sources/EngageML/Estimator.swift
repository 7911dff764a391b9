/// A learning algorithm with its hyperparameters as plain values, after scikit-learn's contract:
/// `fit` validates its input, never depends on an earlier fit, and returns a new fitted model.
/// The same parameters (including the seed) on the same data give a bit-identical model.
///
/// ```swift
/// let model = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 6)).fit(x, y)
/// let p = try model.predictProbabilities(xTest)
/// ```
public protocol Estimator: Sendable {
    /// The fitted model this estimator produces.
    associatedtype Model: Predictor
    /// Fits a model on `x` (rows are samples) and targets `y`, optionally weighting samples.
    /// Unsupervised estimators ignore `y` (pass `[]`).
    func fit(_ x: Matrix, _ y: [Double], sampleWeights: [Double]?) throws(MLError) -> Model
}

extension Estimator {
    /// Fits with every sample weighted equally.
    public func fit(_ x: Matrix, _ y: [Double]) throws(MLError) -> Model {
        try fit(x, y, sampleWeights: nil)
    }
}

/// A fitted model: immutable, `Codable` losslessly (every `Double` round-trips exactly through JSON).
public protocol Predictor: Sendable, Codable, Equatable {
    /// The number of features the model was fitted on.
    var featureCount: Int { get }
    /// One prediction per row: a class label, a value, or a cluster index.
    func predict(_ x: Matrix) throws(MLError) -> [Double]
}

/// A classifier that gives a probability per class.
public protocol ProbabilisticClassifier: Predictor {
    /// The class labels, ascending; column `k` of ``predictProbabilities(_:)`` is `classes[k]`.
    var classes: [Double] { get }
    /// A `rows × classes.count` matrix of probabilities; each row sums to 1.
    func predictProbabilities(_ x: Matrix) throws(MLError) -> Matrix
}

extension ProbabilisticClassifier {
    /// The most probable class of each row (the lowest class on a tie).
    public func predict(_ x: Matrix) throws(MLError) -> [Double] {
        try predictProbabilities(x).argmaxPerRow().map { classes[$0] }
    }

    /// The probability of the positive class (the largest label) for a binary classifier.
    public func predictPositiveProbability(_ x: Matrix) throws(MLError) -> [Double] {
        let p = try predictProbabilities(x)
        return Array(p.column(classes.count - 1))
    }
}

/// Class weights for imbalanced data, as in scikit-learn's `class_weight`.
public enum ClassWeights: Sendable, Equatable, Codable {
    /// Every class counts the same per sample.
    case uniform
    /// Weights inversely proportional to class frequency: `n / (classes × count(c))`.
    case balanced
    /// An explicit weight per class label; classes not listed weigh 1.
    case custom([Double: Double])

    /// The weight of each sample: its class weight times its sample weight.
    func sampleWeights(labels: [Int], classCount: Int, sampleWeights: [Double]?, classes: [Double]) -> [Double] {
        var perClass = [Double](repeating: 1, count: classCount)
        switch self {
        case .uniform: break
        case .balanced:
            var counts = [Double](repeating: 0, count: classCount)
            for label in labels { counts[label] += 1 }
            for k in 0..<classCount where counts[k] > 0 {
                perClass[k] = Double(labels.count) / (Double(classCount) * counts[k])
            }
        case .custom(let weights):
            for (k, label) in classes.enumerated() { perClass[k] = weights[label] ?? 1 }
        }
        return labels.enumerated().map { i, label in perClass[label] * (sampleWeights?[i] ?? 1) }
    }
}

/// Maps labels to class indices `0..<classes.count`, with classes ascending.
/// Labels must be integers (as doubles) and there must be at least two classes.
func encodeClasses(_ y: [Double]) throws(MLError) -> (classes: [Double], labels: [Int]) {
    if let bad = y.firstIndex(where: { $0 != $0.rounded() }) {
        throw .invalidLabels("class label \(y[bad]) at row \(bad) is not an integer")
    }
    let classes = Array(Set(y)).sorted()
    guard classes.count >= 2 else {
        throw .invalidLabels("only one class (\(classes.first.map { "\($0)" } ?? "none")) in the labels; a classifier needs two or more")
    }
    var index: [Double: Int] = [:]
    for (k, c) in classes.enumerated() { index[c] = k }
    return (classes, y.map { index[$0]! })
}
