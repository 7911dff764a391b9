import Foundation

/// Each feature's values as bin codes: `maxBins` bins at most, cut at quantiles of a sample of
/// the rows, and code 255 for a missing value. Feature `f`'s codes are `codes[f * rows ..< (f + 1) * rows]`.
struct BinnedColumns: Sendable {
    /// The code of a missing value (NaN), whatever the feature's bin count.
    static let missing = 255
    /// Rows whose values choose the bin edges (scikit-learn's histogram gradient boosting uses 200,000).
    static let sampleRows = 200_000

    let codes: [UInt8]
    /// Feature `f`'s upper bin edges: a value `v` is in the first bin `b` with `v <= edges[f][b]`,
    /// or in the last bin (`edges[f].count`). Edge `b` is the threshold of a split after bin `b`.
    let edges: [[Double]]

    /// `x` cut into at most `maxBins` bins per feature. A feature with no more distinct sampled
    /// values than bins gets a bin per value, cut halfway between neighbours as the exact splitter
    /// cuts, so on such data both splitters grow the same tree.
    init(_ x: Matrix, maxBins: Int, threads: Int) {
        let n = x.rows
        var sample = Array(0..<n)
        if n > Self.sampleRows {
            var generator = SeededGenerator(seed: 0)
            for i in 0..<Self.sampleRows { sample.swapAt(i, Int.random(in: i..<n, using: &generator)) }
            sample.removeLast(n - Self.sampleRows)
        }
        let chosen = sample
        edges = parallelChunks(count: x.columns, chunkSize: 1, threads: threads) { features in
            let offset = features.lowerBound * n
            return x.values.withUnsafeBufferPointer { all in
                Self.edges(of: chosen.map { all[offset + $0] }.filter { !$0.isNaN }, maxBins: maxBins)
            }
        }
        var codes = [UInt8](repeating: 0, count: n * x.columns)
        let edges = self.edges
        codes.withUnsafeMutableBufferPointer { buffer in
            let out = UnsafeSendablePointer(buffer.baseAddress!)
            _ = parallelChunks(count: x.columns, chunkSize: 1, threads: threads) { features -> Bool in
                let f = features.lowerBound
                let cuts = edges[f]
                x.values.withUnsafeBufferPointer { all in
                    for r in 0..<n {
                        let value = all[f * n + r]
                        // The first edge at or above the value: a binary search over at most 254 edges.
                        var low = 0
                        var high = cuts.count
                        if value.isNaN {
                            low = Self.missing
                        } else {
                            while low < high {
                                let middle = (low + high) / 2
                                if value <= cuts[middle] { high = middle } else { low = middle + 1 }
                            }
                        }
                        out.pointer[f * n + r] = UInt8(low)
                    }
                }
                return true
            }
        }
        self.codes = codes
    }

    /// Upper edges for sorted-or-not `values` (no NaN): halfway between distinct values when
    /// there are at most `maxBins` of them, else at `maxBins` quantiles (each edge a sampled value,
    /// so that value and those below it fall in its bin).
    static func edges(of values: [Double], maxBins: Int) -> [Double] {
        let sorted = values.sorted()
        var distinct: [Double] = []
        for value in sorted where distinct.last != value { distinct.append(value) }
        guard distinct.count > maxBins else {
            return zip(distinct, distinct.dropFirst()).map { low, high in
                let middle = low / 2 + high / 2
                return middle >= high || !middle.isFinite ? low : middle
            }
        }
        var cuts: [Double] = []
        for k in 1..<maxBins {
            let value = sorted[k * sorted.count / maxBins]
            if value != cuts.last, value < (distinct.last ?? value) { cuts.append(value) }
        }
        return cuts
    }
}

/// The target sums of the rows in one bin of one feature, together so that counting a row
/// touches one place.
private struct BinSums<Lanes: SIMD & Sendable>: Sendable where Lanes.Scalar == Double {
    var sums = Lanes()
    var weight = 0.0
    var square = 0.0
    var count = 0
}

/// One node's target sums per feature and bin (256 slots a feature: bins, then missing at 255).
private struct Histogram<Lanes: SIMD & Sendable>: Sendable where Lanes.Scalar == Double {
    static var slots: Int { 256 }
    var bins: [BinSums<Lanes>]

    init(features: Int) {
        bins = [BinSums<Lanes>](repeating: BinSums(), count: features * Self.slots)
    }

    /// The parent's sums minus one child's: the other child's, without a pass over its rows.
    static func - (parent: Histogram, child: Histogram) -> Histogram {
        var result = parent
        for i in result.bins.indices {
            let other = child.bins[i]
            result.bins[i].sums -= other.sums
            result.bins[i].weight -= other.weight
            result.bins[i].square -= other.square
            result.bins[i].count -= other.count
        }
        return result
    }
}

/// A candidate split between two bins of one feature.
private struct BinSplit: Sendable, NodeSplit {
    var feature: Int
    /// Bins `0...bin` go left (and missing values when `missingGoesLeft`).
    var bin: Int
    var threshold: Double
    var missingGoesLeft: Bool
    var score: Double
}

/// Grows one tree by histogram splitting (`splitter=hist`), as LightGBM and scikit-learn's
/// histogram gradient boosting do.
///
/// Values are binned once (``BinnedColumns``: one byte per value). A node owns a segment of one
/// row-index array; its split search reads its histogram (bins × features, not rows), and of two
/// children only the smaller is counted: the larger is the parent's histogram minus it. So a
/// level costs one pass over one byte per value of the smaller children, where the exact
/// splitter moves twelve bytes per value of every node. Thresholds are bin edges, so the tree is
/// an ordinary ``DecisionTree``; missing values (code 255) go to the side that scores higher, as
/// in the exact splitter, with which it shares the split arithmetic (``SplitScoring``). Growth
/// order, limits and ties follow ``TreeBuilder``, and the tree never depends on the thread count.
struct HistogramTreeBuilder {
    let x: Matrix
    let targets: TreeTargets
    let criterion: SplitCriterion
    let growth: TreeGrowth
    let threads: Int

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

    private var scoring: SplitScoring { SplitScoring(criterion: criterion, width: targets.width, minSamplesLeaf: growth.minSamplesLeaf) }

    private func build<Lanes: SIMD & SendableMetatype & Sendable>(_ lanes: Lanes.Type) -> DecisionTree where Lanes.Scalar == Double {
        let n = x.rows
        let binned = BinnedColumns(x, maxBins: growth.maxBins, threads: threads)
        var rows = (0..<n).map { Int32($0) }
        let totalWeight = targets.samples.reduce(0) { $0 + $1.weight }
        let rootHistogram = histogram(binned, rows: rows, start: 0, end: n, Lanes.self)
        return growth.grow(
            root: node(rootHistogram, samples: n), context: rootHistogram, featureCount: x.columns, criterion: criterion,
            totalWeight: totalWeight,
            entry: { node, start, end, depth, nodes, histogram in
                entry(node: node, start: start, end: end, depth: depth, nodes: nodes, binned: binned, histogram: histogram, totalWeight)
            },
            split: { current, split, parentHistogram in
                let middle = partition(&rows, binned: binned, split: split, start: current.start, end: current.end)
                let leftIsSmaller = middle - current.start <= current.end - middle
                let small =
                    leftIsSmaller
                    ? histogram(binned, rows: rows, start: current.start, end: middle, Lanes.self)
                    : histogram(binned, rows: rows, start: middle, end: current.end, Lanes.self)
                let large = parentHistogram - small
                let (left, right) = leftIsSmaller ? (small, large) : (large, small)
                return SplitChildren(
                    middle: middle, left: (node(left, samples: middle - current.start), left),
                    right: (node(right, samples: current.end - middle), right))
            })
    }

    /// The sums of the segment's rows, feature by feature (in parallel over features for large
    /// segments). The rows' targets are gathered in segment order first, so that each feature's
    /// pass reads them sequentially and only its one-byte codes at random.
    private func histogram<Lanes: SIMD & Sendable>(
        _ binned: BinnedColumns, rows: [Int32], start: Int, end: Int, _ lanes: Lanes.Type
    ) -> Histogram<Lanes> where Lanes.Scalar == Double {
        let n = x.rows
        let slots = Histogram<Lanes>.slots
        let gathered = targets.samples.withUnsafeBufferPointer { samples in rows[start..<end].map { samples[Int($0)] } }
        var result = Histogram<Lanes>(features: x.columns)
        let work = threads > 1 && (end - start) * x.columns >= TreeBuilder.parallelSearchCells ? threads : 1
        result.bins.withUnsafeMutableBufferPointer { binsBuffer in
            let bins = UnsafeSendablePointer(binsBuffer.baseAddress!)
            _ = parallelChunks(count: x.columns, chunkSize: 1, threads: work) { features -> Bool in
                let f = features.lowerBound
                let base = bins.pointer + f * slots
                binned.codes.withUnsafeBufferPointer { codes in
                    rows.withUnsafeBufferPointer { rows in
                        gathered.withUnsafeBufferPointer { samples in
                            let column = codes.baseAddress! + f * n
                            let segment = rows.baseAddress! + start
                            for k in 0..<samples.count {
                                let sample = samples[k]
                                let bin = base + Int(column[Int(segment[k])])
                                bin.pointee.sums[Int(sample.channel)] += sample.amount
                                bin.pointee.weight += sample.weight
                                bin.pointee.square += sample.square
                                bin.pointee.count += 1
                            }
                        }
                    }
                }
                return true
            }
        }
        return result
    }

    /// A leaf holding the histogram's sums (any feature's slots add up to the node's rows).
    private func node<Lanes: SIMD>(_ histogram: Histogram<Lanes>, samples: Int) -> TreeNode where Lanes.Scalar == Double {
        var channels = [Double](repeating: 0, count: targets.width)
        var weight = 0.0
        var squares = 0.0
        for bin in histogram.bins.prefix(Histogram<Lanes>.slots) {
            for k in 0..<targets.width { channels[k] += bin.sums[k] }
            weight += bin.weight
            squares += bin.square
        }
        return scoring.node(channels: channels, weight: weight, squares: squares, samples: samples)
    }

    /// Stably moves the segment's rows that the split sends left before the others; returns where the right ones start.
    private func partition(_ rows: inout [Int32], binned: BinnedColumns, split: BinSplit, start: Int, end: Int) -> Int {
        let n = x.rows
        var right: [Int32] = []
        right.reserveCapacity(end - start)
        var write = start
        binned.codes.withUnsafeBufferPointer { codes in
            let column = codes.baseAddress! + split.feature * n
            for p in start..<end {
                let row = rows[p]
                let code = Int(column[Int(row)])
                if code == BinnedColumns.missing ? split.missingGoesLeft : code <= split.bin {
                    rows[write] = row
                    write += 1
                } else {
                    right.append(row)
                }
            }
        }
        for (k, row) in right.enumerated() { rows[write + k] = row }
        return write
    }

    /// A frontier entry for a new node, with its best split when the node may be split.
    private func entry<Lanes: SIMD & SendableMetatype & Sendable>(
        node: Int, start: Int, end: Int, depth: Int, nodes: [TreeNode], binned: BinnedColumns, histogram: Histogram<Lanes>,
        _ totalWeight: Double
    ) -> FrontierEntry<BinSplit, Histogram<Lanes>> where Lanes.Scalar == Double {
        // The histogram is kept only while the node may still be split: its children's come from it.
        var result = FrontierEntry<BinSplit, Histogram<Lanes>>(
            node: node, start: start, end: end, depth: depth, split: nil, gain: 0, context: nil)
        let current = nodes[node]
        guard growth.mayExpand(current, depth: depth) else { return result }
        var best: BinSplit?
        for feature in 0..<x.columns {
            if let candidate = bestSplit(feature: feature, histogram: histogram, edges: binned.edges[feature]),
                candidate.score > (best?.score ?? -.infinity)
            {
                best = candidate
            }
        }
        guard let best else { return result }
        let gain = impurityDecrease(of: best, histogram: histogram, parent: current)
        guard growth.accepts(gain: gain, totalWeight: totalWeight) else { return result }
        result.split = best
        result.gain = gain
        result.context = histogram
        return result
    }

    /// The best split between two bins of one feature, or nil when none keeps `minSamplesLeaf` on both sides.
    private func bestSplit<Lanes: SIMD & SendableMetatype>(
        feature: Int, histogram: Histogram<Lanes>, edges: [Double]
    ) -> BinSplit? where Lanes.Scalar == Double {
        let scoring = self.scoring
        let base = feature * Histogram<Lanes>.slots
        let bins = edges.count + 1
        let missingBin = histogram.bins[base + BinnedColumns.missing]
        let missing = (missingBin.sums, missingBin.weight, missingBin.count)
        var total = Lanes()
        var totalWeight = 0.0
        var known = 0
        for bin in histogram.bins[base..<(base + bins)] {
            total += bin.sums
            totalWeight += bin.weight
            known += bin.count
        }
        var left = Lanes()
        var leftWeight = 0.0
        var leftCount = 0
        var best: BinSplit?
        for bin in 0..<(bins - 1) {
            let sums = histogram.bins[base + bin]
            guard sums.count > 0 else { continue }
            left += sums.sums
            leftWeight += sums.weight
            leftCount += sums.count
            guard leftCount < known else { break }
            let (score, missingLeft) = scoring.score(
                left: (left, leftWeight, leftCount), right: (total - left, totalWeight - leftWeight, known - leftCount),
                missing: missing)
            if score > (best?.score ?? -.infinity) {
                best = BinSplit(feature: feature, bin: bin, threshold: edges[bin], missingGoesLeft: missingLeft, score: score)
            }
        }
        return best
    }

    /// `weight·impurity(parent) − Σ weight·impurity(child)` for the split, from the histogram.
    private func impurityDecrease<Lanes: SIMD>(of split: BinSplit, histogram: Histogram<Lanes>, parent: TreeNode) -> Double
    where Lanes.Scalar == Double {
        var channels = [[Double]](repeating: [Double](repeating: 0, count: targets.width), count: 2)
        var weights = [0.0, 0.0]
        var squares = [0.0, 0.0]
        let base = split.feature * Histogram<Lanes>.slots
        for code in 0..<Histogram<Lanes>.slots {
            let bin = histogram.bins[base + code]
            guard bin.count > 0 else { continue }
            let side = (code == BinnedColumns.missing ? split.missingGoesLeft : code <= split.bin) ? 0 : 1
            for k in 0..<targets.width { channels[side][k] += bin.sums[k] }
            weights[side] += bin.weight
            squares[side] += bin.square
        }
        let children = (0..<2).reduce(0.0) {
            $0 + weights[$1] * scoring.impurity(channels: channels[$1], weight: weights[$1], squares: squares[$1])
        }
        return parent.weight * parent.impurity - children
    }
}
