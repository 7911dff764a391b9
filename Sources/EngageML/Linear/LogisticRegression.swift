import Foundation

/// Logistic regression with an L2 penalty, fitted by L-BFGS: binary (one weight vector) or
/// multinomial (softmax over three or more classes). Like scikit-learn's `LogisticRegression(solver="lbfgs")`,
/// it minimizes `Σ wᵢ·loss(i) / Σ wᵢ + ‖β‖² / (2·C·Σ wᵢ)`; the intercept is not penalized.
///
/// Features are used as given: scale them first (``StandardScaler``) for fast convergence.
public struct LogisticRegression: Estimator, Equatable, Codable {
    /// Inverse regularization strength (scikit-learn's `C`); larger means less penalty.
    public var inverseRegularization: Double
    /// Class weights for imbalanced labels.
    public var classWeights: ClassWeights
    /// Stop when the largest gradient component is at most this.
    public var tolerance: Double
    /// At most this many L-BFGS iterations.
    public var maxIterations: Int
    /// Fit an intercept.
    public var fitIntercept: Bool
    /// Worker threads for the loss and gradient (nil: all cores). The model is the same for any count.
    public var threads: Int?

    /// Defaults match scikit-learn: `C = 1`, `tol = 1e-4`, `max_iter = 100`.
    public init(
        inverseRegularization: Double = 1, classWeights: ClassWeights = .uniform, tolerance: Double = 1e-4,
        maxIterations: Int = 100, fitIntercept: Bool = true, threads: Int? = nil
    ) {
        self.threads = threads
        self.inverseRegularization = inverseRegularization
        self.classWeights = classWeights
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.fitIntercept = fitIntercept
    }

    /// Fits by L-BFGS on `x` and class labels `y` (whole numbers), optionally weighting samples.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeights: [Double]?) throws(MLError) -> LogisticRegressionModel {
        guard inverseRegularization > 0, inverseRegularization.isFinite else {
            throw .invalidParameter("inverseRegularization (C) must be a positive number, got \(inverseRegularization)")
        }
        guard tolerance > 0, maxIterations > 0 else {
            throw .invalidParameter("tolerance must be > 0 and maxIterations ≥ 1 (got \(tolerance), \(maxIterations))")
        }
        try x.validate()
        try validateTargets(y, weights: sampleWeights, rows: x.rows)
        let (classes, labels) = try encodeClasses(y)
        let weights = classWeights.sampleWeights(
            labels: labels, classCount: classes.count, sampleWeights: sampleWeights, classes: classes)
        let outputs = classes.count == 2 ? 1 : classes.count
        let problem = LogisticLoss(
            x: x, labels: labels, weights: weights, outputs: outputs, fitIntercept: fitIntercept,
            penalty: 1 / (inverseRegularization * weights.reduce(0, +)), threads: resolvedThreadCount(threads))
        let solver = LBFGS(maxIterations: maxIterations, gradientTolerance: tolerance)
        let outcome = solver.minimize(from: [Double](repeating: 0, count: outputs * (x.columns + 1)), problem.evaluate)
        let stride = x.columns + 1
        return LogisticRegressionModel(
            classes: classes,
            coefficients: (0..<outputs).map { Array(outcome.parameters[($0 * stride)..<($0 * stride + x.columns)]) },
            intercepts: (0..<outputs).map { outcome.parameters[$0 * stride + x.columns] },
            iterations: outcome.iterations, converged: outcome.converged, finalLoss: outcome.value)
    }
}

/// A fitted logistic regression.
public struct LogisticRegressionModel: ProbabilisticClassifier {
    /// The class labels, in the order of the probability columns.
    public let classes: [Double]
    /// One weight vector per output: one for binary (the positive class), one per class otherwise.
    public let coefficients: [[Double]]
    /// One intercept per output.
    public let intercepts: [Double]
    /// L-BFGS iterations used.
    public let iterations: Int
    /// Whether the gradient tolerance was reached within the iteration limit.
    public let converged: Bool
    /// The penalized objective at the solution.
    public let finalLoss: Double

    /// The number of features the model was fitted on.
    public var featureCount: Int { coefficients[0].count }

    /// Each row's class probabilities: the sigmoid (binary) or softmax (multinomial) of its scores.
    public func predictProbabilities(_ x: Matrix) throws(MLError) -> Matrix {
        try x.validate(expectedColumns: featureCount)
        let scores = linearScores(x)
        var p = Matrix(rows: x.rows, columns: classes.count)
        if coefficients.count == 1 {
            for i in 0..<x.rows {
                let positive = sigmoid(scores[i])
                p[i, 0] = 1 - positive
                p[i, 1] = positive
            }
        } else {
            for i in 0..<x.rows {
                var top = -Double.infinity
                for k in 0..<classes.count { top = max(top, scores[k * x.rows + i]) }
                var total = 0.0
                for k in 0..<classes.count { total += exp(scores[k * x.rows + i] - top) }
                for k in 0..<classes.count { p[i, k] = exp(scores[k * x.rows + i] - top) / total }
            }
        }
        return p
    }

    /// Each feature's contribution `βⱼ·xⱼ` to each row's score for output `k` (binary models have
    /// one output, the positive-class log-odds): `intercepts[k]` plus a row's contributions is that score.
    public func contributions(_ x: Matrix, output k: Int = 0) throws(MLError) -> Matrix {
        try x.validate(expectedColumns: featureCount)
        var out = Matrix(rows: x.rows, columns: featureCount)
        for j in 0..<featureCount {
            for i in 0..<x.rows { out[i, j] = coefficients[k][j] * x[i, j] }
        }
        return out
    }

    /// Column-major `rows × outputs` linear scores.
    private func linearScores(_ x: Matrix) -> [Double] {
        var scores = [Double](repeating: 0, count: x.rows * coefficients.count)
        for k in 0..<coefficients.count {
            for i in 0..<x.rows { scores[k * x.rows + i] = intercepts[k] }
            for j in 0..<x.columns {
                let beta = coefficients[k][j]
                for i in 0..<x.rows { scores[k * x.rows + i] += beta * x[i, j] }
            }
        }
        return scores
    }
}

func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}

/// The penalized, weight-averaged log loss and its gradient over a flat parameter vector laid out
/// as `outputs` blocks of `[β₀ … β_{d-1}, intercept]`.
///
/// Rows are processed in fixed blocks small enough that a block's features stay in cache between
/// computing its scores and adding its gradient, so each evaluation reads the data once. Blocks run
/// on `threads` workers and their partial sums are added in block order: the same result for any
/// thread count.
struct LogisticLoss: Sendable {
    let x: Matrix
    let labels: [Int32]
    let weights: [Double]
    let outputs: Int
    let fitIntercept: Bool
    let penalty: Double
    let totalWeight: Double
    let threads: Int

    /// Rows per parallel chunk of the loss and gradient pass.
    static let blockRows = 2048

    init(x: Matrix, labels: [Int], weights: [Double], outputs: Int, fitIntercept: Bool, penalty: Double, threads: Int) {
        self.x = x
        self.labels = labels.map { Int32($0) }
        self.weights = weights
        self.outputs = outputs
        self.fitIntercept = fitIntercept
        self.penalty = penalty
        self.totalWeight = weights.reduce(0, +)
        self.threads = threads
    }

    func evaluate(_ gradient: inout [Double], _ parameters: [Double]) -> Double {
        let d = x.columns
        let stride = d + 1
        let blocks = parallelChunks(count: x.rows, chunkSize: Self.blockRows, threads: threads) { rows in
            lossAndGradient(ofRows: rows, parameters)
        }
        var loss = 0.0
        for k in 0..<gradient.count { gradient[k] = 0 }
        for (blockLoss, blockGradient) in blocks {
            loss += blockLoss
            for k in 0..<gradient.count { gradient[k] += blockGradient[k] }
        }
        var squared = 0.0
        for k in 0..<outputs {
            for j in 0..<d {
                let beta = parameters[k * stride + j]
                squared += beta * beta
                gradient[k * stride + j] = gradient[k * stride + j] / totalWeight + penalty * beta
            }
            gradient[k * stride + d] = fitIntercept ? gradient[k * stride + d] / totalWeight : 0
        }
        return loss / totalWeight + 0.5 * penalty * squared
    }

    /// The weighted loss and unscaled gradient over one block of rows.
    private func lossAndGradient(ofRows rows: Range<Int>, _ parameters: [Double]) -> (Double, [Double]) {
        let n = x.rows
        let d = x.columns
        let stride = d + 1
        let count = rows.count
        var gradient = [Double](repeating: 0, count: outputs * stride)
        var loss = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: count * outputs) { z in
            x.values.withUnsafeBufferPointer { xs in
                for k in 0..<outputs {
                    let scores = z.baseAddress! + k * count
                    let intercept = fitIntercept ? parameters[k * stride + d] : 0
                    for r in 0..<count { scores[r] = intercept }
                    for j in 0..<d {
                        let beta = parameters[k * stride + j]
                        let column = xs.baseAddress! + j * n + rows.lowerBound
                        for r in 0..<count { scores[r] += beta * column[r] }
                    }
                }
                // Scores become weighted residuals w·(p − y), summing the loss on the way.
                if outputs == 1 {
                    // Four rows at a time, with vector e^(−|z|) and ln(1 + e): the scalar library
                    // calls were a quarter of the fit.
                    let scores = UnsafeMutableRawPointer(z.baseAddress!)
                    var lossLanes = SIMD4<Double>()
                    var r = 0
                    while r + 4 <= count {
                        let i = rows.lowerBound + r
                        let zi = scores.loadUnaligned(fromByteOffset: r * 8, as: SIMD4<Double>.self)
                        let yi = SIMD4(Double(labels[i]), Double(labels[i + 1]), Double(labels[i + 2]), Double(labels[i + 3]))
                        let wi = SIMD4(weights[i], weights[i + 1], weights[i + 2], weights[i + 3])
                        let positive = zi .>= 0
                        let e = exponentialOfNonPositive(zi.replacing(with: -zi, where: positive))
                        lossLanes += wi * (SIMD4().replacing(with: zi, where: positive) - zi * yi + logOnePlusUnit(e))
                        let p = e.replacing(with: 1, where: positive) / (1 + e)
                        scores.storeBytes(of: wi * (p - yi), toByteOffset: r * 8, as: SIMD4<Double>.self)
                        r += 4
                    }
                    loss += lossLanes.sum()
                    while r < count {
                        let i = rows.lowerBound + r
                        let zi = z[r]
                        let yi = Double(labels[i])
                        let e = exp(-abs(zi))
                        loss += weights[i] * (max(zi, 0) - zi * yi + log1p(e))
                        let p = zi >= 0 ? 1 / (1 + e) : e / (1 + e)
                        z[r] = weights[i] * (p - yi)
                        r += 1
                    }
                } else {
                    for r in 0..<count {
                        let i = rows.lowerBound + r
                        var top = -Double.infinity
                        for k in 0..<outputs { top = max(top, z[k * count + r]) }
                        var total = 0.0
                        for k in 0..<outputs { total += exp(z[k * count + r] - top) }
                        let logTotal = log(total) + top
                        loss += weights[i] * (logTotal - z[Int(labels[i]) * count + r])
                        for k in 0..<outputs {
                            let p = exp(z[k * count + r] - logTotal)
                            z[k * count + r] = weights[i] * (p - (Int(labels[i]) == k ? 1 : 0))
                        }
                    }
                }
                for k in 0..<outputs {
                    let residuals = z.baseAddress! + k * count
                    for j in 0..<d {
                        gradient[k * stride + j] = dotProduct(residuals, xs.baseAddress! + j * n + rows.lowerBound, count)
                    }
                    var interceptSum = 0.0
                    for r in 0..<count { interceptSum += residuals[r] }
                    gradient[k * stride + d] = interceptSum
                }
            }
        }
        return (loss, gradient)
    }
}
