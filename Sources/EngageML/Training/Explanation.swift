/// Why a model answered as it did for one row: a baseline plus one additive contribution per
/// input feature, in the unit of ``unit``, so that `baseline + Σ contributions` is the explained score.
///
/// - Logistic regression: `βⱼ·xⱼ` on the log-odds of the positive class (binary) or on the
///   predicted class's score (multinomial); the baseline is the intercept.
/// - Ridge regression: `βⱼ·xⱼ` on the predicted value; the baseline is the intercept.
/// - Decision trees: the change of the node value along the row's path, given to the feature that
///   split there (Saabas); the baseline is the root's value (the training mean or class share).
/// - K-means: each feature's squared difference to the assigned centre; the baseline is 0.
///
/// A one-hot encoded feature's columns are summed back into the feature they came from.
public struct Explanation: Sendable, Equatable, Codable {
    /// What the contributions add up to: `log-odds`, `probability`, `value` or `squared distance`.
    public var unit: String
    /// The score before any feature's contribution (the model's expected score).
    public var baseline: Double
    /// By input feature name.
    public var contributions: [String: Double]
}

extension ModelPipeline {
    /// One explanation per row of `features`.
    public func explain(_ features: FeatureTable) throws(MLError) -> [Explanation] {
        let x = try matrix(features)
        let (unit, baseline, columns) = try model.contributions(x)
        let owners = preprocessor.outputOwners
        return (0..<x.rows).map { i in
            var byFeature: [String: Double] = [:]
            for j in 0..<x.columns { byFeature[owners[j], default: 0] += columns[i, j] }
            return Explanation(unit: unit[i], baseline: baseline[i], contributions: byFeature)
        }
    }
}

extension TablePreprocessor {
    /// For each output column, the input feature it came from.
    var outputOwners: [String] {
        steps.flatMap { step -> [String] in
            switch step {
            case .numeric(let name, _, _, _): [name]
            case .oneHot(let name, _, let categories): Array(repeating: name, count: categories.count)
            }
        }
    }
}

extension TrainedModel {
    /// Per-row unit and baseline, and `rows × features` additive contributions (see ``Explanation``).
    func contributions(_ x: Matrix) throws(MLError) -> (unit: [String], baseline: [Double], columns: Matrix) {
        switch self {
        case .logisticRegression(let model):
            if model.coefficients.count == 1 {
                let unit = "log-odds of class \(label(model.classes[1]))"
                return (
                    Array(repeating: unit, count: x.rows), Array(repeating: model.intercepts[0], count: x.rows), try model.contributions(x)
                )
            }
            let predicted = try model.predictProbabilities(x).argmaxPerRow()
            var columns = Matrix(rows: x.rows, columns: x.columns)
            for k in Set(predicted) {
                let classColumns = try model.contributions(x, output: k)
                for i in 0..<x.rows where predicted[i] == k {
                    for j in 0..<x.columns { columns[i, j] = classColumns[i, j] }
                }
            }
            return (predicted.map { "score of class \(label(model.classes[$0]))" }, predicted.map { model.intercepts[$0] }, columns)
        case .ridgeRegression(let model):
            try x.validate(expectedColumns: model.featureCount)
            var columns = Matrix(rows: x.rows, columns: x.columns)
            for j in 0..<x.columns {
                for i in 0..<x.rows { columns[i, j] = model.coefficients[j] * x[i, j] }
            }
            return (Array(repeating: "value", count: x.rows), Array(repeating: model.intercept, count: x.rows), columns)
        case .decisionTreeClassifier(let model):
            try x.validate(expectedColumns: model.featureCount, allowMissing: true)
            let classes = model.classes.count == 2 ? Array(repeating: 1, count: x.rows) : try model.predictProbabilities(x).argmaxPerRow()
            let columns = model.tree.pathContributions(x) { node, i in node.value[classes[i]] }
            return (
                classes.map { "probability of class \(label(model.classes[$0]))" }, classes.map { model.tree.nodes[0].value[$0] }, columns
            )
        case .decisionTreeRegressor(let model):
            try x.validate(expectedColumns: model.featureCount, allowMissing: true)
            let columns = model.tree.pathContributions(x) { node, _ in node.value[0] }
            return (Array(repeating: "value", count: x.rows), Array(repeating: model.tree.nodes[0].value[0], count: x.rows), columns)
        case .kMeans(let model):
            let assigned = try model.assign(x)
            var columns = Matrix(rows: x.rows, columns: x.columns)
            for (i, nearest) in assigned.enumerated() {
                for j in 0..<x.columns {
                    let difference = x[i, j] - model.centres[nearest.cluster * model.featureCount + j]
                    columns[i, j] = difference * difference
                }
            }
            return (assigned.map { "squared distance to cluster \($0.cluster)" }, Array(repeating: 0, count: x.rows), columns)
        }
    }

    private func label(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension DecisionTree {
    /// Saabas attribution: along each row's path, the change `value(child) − value(parent)` is
    /// added to the feature split on at the parent.
    func pathContributions(_ x: Matrix, value: (TreeNode, Int) -> Double) -> Matrix {
        var out = Matrix(rows: x.rows, columns: featureCount)
        for i in 0..<x.rows {
            var node = 0
            while nodes[node].feature >= 0 {
                let current = nodes[node]
                let next = current.child(for: x[i, current.feature])
                out[i, current.feature] += value(nodes[next], i) - value(current, i)
                node = next
            }
        }
        return out
    }
}
