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
                                        var best = Double.infinity
                                        var second = Double.infinity
                                        var bestIndex = 0
                                        for centre in 0..<k {
                                            let distance = squaredDistance(values.baseAddress! + i * d, c.baseAddress! + centre * d, d)
                                            if distance < best {
                                                second = best
                                                best = distance
                                                bestIndex = centre
                                            } else if distance < second {
                                                second = distance
                                            }
                                        }
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
        let chunks = parallelChunks(count: data.rows, chunkSize: Self.chunkSize, threads: threads) { range -> (Double, [Int]) in
            var inertia = 0.0
            var sizes = [Int](repeating: 0, count: k)
            data.values.withUnsafeBufferPointer { values in
                centres.withUnsafeBufferPointer { c in
                    for i in range {
                        var best = Double.infinity
                        var bestIndex = 0
                        for centre in 0..<k {
                            let distance = squaredDistance(values.baseAddress! + i * d, c.baseAddress! + centre * d, d)
                            if distance < best { best = distance; bestIndex = centre }
                        }
                        inertia += weights[i] * best
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
