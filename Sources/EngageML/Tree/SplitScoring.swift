import Foundation

/// The split arithmetic both tree builders share: a node's impurity and value from its target
/// sums, and the score that orders candidate splits (with the direction of missing values).
/// ``TreeBuilder`` feeds it sums over presorted rows, ``HistogramTreeBuilder`` sums over bins.
struct SplitScoring: Sendable {
    let criterion: SplitCriterion
    /// Target channels (classes, or 1 for regression).
    let width: Int
    let minSamplesLeaf: Int

    /// A leaf (until it is split) holding these sums of `samples` rows.
    func node(channels: [Double], weight: Double, squares: Double, samples: Int) -> TreeNode {
        let impurity = impurity(channels: channels, weight: weight, squares: squares)
        let value = criterion == .squaredError ? [weight > 0 ? channels[0] / weight : 0] : channels.map { weight > 0 ? $0 / weight : 0 }
        return TreeNode(
            feature: -1, threshold: 0, missingGoesLeft: false, left: -1, right: -1, impurity: impurity,
            samples: samples, weight: weight, value: value)
    }

    /// The criterion's impurity of a node with these sums.
    func impurity(channels: [Double], weight: Double, squares: Double) -> Double {
        guard weight > 0 else { return 0 }
        switch criterion {
        case .gini:
            return 1 - channels.reduce(0) { $0 + ($1 / weight) * ($1 / weight) }
        case .entropy:
            return channels.reduce(0) { $1 > 0 ? $0 - ($1 / weight) * log2($1 / weight) : $0 }
        case .squaredError:
            let mean = channels[0] / weight
            return max(0, squares / weight - mean * mean)
        }
    }

    /// The score of one candidate split (higher is better; -∞ when a side would keep fewer than
    /// `minSamplesLeaf` rows) and whether the rows missing the feature go left: to whichever side
    /// scores higher with them, or with none missing, to the heavier side.
    @inline(__always)
    func score<Lanes: SIMD & SendableMetatype>(
        left: (sums: Lanes, weight: Double, count: Int), right: (sums: Lanes, weight: Double, count: Int),
        missing: (sums: Lanes, weight: Double, count: Int)
    ) -> (score: Double, missingLeft: Bool) where Lanes.Scalar == Double {
        let minLeaf = minSamplesLeaf
        guard missing.count > 0 else {
            let fits = left.count >= minLeaf && right.count >= minLeaf
            return (fits ? proxy(left.sums, left.weight) + proxy(right.sums, right.weight) : -.infinity, left.weight >= right.weight)
        }
        var score = -Double.infinity
        var missingLeft = true
        if left.count + missing.count >= minLeaf && right.count >= minLeaf {
            score = proxy(left.sums + missing.sums, left.weight + missing.weight) + proxy(right.sums, right.weight)
        }
        if left.count >= minLeaf && right.count + missing.count >= minLeaf {
            let other = proxy(left.sums, left.weight) + proxy(right.sums + missing.sums, right.weight + missing.weight)
            if other > score {
                score = other
                missingLeft = false
            }
        }
        return (score, missingLeft)
    }

    /// The criterion's score for one side (larger is purer): `Σ cₖ²/w` for gini, `Σ cₖ log₂(cₖ/w)`
    /// for entropy, `s²/w` for squared error; summing both sides orders splits by child impurity.
    @inline(__always)
    func proxy<Lanes: SIMD & SendableMetatype>(_ channels: Lanes, _ weight: Double) -> Double where Lanes.Scalar == Double {
        guard weight > 0 else { return 0 }
        switch criterion {
        case .gini, .squaredError:
            return (channels * channels).sum() / weight
        case .entropy:
            var sum = 0.0
            for k in 0..<width where channels[k] > 0 { sum += channels[k] * log2(channels[k] / weight) }
            return sum
        }
    }
}
