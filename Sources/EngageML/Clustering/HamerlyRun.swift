/// One run of Lloyd's algorithm with Hamerly's bounds (Hamerly 2010, "Making k-means even faster").
///
/// Each point keeps an upper bound on the distance to its centre and a lower bound on the distance
/// to every other centre; while the upper bound is below both the lower bound and half the distance
/// from its centre to the nearest other centre, the point cannot change cluster and no distance is
/// computed. Bounds follow the centres' movement, and the per-cluster sums are updated only for the
/// points that changed cluster, so a late iteration touches few points.
///
/// Rows are processed in fixed chunks whose results are merged in chunk order: the outcome is
/// bit-identical for any thread count.
struct HamerlyRun {
    let data: RowMajor
    let weights: [Double]
    let threads: Int
    let k: Int
    private(set) var centres: [Double]
    private var assignment: [Int32]
    private var upper: [Double]
    private var lower: [Double]
    private var sums: [Double]
    private var totals: [Double]
    /// Each point's squared norm, for distances through `‖x‖² − 2x·c + ‖c‖²`.
    private let norms: [Double]

    private static let chunkSize = 4096

    init(data: RowMajor, weights: [Double], centres: [Double], threads: Int) {
        self.data = data
        self.weights = weights
        self.centres = centres
        self.threads = threads
        k = centres.count / data.columns
        assignment = [Int32](repeating: -1, count: data.rows)
        upper = [Double](repeating: .infinity, count: data.rows)
        lower = [Double](repeating: 0, count: data.rows)
        sums = [Double](repeating: 0, count: centres.count)
        totals = [Double](repeating: 0, count: k)
        norms = data.values.withUnsafeBufferPointer { v in
            (0..<data.rows).map { dotProduct(v.baseAddress! + $0 * data.columns, v.baseAddress! + $0 * data.columns, data.columns) }
        }
    }

    /// A chunk's changes to the cluster sums and weights, and how many points changed cluster.
    private struct ChunkDelta: Sendable {
        var sums: [Double]
        var totals: [Double]
        var changed: Int
    }

    mutating func iterate(maxIterations: Int, tolerance: Double) -> KMeansModel {
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            let changed = assignStep()
            let (moved, shift) = updateCentres()
            if iterations > 1 && changed == 0 { break }
            updateBounds(moved)
            if shift <= tolerance { break }
        }
        return finish(iterations: iterations)
    }

    /// Reassigns every point that may have changed cluster; folds the moves into `sums` and `totals`.
    private mutating func assignStep() -> Int {
        let d = data.columns
        let k = self.k
        let halfGap = nearestOtherCentre().map { $0 / 2 }
        let centres = self.centres
        let data = self.data
        let weights = self.weights
        let norms = self.norms
        let panel = CentrePanel(centres, columns: d)
        let deltas = assignment.withUnsafeMutableBufferPointer { assignmentBuffer in
            upper.withUnsafeMutableBufferPointer { upperBuffer in
                lower.withUnsafeMutableBufferPointer { lowerBuffer in
                    let assigned = UnsafeSendablePointer(assignmentBuffer.baseAddress!)
                    let uppers = UnsafeSendablePointer(upperBuffer.baseAddress!)
                    let lowers = UnsafeSendablePointer(lowerBuffer.baseAddress!)
                    return parallelChunks(count: data.rows, chunkSize: Self.chunkSize, threads: threads) { range -> ChunkDelta in
                        var delta = ChunkDelta(sums: [Double](repeating: 0, count: k * d), totals: [Double](repeating: 0, count: k), changed: 0)
                        data.values.withUnsafeBufferPointer { values in
                            centres.withUnsafeBufferPointer { c in
                                delta.sums.withUnsafeMutableBufferPointer { deltaSums in
                                    for i in range {
                                        let old = Int(assigned.pointer[i])
                                        if old >= 0 {
                                            let bound = max(halfGap[old], lowers.pointer[i])
                                            if uppers.pointer[i] <= bound { continue }
                                            let tight = squaredDistance(values.baseAddress! + i * d, c.baseAddress! + old * d, d).squareRoot()
                                            uppers.pointer[i] = tight
                                            if tight <= bound { continue }
                                        }
                                        let (bestIndex, best, second) = panel.nearestTwo(values.baseAddress! + i * d, norm: norms[i])
                                        uppers.pointer[i] = best.squareRoot()
                                        lowers.pointer[i] = second.squareRoot()
                                        guard bestIndex != old else { continue }
                                        assigned.pointer[i] = Int32(bestIndex)
                                        delta.changed += 1
                                        let w = weights[i]
                                        let row = values.baseAddress! + i * d
                                        delta.totals[bestIndex] += w
                                        for j in 0..<d { deltaSums[bestIndex * d + j] += w * row[j] }
                                        if old >= 0 {
                                            delta.totals[old] -= w
                                            for j in 0..<d { deltaSums[old * d + j] -= w * row[j] }
                                        }
                                    }
                                }
                            }
                        }
                        return delta
                    }
                }
            }
        }
        var changed = 0
        for delta in deltas where delta.changed > 0 {
            for index in 0..<sums.count { sums[index] += delta.sums[index] }
            for c in 0..<k { totals[c] += delta.totals[c] }
            changed += delta.changed
        }
        return changed
    }

    /// Moves each non-empty centre to its cluster's weighted mean; returns each move's length and
    /// the sum of squared moves.
    private mutating func updateCentres() -> (moved: [Double], shift: Double) {
        let d = data.columns
        var moved = [Double](repeating: 0, count: k)
        var shift = 0.0
        for c in 0..<k where totals[c] > 0 {
            var squared = 0.0
            for j in 0..<d {
                let updated = sums[c * d + j] / totals[c]
                let delta = updated - centres[c * d + j]
                squared += delta * delta
                centres[c * d + j] = updated
            }
            moved[c] = squared.squareRoot()
            shift += squared
        }
        return (moved, shift)
    }

    /// For each centre, the distance to the nearest other centre.
    private func nearestOtherCentre() -> [Double] {
        let d = data.columns
        return centres.withUnsafeBufferPointer { c in
            (0..<k).map { a in
                var nearest = Double.infinity
                for b in 0..<k where b != a {
                    nearest = min(nearest, squaredDistance(c.baseAddress! + a * d, c.baseAddress! + b * d, d))
                }
                return nearest.squareRoot()
            }
        }
    }

    private mutating func updateBounds(_ moved: [Double]) {
        var largest = 0
        for c in 0..<k where moved[c] > moved[largest] { largest = c }
        var secondLargest = 0.0
        for c in 0..<k where c != largest { secondLargest = max(secondLargest, moved[c]) }
        for i in 0..<data.rows {
            let a = Int(assignment[i])
            upper[i] += moved[a]
            lower[i] -= a == largest ? secondLargest : moved[largest]
        }
    }

    /// Final assignment to the final centres (as scikit-learn does), sizes and inertia.
    private func finish(iterations: Int) -> KMeansModel {
        let d = data.columns
        let k = self.k
        let centres = self.centres
        let data = self.data
        let weights = self.weights
        let norms = self.norms
        let panel = CentrePanel(centres, columns: d)
        let chunks = parallelChunks(count: data.rows, chunkSize: Self.chunkSize, threads: threads) { range -> (Double, [Int]) in
            var inertia = 0.0
            var sizes = [Int](repeating: 0, count: k)
            data.values.withUnsafeBufferPointer { values in
                centres.withUnsafeBufferPointer { c in
                    for i in range {
                        let bestIndex = panel.nearestTwo(values.baseAddress! + i * d, norm: norms[i]).index
                        inertia += weights[i] * squaredDistance(values.baseAddress! + i * d, c.baseAddress! + bestIndex * d, d)
                        sizes[bestIndex] += 1
                    }
                }
            }
            return (inertia, sizes)
        }
        var sizes = [Int](repeating: 0, count: k)
        var inertia = 0.0
        for (chunkInertia, chunkSizes) in chunks {
            inertia += chunkInertia
            for c in 0..<k { sizes[c] += chunkSizes[c] }
        }
        return KMeansModel(
            centres: centres, clusterCount: k, featureCount: d, inertia: inertia, iterations: iterations, clusterSizes: sizes)
    }
}

/// The centres laid out eight at a time, coordinate by coordinate, so that one point's squared
/// distances to eight centres come from `d` SIMD multiply-adds: `‖x‖² − 2x·c + ‖c‖²`, as
/// scikit-learn computes them. Padding lanes have an infinite norm and never win.
struct CentrePanel: Sendable {
    private let blocks: [SIMD8<Double>]
    private let centreNorms: [SIMD8<Double>]
    private let columns: Int
    private let count: Int

    init(_ centres: [Double], columns: Int) {
        let count = centres.count / columns
        let blockCount = (count + 7) / 8
        var blocks = [SIMD8<Double>](repeating: SIMD8(), count: blockCount * columns)
        var centreNorms = [SIMD8<Double>](repeating: SIMD8(repeating: .infinity), count: blockCount)
        for c in 0..<count {
            var norm = 0.0
            for j in 0..<columns {
                blocks[(c / 8) * columns + j][c % 8] = centres[c * columns + j]
                norm += centres[c * columns + j] * centres[c * columns + j]
            }
            centreNorms[c / 8][c % 8] = norm
        }
        self.blocks = blocks
        self.centreNorms = centreNorms
        self.columns = columns
        self.count = count
    }

    /// The nearest centre, its squared distance and the second-smallest squared distance (≥ 0).
    @inline(__always)
    func nearestTwo(_ point: UnsafePointer<Double>, norm: Double) -> (index: Int, best: Double, second: Double) {
        var best = Double.infinity
        var second = Double.infinity
        var index = 0
        blocks.withUnsafeBufferPointer { panel in
            for block in 0..<centreNorms.count {
                var dots = SIMD8<Double>()
                let base = panel.baseAddress! + block * columns
                for j in 0..<columns { dots += SIMD8(repeating: point[j]) * base[j] }
                let distances = centreNorms[block] - 2 * dots + SIMD8(repeating: norm)
                for lane in 0..<8 {
                    let distance = max(0, distances[lane])
                    if distance < best {
                        second = best
                        best = distance
                        index = block * 8 + lane
                    } else if distance < second {
                        second = distance
                    }
                }
            }
        }
        return (index, best, second)
    }
}
