/// How a ``TablePreprocessor`` treats each kind of column.
public struct PreprocessingOptions: Sendable, Equatable, Codable {
    /// Replace missing numbers with the training median. Trees handle `NaN` natively and may skip it.
    public var imputeNumeric: Bool
    /// Standard-scale numeric columns (for linear models and k-means).
    public var scaleNumeric: Bool

    /// Whether numeric columns get their missing values imputed (median) and are standardized.
    public init(imputeNumeric: Bool = true, scaleNumeric: Bool = true) {
        self.imputeNumeric = imputeNumeric
        self.scaleNumeric = scaleNumeric
    }
}

/// Turns a ``FeatureTable`` into a numeric ``Matrix`` with steps fitted on training rows only and
/// saved with the model: numeric columns get median imputation and standard scaling, categorical
/// columns most-frequent imputation and one-hot encoding. A category not seen in training encodes
/// as all zeros (scikit-learn's `handle_unknown="ignore"`), so predictions never fail on new labels.
public struct TablePreprocessor: Sendable, Equatable, Codable {
    /// One fitted step per input column.
    public enum Step: Sendable, Equatable, Codable {
        /// A numeric column: fill value for missing (nil keeps `NaN`), then `(x − mean) / scale`.
        case numeric(name: String, fill: Double?, mean: Double, scale: Double)
        /// A categorical column: fill label for missing, then one output per known category.
        case oneHot(name: String, fill: String, categories: [String])
    }

    /// The fitted steps, in input column order.
    public let steps: [Step]

    /// Fits every step on `table` (the training rows).
    public init(fitting table: FeatureTable, options: PreprocessingOptions = PreprocessingOptions()) {
        steps = zip(table.names, table.columns).map { name, column in
            switch column {
            case .numeric(let values):
                let known = values.filter { !$0.isNaN }
                let fill = options.imputeNumeric ? median(known) : nil
                let filled = known + [Double](repeating: fill ?? 0, count: fill == nil ? 0 : values.count - known.count)
                let mean = filled.isEmpty ? 0 : filled.reduce(0, +) / Double(filled.count)
                let variance = filled.isEmpty ? 0 : filled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(filled.count)
                return options.scaleNumeric
                    ? .numeric(name: name, fill: fill, mean: mean, scale: variance > 0 ? variance.squareRoot() : 1)
                    : .numeric(name: name, fill: fill, mean: 0, scale: 1)
            case .categorical(let values):
                var counts: [String: Int] = [:]
                for value in values { if let value { counts[value, default: 0] += 1 } }
                let fill = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? ""
                return .oneHot(name: name, fill: fill, categories: counts.keys.sorted())
            }
        }
    }

    /// The input columns, in order.
    public var inputNames: [String] {
        steps.map {
            switch $0 {
            case .numeric(let name, _, _, _), .oneHot(let name, _, _): name
            }
        }
    }

    /// Output feature names: a numeric column keeps its name, a category becomes `name=category`.
    public var outputNames: [String] {
        steps.flatMap { step -> [String] in
            switch step {
            case .numeric(let name, _, _, _): [name]
            case .oneHot(let name, _, let categories): categories.map { "\(name)=\($0)" }
            }
        }
    }

    /// How many output columns the steps make.
    private var outputWidth: Int {
        steps.reduce(0) { width, step in
            switch step {
            case .numeric: width + 1
            case .oneHot(_, _, let categories): width + categories.count
            }
        }
    }

    /// The numeric matrix for `table`, whose columns are matched to the fitted ones by name.
    public func transform(_ table: FeatureTable) throws(MLError) -> Matrix {
        let width = outputWidth
        var output: [Double] = []
        output.reserveCapacity(width * table.rows)
        for (position, step) in steps.enumerated() {
            // Callers usually pass the columns in training order: look there first.
            func column(_ name: String) -> FeatureColumn? {
                position < table.names.count && table.names[position] == name ? table.columns[position] : table.column(named: name)
            }
            switch step {
            case .numeric(let name, let fill, let mean, let scale):
                guard case .numeric(let values)? = column(name) else {
                    throw .shapeMismatch("the numeric feature \(name) is missing from the input")
                }
                for value in values { output.append(((value.isNaN ? fill ?? .nan : value) - mean) / scale) }
            case .oneHot(let name, let fill, let categories):
                guard case .categorical(let values)? = column(name) else {
                    throw .shapeMismatch("the categorical feature \(name) is missing from the input")
                }
                let filled = values.map { $0 ?? fill }
                for category in categories {
                    for value in filled { output.append(value == category ? 1 : 0) }
                }
            }
        }
        return Matrix(unchecked: table.rows, width, output)
    }
}

/// The median of `values` (the mean of the middle two for an even count), or 0 when empty.
func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
