/// One run of Lloyd's algorithm with Hamerly's bounds (Hamerly 2010, "Making k-means even faster").
///
/// Each point keeps an upper bound on the distance to its centre and a lower bound on the distance
/// to every other centre; while the upper bound is below both the lower bound and half the distance
/// from its centre to the nearest other centre, the point cannot change cluster and no distance is
/// computed. A point whose bounds fail is searched at once: Hamerly first tightens the upper bound
/// with one exact distance, but on the benchmark blobs that rescued only 15–20% of the points it
/// was computed for. Bounds follow the centres' movement, and the per-cluster sums are updated
/// only for the points that changed cluster, so a late iteration touches few points.
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

    /// Rows per parallel chunk of an assignment pass.
    static let chunkSize = 4096

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
        var shift = BoundShift(noMoves: k)
        while iterations < maxIterations {
            iterations += 1
            let changed = assignStep(shift)
            let (moved, squaredShift) = updateCentres()
            // No point moved, so the sums and the centres are what they were: every point already
            // sits with its nearest centre.
            if iterations > 1 && changed == 0 { return finish(iterations: iterations) }
            shift = BoundShift(moved: moved)
            if squaredShift <= tolerance { break }
        }
        // The centres moved after the last assignment: assign once more to the final centres, as
        // scikit-learn does. The bounds still hold, so this touches only the points that may change.
        _ = assignStep(shift)
        return finish(iterations: iterations)
    }

    /// How far the bounds of a point in each cluster loosen after the centres moved: its upper bound
    /// grows by its own centre's move, its lower bound shrinks by the largest move of another centre.
    /// `assignStep` applies it point by point as it passes, rather than in a pass of its own.
    private struct BoundShift: Sendable {
        var upper: [Double]
        var lower: [Double]

        init(noMoves k: Int) {
            upper = [Double](repeating: 0, count: k)
            lower = upper
        }

        init(moved: [Double]) {
            var largest = 0
            for c in moved.indices where moved[c] > moved[largest] { largest = c }
            var secondLargest = 0.0
            for c in moved.indices where c != largest { secondLargest = max(secondLargest, moved[c]) }
            upper = moved
            lower = moved.indices.map { $0 == largest ? secondLargest : moved[largest] }
        }
    }

    /// Loosens each point's bounds by `shift`, then reassigns every point that may have changed
    /// cluster; folds the moves into `sums` and `totals`. Points whose bounds fail are searched
    /// four at a time.
    private mutating func assignStep(_ shift: BoundShift) -> Int {
        let d = data.columns
        let k = self.k
        let halfGap = nearestOtherCentre().map { $0 / 2 }
        let centres = self.centres
        let data = self.data
        let weights = self.weights
        let norms = data.squaredNorms
        let search = FourPointSearch(centres, columns: d)
        let deltas = assignment.withUnsafeMutableBufferPointer { assignmentBuffer in
            upper.withUnsafeMutableBufferPointer { upperBuffer in
                lower.withUnsafeMutableBufferPointer { lowerBuffer in
                    let assigned = UnsafeSendablePointer(assignmentBuffer.baseAddress!)
                    let uppers = UnsafeSendablePointer(upperBuffer.baseAddress!)
                    let lowers = UnsafeSendablePointer(lowerBuffer.baseAddress!)
                    return parallelChunks(count: data.rows, chunkSize: Self.chunkSize, threads: threads) { range -> ChunkDelta in
                        var sums = [Double](repeating: 0, count: k * d)
                        var totals = [Double](repeating: 0, count: k)
                        var changed = 0
                        let scratch = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: d)
                        defer { scratch.deallocate() }
                        data.values.withUnsafeBufferPointer { values in
                            sums.withUnsafeMutableBufferPointer { deltaSums in
                                let rows = values.baseAddress!
                                var pending = SIMD4<Int>()
                                var pendingCount = 0
                                /// Searches the pending points (a short batch repeats its first point in
                                /// the spare lanes) and moves those whose nearest centre changed.
                                func searchPending() {
                                    let lane = { (l: Int) in pending[l < pendingCount ? l : 0] }
                                    let found = search.nearestTwo(
                                        (rows + lane(0) * d, rows + lane(1) * d, rows + lane(2) * d, rows + lane(3) * d),
                                        norms: SIMD4(norms[lane(0)], norms[lane(1)], norms[lane(2)], norms[lane(3)]),
                                        scratch: scratch)
                                    for l in 0..<pendingCount {
                                        let i = pending[l]
                                        let old = Int(assigned.pointer[i])
                                        let nearest = Int(found.index[l])
                                        uppers.pointer[i] = found.best[l].squareRoot()
                                        lowers.pointer[i] = found.second[l].squareRoot()
                                        guard nearest != old else { continue }
                                        assigned.pointer[i] = Int32(nearest)
                                        changed += 1
                                        let w = weights[i]
                                        let row = rows + i * d
                                        totals[nearest] += w
                                        for j in 0..<d { deltaSums[nearest * d + j] += w * row[j] }
                                        if old >= 0 {
                                            totals[old] -= w
                                            for j in 0..<d { deltaSums[old * d + j] -= w * row[j] }
                                        }
                                    }
                                    pendingCount = 0
                                }
                                for i in range {
                                    let old = Int(assigned.pointer[i])
                                    if old >= 0 {
                                        uppers.pointer[i] += shift.upper[old]
                                        lowers.pointer[i] -= shift.lower[old]
                                        let bound = max(halfGap[old], lowers.pointer[i])
                                        if uppers.pointer[i] <= bound { continue }
                                    }
                                    pending[pendingCount] = i
                                    pendingCount += 1
                                    if pendingCount == 4 { searchPending() }
                                }
                                if pendingCount > 0 { searchPending() }
                            }
                        }
                        return ChunkDelta(sums: sums, totals: totals, changed: changed)
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

    /// Sizes and inertia of the final assignment, which `iterate` has made to the final centres.
    private func finish(iterations: Int) -> KMeansModel {
        let d = data.columns
        let k = self.k
        let centres = self.centres
        let data = self.data
        let weights = self.weights
        let assignment = self.assignment
        let chunks = parallelChunks(count: data.rows, chunkSize: Self.chunkSize, threads: threads) { range -> (Double, [Int]) in
            var inertia = 0.0
            var sizes = [Int](repeating: 0, count: k)
            data.values.withUnsafeBufferPointer { values in
                centres.withUnsafeBufferPointer { c in
                    for i in range {
                        let cluster = Int(assignment[i])
                        inertia += weights[i] * squaredDistance(values.baseAddress! + i * d, c.baseAddress! + cluster * d, d)
                        sizes[cluster] += 1
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

/// The centres, searched four points at a time: each SIMD lane is one point, so the running nearest
/// and second-nearest are lane-wise selects with no branch per centre. Squared distances are
/// `‖x‖² − 2x·c + ‖c‖²`, as scikit-learn computes them.
struct FourPointSearch: Sendable {
    private let centres: [Double]
    private let centreNorms: [Double]
    private let columns: Int

    init(_ centres: [Double], columns: Int) {
        self.centres = centres
        self.columns = columns
        centreNorms = (0..<(centres.count / columns)).map { c in
            var norm = 0.0
            for j in 0..<columns { norm += centres[c * columns + j] * centres[c * columns + j] }
            return norm
        }
    }

    /// For four points (`points[l]` is lane `l`'s coordinates, `norms` their squared norms): the
    /// nearest centre of each (the lowest index on a tie), its squared distance and the second
    /// smallest squared distance (all ≥ 0). `scratch` holds `columns` values.
    @inline(__always)
    func nearestTwo(
        _ points: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>),
        norms: SIMD4<Double>, scratch: UnsafeMutablePointer<SIMD4<Double>>
    ) -> (index: SIMD4<Int64>, best: SIMD4<Double>, second: SIMD4<Double>) {
        for j in 0..<columns { scratch[j] = SIMD4(points.0[j], points.1[j], points.2[j], points.3[j]) }
        return centres.withUnsafeBufferPointer { c in
            var best = SIMD4<Double>(repeating: .infinity)
            var second = best
            var index = SIMD4<Int64>()
            // Centres four at a time: four independent sums in flight instead of one chain of
            // dependent additions. Each sum still runs over the coordinates in order.
            var first = 0
            while first < centreNorms.count {
                let group = min(4, centreNorms.count - first)
                let base = c.baseAddress! + first * columns
                var dots = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
                if group == 4 {
                    for j in 0..<columns {
                        let x = scratch[j]
                        dots.0 += x * base[j]
                        dots.1 += x * base[columns + j]
                        dots.2 += x * base[2 * columns + j]
                        dots.3 += x * base[3 * columns + j]
                    }
                } else {
                    for j in 0..<columns {
                        let x = scratch[j]
                        dots.0 += x * base[j]
                        if group > 1 { dots.1 += x * base[columns + j] }
                        if group > 2 { dots.2 += x * base[2 * columns + j] }
                    }
                }
                for member in 0..<group {
                    let centre = first + member
                    let dot = member == 0 ? dots.0 : member == 1 ? dots.1 : member == 2 ? dots.2 : dots.3
                    var distance = SIMD4(repeating: centreNorms[centre]) - 2 * dot + norms
                    distance.replace(with: 0, where: distance .< 0)
                    let closer = distance .< best
                    let displaced = best.replacing(with: distance, where: .!closer)
                    second.replace(with: displaced, where: displaced .< second)
                    best.replace(with: distance, where: closer)
                    index.replace(with: Int64(centre), where: closer)
                }
                first += group
            }
            return (index, best, second)
        }
    }
}
