/// Stratified k-fold splitting: each fold keeps the class proportions of the whole, and the
/// assignment is fixed by the seed (rows are shuffled within each class before dealing them out).
public struct StratifiedKFold: Sendable, Equatable {
    /// Number of folds, ≥ 2.
    public let folds: Int
    /// Seed of the within-class shuffle.
    public let seed: UInt64

    /// Splits into `folds` (≥ 2) folds, shuffled by `seed`.
    public init(folds: Int = 5, seed: UInt64 = 0) throws(MLError) {
        guard folds >= 2 else { throw .invalidParameter("folds must be ≥ 2, got \(folds)") }
        self.folds = folds
        self.seed = seed
    }

    /// For each fold, the training and the held-out row indices (each ascending).
    /// For regression targets, pass a binned version of `y` (``quantileBins(_:bins:)``) to stratify.
    public func splits(_ y: [Double]) throws(MLError) -> [(train: [Int], test: [Int])] {
        guard y.count >= folds else { throw .emptyInput("\(y.count) rows cannot make \(folds) folds") }
        var generator = SeededGenerator(seed: seed)
        var foldOf = [Int](repeating: 0, count: y.count)
        var next = 0
        for label in Set(y).sorted() {
            var rows = y.indices.filter { y[$0] == label }
            rows.shuffle(using: &generator)
            for row in rows {
                foldOf[row] = next
                next = (next + 1) % folds
            }
        }
        return (0..<folds).map { fold in
            (y.indices.filter { foldOf[$0] != fold }, y.indices.filter { foldOf[$0] == fold })
        }
    }

    /// Each value's quantile bin `0..<bins`, to stratify a continuous target.
    public static func quantileBins(_ y: [Double], bins: Int = 5) -> [Double] {
        let order = y.indices.sorted { y[$0] < y[$1] }
        var out = [Double](repeating: 0, count: y.count)
        for (rank, i) in order.enumerated() { out[i] = Double(rank * bins / max(1, y.count)) }
        return out
    }
}

/// Mean and (sample) standard deviation of per-fold scores.
public struct CrossValidationScore: Sendable, Equatable, Codable {
    /// The score of each fold, in fold order.
    public let scores: [Double]
    /// The mean over the folds.
    public var mean: Double { scores.reduce(0, +) / Double(scores.count) }
    /// The sample standard deviation over the folds (0 for one fold).
    public var standardDeviation: Double {
        guard scores.count > 1 else { return 0 }
        let m = mean
        return (scores.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(scores.count - 1)).squareRoot()
    }

    /// The scores of the folds, in fold order.
    public init(scores: [Double]) {
        self.scores = scores
    }
}

extension Estimator {
    /// Fits on each fold's training rows and scores its held-out rows with `score(truth, model, x)`.
    public func crossValidate(
        _ x: Matrix, _ y: [Double], folds: StratifiedKFold, stratifyBy strata: [Double]? = nil,
        score: (_ truth: [Double], _ model: Model, _ x: Matrix) throws(MLError) -> Double
    ) throws(MLError) -> CrossValidationScore {
        var scores: [Double] = []
        for (train, test) in try folds.splits(strata ?? y) {
            let model = try fit(x.selectingRows(train), train.map { y[$0] })
            scores.append(try score(test.map { y[$0] }, model, x.selectingRows(test)))
        }
        return CrossValidationScore(scores: scores)
    }
}
