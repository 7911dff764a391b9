/// Linear least squares with an L2 penalty `alpha·‖β‖²` (the intercept is not penalized), solved
/// exactly through the normal equations and a Cholesky factorization: the regression baseline.
public struct RidgeRegression: Estimator, Equatable, Codable {
    /// Penalty strength (scikit-learn's `alpha`), ≥ 0.
    public var alpha: Double

    /// A ridge regression with L2 penalty `alpha` (0: ordinary least squares).
    public init(alpha: Double = 1) {
        self.alpha = alpha
    }

    /// Solves the penalized normal equations exactly on `x` and `y`, optionally weighting samples.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeights: [Double]?) throws(MLError) -> RidgeRegressionModel {
        guard alpha >= 0, alpha.isFinite else { throw .invalidParameter("alpha must be ≥ 0, got \(alpha)") }
        try x.validate()
        try validateTargets(y, weights: sampleWeights, rows: x.rows)
        let n = x.rows
        let d = x.columns
        let w = sampleWeights ?? [Double](repeating: 1, count: n)
        let total = w.reduce(0, +)
        let means = (0..<d).map { j in (0..<n).reduce(0.0) { $0 + w[$1] * x[$1, j] } / total }
        let yMean = (0..<n).reduce(0.0) { $0 + w[$1] * y[$1] } / total
        // Gram matrix of the centered, weighted data, plus alpha on the diagonal.
        var gram = [Double](repeating: 0, count: d * d)
        var rhs = [Double](repeating: 0, count: d)
        for a in 0..<d {
            for i in 0..<n { rhs[a] += w[i] * (x[i, a] - means[a]) * (y[i] - yMean) }
            for b in a..<d {
                var sum = 0.0
                for i in 0..<n { sum += w[i] * (x[i, a] - means[a]) * (x[i, b] - means[b]) }
                gram[a * d + b] = sum
                gram[b * d + a] = sum
            }
            gram[a * d + a] += max(alpha, 1e-12 * (gram[a * d + a] + 1))
        }
        let beta = try solveSymmetricPositiveDefinite(gram, rhs, size: d)
        let intercept = yMean - zip(beta, means).reduce(0) { $0 + $1.0 * $1.1 }
        return RidgeRegressionModel(coefficients: beta, intercept: intercept)
    }
}

/// A fitted ridge regression.
public struct RidgeRegressionModel: Predictor {
    /// One weight per feature.
    public let coefficients: [Double]
    /// The fitted intercept (the weighted mean of the targets at centred features).
    public let intercept: Double

    /// The number of features the model was fitted on.
    public var featureCount: Int { coefficients.count }

    /// Each row's prediction: intercept plus coefficients times features.
    public func predict(_ x: Matrix) throws(MLError) -> [Double] {
        try x.validate(expectedColumns: featureCount)
        var out = [Double](repeating: intercept, count: x.rows)
        for j in 0..<x.columns {
            for i in 0..<x.rows { out[i] += coefficients[j] * x[i, j] }
        }
        return out
    }
}

/// Solves `A·x = b` for a symmetric positive definite `A` (row-major `size × size`) by Cholesky.
func solveSymmetricPositiveDefinite(_ a: [Double], _ b: [Double], size n: Int) throws(MLError) -> [Double] {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var sum = a[i * n + j]
            for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
            if i == j {
                guard sum > 0 else {
                    throw .invalidParameter("the features are collinear; raise alpha to regularize them")
                }
                l[i * n + i] = sum.squareRoot()
            } else {
                l[i * n + j] = sum / l[j * n + j]
            }
        }
    }
    var z = [Double](repeating: 0, count: n)
    for i in 0..<n {
        var sum = b[i]
        for k in 0..<i { sum -= l[i * n + k] * z[k] }
        z[i] = sum / l[i * n + i]
    }
    var x = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
        var sum = z[i]
        for k in (i + 1)..<n { sum -= l[k * n + i] * x[k] }
        x[i] = sum / l[i * n + i]
    }
    return x
}
