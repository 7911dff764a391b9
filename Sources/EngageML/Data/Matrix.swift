/// A dense matrix of `Double`, stored column-major: column `j` is
/// `values[j * rows ..< (j + 1) * rows]`, the layout a feature collection is read into.
///
/// ```swift
/// let x = try Matrix(rows: [[1, 2], [3, 4], [5, 6]])   // 3 × 2
/// x[2, 1]                                             // 6
/// ```
public struct Matrix: Sendable, Equatable, Codable {
    /// Number of rows (samples).
    public let rows: Int
    /// Number of columns (features).
    public let columns: Int
    /// Column-major values, `rows * columns` of them.
    public private(set) var values: [Double]

    /// A matrix over column-major `values`; throws when the count is not `rows * columns`.
    public init(rows: Int, columns: Int, values: [Double]) throws(MLError) {
        guard rows >= 0, columns >= 0, values.count == rows * columns else {
            throw .shapeMismatch("\(values.count) values cannot fill a \(rows) × \(columns) matrix")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = rows
        self.columns = columns
        self.values = [Double](repeating: value, count: rows * columns)
    }

    /// A matrix from a list of columns of equal length.
    public init(columns: [[Double]]) throws(MLError) {
        let rows = columns.first?.count ?? 0
        if let bad = columns.firstIndex(where: { $0.count != rows }) {
            throw .shapeMismatch("column \(bad) has \(columns[bad].count) values, column 0 has \(rows)")
        }
        self.rows = rows
        self.columns = columns.count
        self.values = columns.flatMap { $0 }
    }

    /// A matrix from a list of rows of equal length.
    public init(rows: [[Double]]) throws(MLError) {
        let columns = rows.first?.count ?? 0
        if let bad = rows.firstIndex(where: { $0.count != columns }) {
            throw .shapeMismatch("row \(bad) has \(rows[bad].count) values, row 0 has \(columns)")
        }
        self.rows = rows.count
        self.columns = columns
        var values = [Double](repeating: 0, count: rows.count * columns)
        for (i, row) in rows.enumerated() {
            for (j, value) in row.enumerated() { values[j * rows.count + i] = value }
        }
        self.values = values
    }

    /// The value at `row`, `column`.
    public subscript(row: Int, column: Int) -> Double {
        get { values[column * rows + row] }
        set { values[column * rows + row] = newValue }
    }

    /// Column `j`.
    public func column(_ j: Int) -> ArraySlice<Double> {
        values[j * rows..<(j + 1) * rows]
    }

    /// Row `i`, copied out.
    public func row(_ i: Int) -> [Double] {
        (0..<columns).map { values[$0 * rows + i] }
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var out = [Double](repeating: 0, count: indices.count * columns)
        values.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for j in 0..<columns {
                    let from = j * rows
                    let to = j * indices.count
                    for (k, i) in indices.enumerated() { target[to + k] = source[from + i] }
                }
            }
        }
        return Matrix(unchecked: indices.count, columns, out)
    }

    /// The rows in `range`.
    public func selectingRows(_ range: Range<Int>) -> Matrix {
        var out: [Double] = []
        out.reserveCapacity(range.count * columns)
        for j in 0..<columns { out.append(contentsOf: values[(j * rows + range.lowerBound)..<(j * rows + range.upperBound)]) }
        return Matrix(unchecked: range.count, columns, out)
    }

    init(unchecked rows: Int, _ columns: Int, _ values: [Double]) {
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}

extension Matrix {
    /// Throws unless the matrix has rows, `expectedColumns` columns (when given) and, unless
    /// `allowMissing`, only finite values. `NaN` means missing where it is allowed; infinities never are.
    func validate(expectedColumns: Int? = nil, allowMissing: Bool = false) throws(MLError) {
        guard rows > 0, columns > 0 else {
            throw .emptyInput("the feature matrix is \(rows) × \(columns); it needs at least one row and one column")
        }
        if let expectedColumns, expectedColumns != columns {
            throw .shapeMismatch("the model was fitted on \(expectedColumns) features, this matrix has \(columns)")
        }
        // x − x is 0 for every finite x and NaN for ±∞ and NaN, so one vector sum tells whether
        // any value is not finite; only then are the values searched for the first culprit.
        let allFinite = values.withUnsafeBufferPointer { buffer in
            let raw = UnsafeRawPointer(buffer.baseAddress!)
            var lanes = SIMD4<Double>()
            var i = 0
            while i + 4 <= buffer.count {
                let four = raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
                lanes += four - four
                i += 4
            }
            var rest = 0.0
            while i < buffer.count {
                rest += buffer[i] - buffer[i]
                i += 1
            }
            return lanes.sum() + rest == 0
        }
        if allFinite { return }
        for (index, value) in values.enumerated() where !value.isFinite {
            if value.isNaN && allowMissing { continue }
            throw .nonFinite("feature column \(index / rows) is \(value) at row \(index % rows)")
        }
    }
}

extension Matrix {
    /// The column of each row's largest value (the first on a tie).
    public func argmaxPerRow() -> [Int] {
        (0..<rows).map { i in
            var best = 0
            for k in 1..<columns where self[i, k] > self[i, best] { best = k }
            return best
        }
    }
}
