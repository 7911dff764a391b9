/// Why an estimator refused its input or parameters. The message names the row, column or
/// parameter involved, so that a caller can fix it.
public enum MLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No rows, no columns, or no samples of some required kind.
    case emptyInput(String)
    /// Dimensions that do not agree (rows vs labels, columns vs the fitted model).
    case shapeMismatch(String)
    /// A `NaN` or infinity where only finite values are accepted.
    case nonFinite(String)
    /// A hyperparameter out of its range, or unknown.
    case invalidParameter(String)
    /// A label that is not usable (one class only, a non-integer class, an unknown class).
    case invalidLabels(String)
    /// A saved model that cannot be read back.
    case invalidModel(String)

    /// The message, naming the row, column or parameter involved.
    public var description: String {
        switch self {
        case .emptyInput(let message): "empty input: \(message)"
        case .shapeMismatch(let message): "shape mismatch: \(message)"
        case .nonFinite(let message): "non-finite value: \(message)"
        case .invalidParameter(let message): "invalid parameter: \(message)"
        case .invalidLabels(let message): "invalid labels: \(message)"
        case .invalidModel(let message): "invalid model: \(message)"
        }
    }
}

/// Checks that `y` and the optional `weights` fit `x`, are finite, and that weights are ≥ 0 with a positive sum.
func validateTargets(_ y: [Double], weights: [Double]?, rows: Int) throws(MLError) {
    guard y.count == rows else {
        throw .shapeMismatch("\(rows) rows of features but \(y.count) labels")
    }
    if let bad = y.firstIndex(where: { !$0.isFinite }) {
        throw .nonFinite("label at row \(bad) is \(y[bad])")
    }
    guard let weights else { return }
    guard weights.count == rows else {
        throw .shapeMismatch("\(rows) rows but \(weights.count) sample weights")
    }
    if let bad = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
        throw .invalidParameter("sample weight at row \(bad) is \(weights[bad]); weights must be finite and ≥ 0")
    }
    guard weights.reduce(0, +) > 0 else {
        throw .invalidParameter("sample weights sum to 0")
    }
}
