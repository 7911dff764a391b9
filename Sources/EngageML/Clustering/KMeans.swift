import Foundation

/// k-means clustering: k-means++ seeding (greedy, `2 + ln k` candidates per centre, as scikit-learn),
/// `restarts` runs keeping the lowest inertia, and Hamerly's accelerated Lloyd iterations, which skip
/// most distance computations with one upper and one lower bound per point.
///
/// Work is cut into fixed chunks of rows and reduced in chunk order, so the same seed gives a
/// bit-identical model whatever the thread count.
public struct KMeans: Estimator, Equatable, Codable {
    /// Number of clusters.
    public var clusterCount: Int
    /// Independent seedings (`n_init`); the run with the lowest inertia wins.
    public var restarts: Int
    /// At most this many iterations per run.
    public var maxIterations: Int
    /// Converged when the squared centre movement summed over clusters is at most
    /// `tolerance × mean feature variance` (scikit-learn's `tol`).
    public var tolerance: Double
    /// Seed of the k-means++ draws.
    public var seed: UInt64
    /// Worker threads (nil: all cores).
    public var threads: Int?

    /// k-means with `clusterCount` centres, `restarts` seedings (the lowest inertia is kept), an iteration cap, a tolerance on centre movement (relative to the data's variance), a seed and a thread count (nil: every core).
    public init(
        clusterCount: Int = 8, restarts: Int = 1, maxIterations: Int = 300, tolerance: Double = 1e-4, seed: UInt64 = 0,
        threads: Int? = nil
    ) {
        self.clusterCount = clusterCount
        self.restarts = restarts
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
        self.threads = threads
    }

    /// Fits on `x`; `y` is ignored. Sample weights weigh points in the centre means and the inertia.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeights: [Double]?) throws(MLError) -> KMeansModel {
        guard clusterCount >= 1 else { throw .invalidParameter("clusterCount must be ≥ 1, got \(clusterCount)") }
        guard restarts >= 1, maxIterations >= 1, tolerance >= 0 else {
            throw .invalidParameter("restarts and maxIterations must be ≥ 1 and tolerance ≥ 0")
        }
        try x.validate()
        guard x.rows >= clusterCount else {
            throw .emptyInput("\(x.rows) rows cannot make \(clusterCount) clusters")
        }
        if let sampleWeights { try validateTargets([Double](repeating: 0, count: x.rows), weights: sampleWeights, rows: x.rows) }
        let workers = resolvedThreadCount(threads)
        let data = RowMajor(x, threads: workers, measured: true)
        let weights = sampleWeights ?? [Double](repeating: 1, count: x.rows)
        var generator = SeededGenerator(seed: seed)
        var best: KMeansModel?
        for _ in 0..<restarts {
            let initial = seedCentres(data, weights: weights, generator: &generator, threads: workers)
            var run = HamerlyRun(data: data, weights: weights, centres: initial, threads: workers)
            let outcome = run.iterate(maxIterations: maxIterations, tolerance: tolerance * data.meanColumnVariance)
            if best == nil || outcome.inertia < best!.inertia { best = outcome }
        }
        return best!
    }

    /// Greedy k-means++: each new centre is the best of `2 + ⌊ln k⌋` candidates drawn with probability
    /// proportional to squared distance to the nearest chosen centre. All candidates of a round are
    /// measured in one pass over the data.
    private func seedCentres(_ data: RowMajor, weights: [Double], generator: inout SeededGenerator, threads: Int) -> [Double] {
        let trials = 2 + Int(log(Double(clusterCount)))
        let first = weightedDraw(weights, cumulative: runningSums(weights), total: weights.reduce(0, +), generator: &generator)
        var centres = data.row(first)
        // One buffer for every round's candidate distances: a fresh one per round costs a page fault
        // per 4 KiB.
        let stride = RowMajor.distanceStride(points: trials)
        var distances = [Double](repeating: 0, count: data.rows * stride)
        data.squaredDistances(to: [first], weights: weights, closest: nil, into: &distances, threads: threads)
        let firstStride = RowMajor.distanceStride(points: 1)
        var closest = (0..<data.rows).map { distances[$0 * firstStride] }
        var potential = closest.reduce(0, +)
        for _ in 1..<clusterCount {
            let cumulative = runningSums(closest)
            let candidates = (0..<trials).map { _ in weightedDraw(closest, cumulative: cumulative, total: potential, generator: &generator)
            }
            let potentials = data.squaredDistances(to: candidates, weights: weights, closest: closest, into: &distances, threads: threads)
            var best = 0
            for t in 1..<trials where potentials[t] < potentials[best] { best = t }
            distances.withUnsafeBufferPointer { distances in
                closest.withUnsafeMutableBufferPointer { closest in
                    for i in closest.indices { closest[i] = min(closest[i], distances[i * stride + best]) }
                }
            }
            potential = potentials[best]
            centres += data.row(candidates[best])
        }
        return centres
    }

    /// The index whose running mass first passes a uniform draw in `[0, total)`: a binary search
    /// over the running sums (`cumulative`, left to right), so every draw of a round shares one pass.
    private func weightedDraw(_ masses: [Double], cumulative sums: [Double], total: Double, generator: inout SeededGenerator) -> Int {
        guard total > 0 else { return Int(generator.next() % UInt64(masses.count)) }
        let target = generator.nextUnit() * total
        var low = 0
        var high = sums.count
        while low < high {
            let middle = (low + high) / 2
            if sums[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low < sums.count ? low : masses.lastIndex { $0 > 0 } ?? masses.count - 1
    }

    private func runningSums(_ masses: [Double]) -> [Double] {
        var running = 0.0
        return masses.map { mass in
            running += mass
            return running
        }
    }
}

/// Count, mean and sum of squared deviations of a run of values; two runs merge exactly as one
/// (Chan, Golub and LeVeque), so blocks of rows can be measured separately.
private struct ColumnMoments: Sendable {
    var count = 0.0
    var mean = 0.0
    var squaredDeviations = 0.0

    init() {}

    init(_ values: UnsafeBufferPointer<Double>) {
        count = Double(values.count)
        guard !values.isEmpty else { return }
        var sum = 0.0
        for value in values { sum += value }
        mean = sum / count
        for value in values { squaredDeviations += (value - mean) * (value - mean) }
    }

    /// The population variance.
    var variance: Double { count > 0 ? squaredDeviations / count : 0 }

    func merged(with other: ColumnMoments) -> ColumnMoments {
        guard count > 0 else { return other }
        guard other.count > 0 else { return self }
        var merged = ColumnMoments()
        merged.count = count + other.count
        let delta = other.mean - mean
        merged.mean = mean + delta * other.count / merged.count
        merged.squaredDeviations = squaredDeviations + other.squaredDeviations + delta * delta * count * other.count / merged.count
        return merged
    }
}

/// A fitted k-means model.
public struct KMeansModel: Predictor {
    /// `clusterCount × features` centres, row-major.
    public let centres: [Double]
    /// The number of centres.
    public let clusterCount: Int
    /// The number of features the model was fitted on.
    public let featureCount: Int
    /// Sum of weighted squared distances of training points to their centre.
    public let inertia: Double
    /// Iterations of the winning run.
    public let iterations: Int
    /// Training points per cluster.
    public let clusterSizes: [Int]

    /// Centre `k` as a vector.
    public func centre(_ k: Int) -> [Double] { Array(centres[(k * featureCount)..<((k + 1) * featureCount)]) }

    /// The nearest centre of each row (the lowest index on a tie).
    public func predict(_ x: Matrix) throws(MLError) -> [Double] {
        try assign(x).map { Double($0.cluster) }
    }

    /// The nearest centre of each row and the Euclidean distance to it.
    public func assign(_ x: Matrix) throws(MLError) -> [(cluster: Int, distance: Double)] {
        try x.validate(expectedColumns: featureCount)
        let data = RowMajor(x)
        return (0..<x.rows).map { i in
            var best = 0
            var bestDistance = Double.infinity
            for k in 0..<clusterCount {
                let distance = data.squaredDistance(row: i, centres, k)
                if distance < bestDistance { bestDistance = distance; best = k }
            }
            return (best, bestDistance.squareRoot())
        }
    }

    /// Sum of squared distances of `x`'s rows to their nearest centre (scikit-learn's `-score`).
    public func inertia(of x: Matrix) throws(MLError) -> Double {
        try assign(x).reduce(0) { $0 + $1.distance * $1.distance }
    }
}

/// Row-major copy of a matrix, for point-by-point distance work.
struct RowMajor: Sendable {
    let values: [Double]
    let rows: Int
    let columns: Int
    /// Each row's squared norm, for distances through `‖x‖² − 2x·c + ‖c‖²` (empty unless `measured`).
    let squaredNorms: [Double]
    /// The mean over columns of each column's population variance (scikit-learn scales k-means'
    /// `tol` by it; 0 unless `measured`).
    let meanColumnVariance: Double

    /// Transposes `x` in blocks of rows on `threads` workers. For fitting (`measured`), each block's
    /// row norms and column moments are taken while it is in cache, so the data is read once; the
    /// moments are merged in block order, the same for any thread count. Prediction and cluster
    /// quality need neither.
    init(_ x: Matrix, threads: Int = 1, measured: Bool = false) {
        let rows = x.rows
        let columns = x.columns
        let source = x.values
        var norms = [Double](repeating: 0, count: measured ? rows : 0)
        var blockMoments: [[ColumnMoments]] = []
        values = [Double](unsafeUninitializedCapacity: rows * columns) { buffer, initialized in
            let target = UnsafeSendablePointer(buffer.baseAddress!)
            norms.withUnsafeMutableBufferPointer { normBuffer in
                let normTarget = measured ? normBuffer.baseAddress.map { UnsafeSendablePointer($0) } : nil
                blockMoments = parallelChunks(count: rows, chunkSize: 4096, threads: threads) { block -> [ColumnMoments] in
                    source.withUnsafeBufferPointer { source in
                        // Blocks of 64 rows keep both the reads and the writes in cache.
                        for start in stride(from: block.lowerBound, to: block.upperBound, by: 64) {
                            let end = min(block.upperBound, start + 64)
                            for j in 0..<columns {
                                for i in start..<end { (target.pointer + i * columns + j).initialize(to: source[j * rows + i]) }
                            }
                            guard let normTarget else { continue }
                            for i in start..<end {
                                let row = UnsafePointer(target.pointer + i * columns)
                                normTarget.pointer[i] = dotProduct(row, row, columns)
                            }
                        }
                        guard measured else { return [] }
                        return (0..<columns).map { j in
                            ColumnMoments(
                                UnsafeBufferPointer(rebasing: source[(j * rows + block.lowerBound)..<(j * rows + block.upperBound)]))
                        }
                    }
                }
            }
            initialized = rows * columns
        }
        self.rows = rows
        self.columns = columns
        squaredNorms = norms
        var moments = [ColumnMoments](repeating: ColumnMoments(), count: columns)
        for block in blockMoments where measured {
            for j in 0..<columns { moments[j] = moments[j].merged(with: block[j]) }
        }
        meanColumnVariance = moments.reduce(0) { $0 + $1.variance } / Double(max(1, columns))
    }

    func row(_ i: Int) -> [Double] { Array(values[(i * columns)..<((i + 1) * columns)]) }

    /// How many distances `squaredDistances(to:…)` writes per row for `count` points: one SIMD4 per
    /// group of four points.
    static func distanceStride(points count: Int) -> Int { (count + 3) / 4 * 4 }

    /// Writes the weighted squared distances of every row to each of the rows `points` into
    /// `distances`, row by row (point `t`'s distance to row `i` at `i * distanceStride + t`), and
    /// returns for each point the potential `Σ min(distance, closest)` it would leave (the plain sum
    /// when `closest` is nil). A row's distances to four points are one SIMD vector from start to
    /// store, and each lane sums its own point's potential in row order.
    @discardableResult
    func squaredDistances(
        to points: [Int], weights: [Double], closest: [Double]?, into distances: inout [Double], threads: Int
    ) -> [Double] {
        let stride = Self.distanceStride(points: points.count)
        precondition(distances.count >= rows * stride, "the distance buffer holds \(distances.count), needs \(rows * stride)")
        let rows = self.rows
        let columns = self.columns
        let values = self.values
        // The points four at a time, coordinate by coordinate: each row is read from memory once
        // for all the points.
        let groups = stride / 4
        var layout = [SIMD4<Double>](repeating: SIMD4(), count: groups * columns)
        for (t, point) in points.enumerated() {
            for j in 0..<columns { layout[(t / 4) * columns + j][t % 4] = values[point * columns + j] }
        }
        let panel = layout
        let partials = distances.withUnsafeMutableBufferPointer { buffer in
            let target = UnsafeSendablePointer(buffer.baseAddress!)
            return parallelChunks(count: rows, chunkSize: 8192, threads: threads) { range -> [SIMD4<Double>] in
                var sums = [SIMD4<Double>](repeating: SIMD4(), count: groups)
                values.withUnsafeBufferPointer { v in
                    weights.withUnsafeBufferPointer { w in
                        let bounds = closest ?? []
                        bounds.withUnsafeBufferPointer { bound in
                            panel.withUnsafeBufferPointer { panel in
                                sums.withUnsafeMutableBufferPointer { sums in
                                    let out = UnsafeMutableRawPointer(target.pointer)
                                    for i in range {
                                        let row = v.baseAddress! + i * columns
                                        for group in 0..<groups {
                                            let weighted = w[i] * squaredDistances(row, panel.baseAddress! + group * columns, columns)
                                            out.storeBytes(of: weighted, toByteOffset: (i * stride + group * 4) * 8, as: SIMD4<Double>.self)
                                            if bound.isEmpty {
                                                sums[group] += weighted
                                            } else {
                                                let nearest = SIMD4(repeating: bound[i])
                                                sums[group] += weighted.replacing(with: nearest, where: nearest .< weighted)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                return sums
            }
        }
        return points.indices.map { t in partials.reduce(0) { $0 + $1[t / 4][t % 4] } }
    }

    /// The squared distances of `row` to the four points laid out lane by lane in `lanes`. Four sums
    /// over interleaved coordinates keep four additions in flight instead of one dependent chain.
    @inline(__always)
    private func squaredDistances(_ row: UnsafePointer<Double>, _ lanes: UnsafePointer<SIMD4<Double>>, _ columns: Int) -> SIMD4<Double> {
        var sums = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
        var j = 0
        while j + 4 <= columns {
            let d0 = lanes[j] - SIMD4(repeating: row[j])
            let d1 = lanes[j + 1] - SIMD4(repeating: row[j + 1])
            let d2 = lanes[j + 2] - SIMD4(repeating: row[j + 2])
            let d3 = lanes[j + 3] - SIMD4(repeating: row[j + 3])
            sums.0 += d0 * d0
            sums.1 += d1 * d1
            sums.2 += d2 * d2
            sums.3 += d3 * d3
            j += 4
        }
        while j < columns {
            let delta = lanes[j] - SIMD4(repeating: row[j])
            sums.0 += delta * delta
            j += 1
        }
        return (sums.0 + sums.1) + (sums.2 + sums.3)
    }

    /// Squared distance of row `i` to centre `k` of row-major `centres`.
    func squaredDistance(row i: Int, _ centres: [Double], _ k: Int) -> Double {
        values.withUnsafeBufferPointer { v in
            centres.withUnsafeBufferPointer { c in
                EngageML.squaredDistance(v.baseAddress! + i * columns, c.baseAddress! + k * columns, columns)
            }
        }
    }
}
