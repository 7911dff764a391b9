import Foundation

/// What a tree learns from, per sample: classification puts each sample's weight in its class
/// channel; regression has one channel holding `w·y`. `square` (`w·y²`) serves regression impurity.
struct TreeSample: Sendable {
    var amount: Double
    var weight: Double
    var square: Double
    var channel: Int32
}

/// The training targets of a tree: one ``TreeSample`` per row and the number of channels
/// (classes, or 1 for regression).
struct TreeTargets: Sendable {
    let samples: [TreeSample]
    let width: Int

    /// Class channels can be summed in SIMD registers up to this many classes.
    static let maxWidth = 64
}

/// A candidate split found for one node.
private struct SplitCandidate: Sendable, NodeSplit {
    var feature: Int
    var threshold: Double
    var missingGoesLeft: Bool
    /// Larger is better; comparable between features of the same node.
    var score: Double
}

/// Every feature's training values in ascending order (NaN last) with the sample id of each,
/// feature `f` at `[f * rows ..< (f + 1) * rows]`. A node owns the same segment in every feature.
private struct SortedColumns: Sendable {
    var ids: [Int32]
    var values: [Double]
}

/// Grows one tree by exact greedy splitting over presorted features.
///
/// Every feature keeps its values sorted with their sample ids. A node owns the same segment
/// `[start, end)` in every feature; splitting a node partitions each segment stably into its left
/// and right samples, so nothing is sorted twice and a split search reads values sequentially.
/// A level of the tree costs O(samples × features). Class sums live in SIMD registers. The search
/// over features runs on `threads` workers with results merged in feature order, so the tree never
/// depends on the thread count.
struct TreeBuilder {
    let x: Matrix
    let targets: TreeTargets
    let criterion: SplitCriterion
    let growth: TreeGrowth
    let threads: Int
    /// A node's rows are partitioned over features in parallel from this many rows on.
    static let parallelPartitionRows = 4096
    /// A node's split search runs over features in parallel from this many rows × features on.
    static let parallelSearchCells = 20_000

    func build() -> DecisionTree {
        switch targets.width {
        case ...2: build(SIMD2<Double>.self)
        case ...4: build(SIMD4<Double>.self)
        case ...8: build(SIMD8<Double>.self)
        case ...16: build(SIMD16<Double>.self)
        case ...32: build(SIMD32<Double>.self)
        default: build(SIMD64<Double>.self)
        }
    }

    private func build<Lanes: SIMD & SendableMetatype>(_ lanes: Lanes.Type) -> DecisionTree where Lanes.Scalar == Double {
        let n = x.rows
        var sorted = presorted()
        var goesLeft = [Bool](repeating: false, count: n)
        let totalWeight = targets.samples.reduce(0) { $0 + $1.weight }
        return growth.grow(
            root: makeNode(ids: sorted.ids, start: 0, end: n), context: (), featureCount: x.columns, criterion: criterion,
            totalWeight: totalWeight,
            entry: { node, start, end, depth, nodes, _ in
                entry(node: node, start: start, end: end, depth: depth, nodes: nodes, sorted: sorted, totalWeight: totalWeight, lanes)
            },
            split: { current, split, _ in
                let leftCount = markSides(split, sorted: sorted, start: current.start, end: current.end, goesLeft: &goesLeft)
                partition(&sorted, start: current.start, end: current.end, goesLeft: goesLeft)
                let middle = current.start + leftCount
                return SplitChildren(
                    middle: middle, left: (makeNode(ids: sorted.ids, start: current.start, end: middle), ()),
                    right: (makeNode(ids: sorted.ids, start: middle, end: current.end), ()))
            })
    }

    // MARK: Sorting and partitioning

    /// Each feature's values in ascending order with their ids, NaN last; ties keep id order.
    private func presorted() -> SortedColumns {
        let n = x.rows
        let x = self.x
        var sorted = SortedColumns(ids: [Int32](repeating: 0, count: n * x.columns), values: [Double](repeating: 0, count: n * x.columns))
        sorted.ids.withUnsafeMutableBufferPointer { idBuffer in
            sorted.values.withUnsafeMutableBufferPointer { valueBuffer in
                let ids = UnsafeSendablePointer(idBuffer.baseAddress!)
                let values = UnsafeSendablePointer(valueBuffer.baseAddress!)
                _ = parallelChunks(count: x.columns, chunkSize: 1, threads: threads) { features -> Bool in
                    let offset = features.lowerBound * n
                    x.values.withUnsafeBufferPointer { all in
                        radixSort(
                            UnsafeBufferPointer(rebasing: all[offset..<(offset + n)]),
                            ids: UnsafeMutableBufferPointer(start: ids.pointer + offset, count: n),
                            values: UnsafeMutableBufferPointer(start: values.pointer + offset, count: n))
                    }
                    return true
                }
            }
        }
        return sorted
    }

    /// Records in `goesLeft` which samples of the segment the split sends left; returns how many.
    private func markSides(_ split: SplitCandidate, sorted: SortedColumns, start: Int, end: Int, goesLeft: inout [Bool]) -> Int {
        let base = split.feature * x.rows
        var count = 0
        for p in (base + start)..<(base + end) {
            let value = sorted.values[p]
            let left = value.isNaN ? split.missingGoesLeft : value <= split.threshold
            goesLeft[Int(sorted.ids[p])] = left
            if left { count += 1 }
        }
        return count
    }

    /// Stably moves each feature's left samples of the segment before its right samples.
    private func partition(_ sorted: inout SortedColumns, start: Int, end: Int, goesLeft: [Bool]) {
        let n = x.rows
        let work = threads > 1 && end - start >= Self.parallelPartitionRows ? threads : 1
        sorted.ids.withUnsafeMutableBufferPointer { idBuffer in
            sorted.values.withUnsafeMutableBufferPointer { valueBuffer in
                let allIds = UnsafeSendablePointer(idBuffer.baseAddress!)
                let allValues = UnsafeSendablePointer(valueBuffer.baseAddress!)
                _ = parallelChunks(count: x.columns, chunkSize: 1, threads: work) { features -> Bool in
                    let ids = allIds.pointer + features.lowerBound * n
                    let values = allValues.pointer + features.lowerBound * n
                    var rightIds: [Int32] = []
                    var rightValues: [Double] = []
                    rightIds.reserveCapacity(end - start)
                    rightValues.reserveCapacity(end - start)
                    var write = start
                    for p in start..<end {
                        let id = ids[p]
                        if goesLeft[Int(id)] {
                            ids[write] = id
                            values[write] = values[p]
                            write += 1
                        } else {
                            rightIds.append(id)
                            rightValues.append(values[p])
                        }
                    }
                    for k in rightIds.indices {
                        ids[write + k] = rightIds[k]
                        values[write + k] = rightValues[k]
                    }
                    return true
                }
            }
        }
    }

    // MARK: Nodes and splits

    private var scoring: SplitScoring { SplitScoring(criterion: criterion, width: targets.width, minSamplesLeaf: growth.minSamplesLeaf) }

    private func makeNode(ids: [Int32], start: Int, end: Int) -> TreeNode {
        var channels = [Double](repeating: 0, count: targets.width)
        var weight = 0.0
        var squares = 0.0
        for p in start..<end {
            let sample = targets.samples[Int(ids[p])]
            channels[Int(sample.channel)] += sample.amount
            weight += sample.weight
            squares += sample.square
        }
        return scoring.node(channels: channels, weight: weight, squares: squares, samples: end - start)
    }

    /// A frontier entry for a new node, with its best split when the node may be split.
    private func entry<Lanes: SIMD & SendableMetatype>(
        node: Int, start: Int, end: Int, depth: Int, nodes: [TreeNode], sorted: SortedColumns, totalWeight: Double,
        _ lanes: Lanes.Type
    ) -> FrontierEntry<SplitCandidate, Void> where Lanes.Scalar == Double {
        var result = FrontierEntry<SplitCandidate, Void>(node: node, start: start, end: end, depth: depth, split: nil, gain: 0, context: ())
        let current = nodes[node]
        let count = end - start
        guard growth.mayExpand(current, depth: depth) else { return result }
        let work = threads > 1 && count * x.columns >= Self.parallelSearchCells ? threads : 1
        let candidates = parallelChunks(count: x.columns, chunkSize: 1, threads: work) { features in
            bestSplit(feature: features.lowerBound, sorted: sorted, start: start, end: end, lanes)
        }
        var best: SplitCandidate?
        for candidate in candidates {
            if let candidate, candidate.score > (best?.score ?? -.infinity) { best = candidate }
        }
        guard let best else { return result }
        // The exact impurity decrease needs the children's impurities; evaluate them once for the winner.
        let gain = impurityDecrease(of: best, sorted: sorted, start: start, end: end, parent: current)
        guard growth.accepts(gain: gain, totalWeight: totalWeight) else { return result }
        result.split = best
        result.gain = gain
        return result
    }

    /// `weight·impurity(parent) − Σ weight·impurity(child)` for the split.
    private func impurityDecrease(of split: SplitCandidate, sorted: SortedColumns, start: Int, end: Int, parent: TreeNode) -> Double {
        var channels = [[Double]](repeating: [Double](repeating: 0, count: targets.width), count: 2)
        var weights = [0.0, 0.0]
        var squares = [0.0, 0.0]
        let base = split.feature * x.rows
        for p in (base + start)..<(base + end) {
            let value = sorted.values[p]
            let sample = targets.samples[Int(sorted.ids[p])]
            let side = (value.isNaN ? split.missingGoesLeft : value <= split.threshold) ? 0 : 1
            channels[side][Int(sample.channel)] += sample.amount
            weights[side] += sample.weight
            squares[side] += sample.square
        }
        let children = (0..<2).reduce(0.0) {
            $0 + weights[$1] * scoring.impurity(channels: channels[$1], weight: weights[$1], squares: squares[$1])
        }
        return parent.weight * parent.impurity - children
    }

    /// A node segment's target sums over one feature's sorted rows: rows with a value (they come
    /// first; `known` is where the missing ones start) and rows without.
    @inline(__always)
    private func segmentSums<Lanes: SIMD>(
        ids: UnsafePointer<Int32>, values: UnsafePointer<Double>, samples: UnsafeBufferPointer<TreeSample>, start: Int, end: Int,
        _ lanes: Lanes.Type
    ) -> (known: Int, total: Lanes, totalWeight: Double, missing: Lanes, missingWeight: Double) where Lanes.Scalar == Double {
        var known = end
        while known > start, values[known - 1].isNaN { known -= 1 }
        var total = Lanes()
        var missing = Lanes()
        var totalWeight = 0.0
        var missingWeight = 0.0
        for p in start..<end {
            let sample = samples[Int(ids[p])]
            if p < known {
                total[Int(sample.channel)] += sample.amount
                totalWeight += sample.weight
            } else {
                missing[Int(sample.channel)] += sample.amount
                missingWeight += sample.weight
            }
        }
        return (known, total, totalWeight, missing, missingWeight)
    }

    /// The best threshold on one feature for the node's segment, or nil when no split keeps
    /// `minSamplesLeaf` on both sides. With missing values, both directions are tried for them.
    private func bestSplit<Lanes: SIMD & SendableMetatype>(
        feature: Int, sorted: SortedColumns, start: Int, end: Int, _ lanes: Lanes.Type
    ) -> SplitCandidate? where Lanes.Scalar == Double {
        let n = x.rows
        let minLeaf = growth.minSamplesLeaf
        let scoring = self.scoring
        return sorted.ids.withUnsafeBufferPointer { allIds in
            sorted.values.withUnsafeBufferPointer { allValues in
                targets.samples.withUnsafeBufferPointer { samples in
                    let ids = allIds.baseAddress! + feature * n
                    let values = allValues.baseAddress! + feature * n
                    let sums = segmentSums(ids: ids, values: values, samples: samples, start: start, end: end, Lanes.self)
                    let (known, total, totalWeight) = (sums.known, sums.total, sums.totalWeight)
                    let (missing, missingWeight) = (sums.missing, sums.missingWeight)
                    let missingCount = end - known
                    var left = Lanes()
                    var leftWeight = 0.0
                    var best: SplitCandidate?
                    var bestScore = -Double.infinity
                    let firstCandidate = start + minLeaf - (missingCount > 0 ? min(minLeaf, missingCount) : 0)
                    var p = start
                    while p < known - 1 {
                        let sample = samples[Int(ids[p])]
                        left[Int(sample.channel)] += sample.amount
                        leftWeight += sample.weight
                        let value = values[p]
                        let next = values[p + 1]
                        p += 1
                        guard next > value, p >= firstCandidate else { continue }
                        let leftCount = p - start
                        let rightCount = known - p
                        let right = total - left
                        let rightWeight = totalWeight - leftWeight
                        let (score, missingLeft) = scoring.score(
                            left: (left, leftWeight, leftCount), right: (right, rightWeight, rightCount),
                            missing: (missing, missingWeight, missingCount))
                        if score > bestScore {
                            bestScore = score
                            var threshold = value / 2 + next / 2
                            if threshold >= next || !threshold.isFinite { threshold = value }
                            best = SplitCandidate(feature: feature, threshold: threshold, missingGoesLeft: missingLeft, score: score)
                        }
                    }
                    return best
                }
            }
        }
    }
}

/// Stable LSD radix sort of one column into `ids` (ids `0..<count` ordered by value, NaN last in id
/// order) and `values` (the values in that order). Doubles map to order-preserving 64-bit keys;
/// passes whose 11-bit digit is the same for every key are skipped, so small-range columns (flags,
/// hours) take one or two passes.
private func radixSort(
    _ column: UnsafeBufferPointer<Double>, ids: UnsafeMutableBufferPointer<Int32>, values: UnsafeMutableBufferPointer<Double>
) {
    var keys: [UInt64] = []
    var order: [Int32] = []
    var missing: [Int32] = []
    keys.reserveCapacity(column.count)
    order.reserveCapacity(column.count)
    for (i, value) in column.enumerated() {
        if value.isNaN { missing.append(Int32(i)); continue }
        let bits = (value == 0 ? 0.0 : value).bitPattern  // -0 sorts with +0
        keys.append(bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63))
        order.append(Int32(i))
    }
    var keyBuffer = keys
    var orderBuffer = order
    let digitBits: UInt64 = 11
    let buckets = 1 << digitBits
    var counts = [Int](repeating: 0, count: buckets)
    for shift in stride(from: UInt64(0), to: 64, by: Int(digitBits)) {
        for b in 0..<buckets { counts[b] = 0 }
        for key in keys { counts[Int((key >> shift) & UInt64(buckets - 1))] += 1 }
        if counts.contains(keys.count) { continue }
        var running = 0
        for b in 0..<buckets {
            let c = counts[b]
            counts[b] = running
            running += c
        }
        for k in keys.indices {
            let digit = Int((keys[k] >> shift) & UInt64(buckets - 1))
            keyBuffer[counts[digit]] = keys[k]
            orderBuffer[counts[digit]] = order[k]
            counts[digit] += 1
        }
        swap(&keys, &keyBuffer)
        swap(&order, &orderBuffer)
    }
    for (k, id) in order.enumerated() {
        ids[k] = id
        values[k] = column[Int(id)]
    }
    for (k, id) in missing.enumerated() {
        ids[order.count + k] = id
        values[order.count + k] = .nan
    }
}
