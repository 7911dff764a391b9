/// Centres each column on its training mean and divides by its training standard deviation
/// (population, as scikit-learn's `StandardScaler`); a constant column is only centred.
public struct StandardScaler: Sendable, Equatable, Codable {
    /// Training mean of each column.
    public let means: [Double]
    /// Training standard deviation of each column (1 where it was 0).
    public let scales: [Double]

    /// Fits on `x`'s columns, ignoring `NaN` values; columns are spread over the cores.
    public init(fitting x: Matrix) {
        let moments = parallelChunks(count: x.columns, chunkSize: 1, threads: threadCount(forElements: x.values.count)) { columns in
            x.values.withUnsafeBufferPointer { values in
                let j = columns.lowerBound
                let column = UnsafeBufferPointer(rebasing: values[(j * x.rows)..<((j + 1) * x.rows)])
                var sum = 0.0
                var count = 0
                for value in column where !value.isNaN {
                    sum += value
                    count += 1
                }
                let mean = count > 0 ? sum / Double(count) : 0
                var squares = 0.0
                for value in column where !value.isNaN { squares += (value - mean) * (value - mean) }
                let variance = count > 0 ? squares / Double(count) : 0
                return (mean, variance > 0 ? variance.squareRoot() : 1)
            }
        }
        means = moments.map(\.0)
        scales = moments.map(\.1)
    }

    /// `(x − mean) / scale` column by column (on all cores for a large matrix); `NaN` stays `NaN`.
    public func transform(_ x: Matrix) throws(MLError) -> Matrix {
        guard x.columns == means.count else {
            throw .shapeMismatch("the scaler was fitted on \(means.count) columns, this matrix has \(x.columns)")
        }
        let out = [Double](unsafeUninitializedCapacity: x.values.count) { buffer, initialized in
            let target = UnsafeSendablePointer(buffer.baseAddress!)
            _ = parallelChunks(count: x.columns, chunkSize: 1, threads: threadCount(forElements: x.values.count)) {
                [means, scales] columns -> Bool in
                let j = columns.lowerBound
                x.values.withUnsafeBufferPointer { source in
                    for i in (j * x.rows)..<((j + 1) * x.rows) { (target.pointer + i).initialize(to: (source[i] - means[j]) / scales[j]) }
                }
                return true
            }
            initialized = x.values.count
        }
        return Matrix(unchecked: x.rows, x.columns, out)
    }
}
