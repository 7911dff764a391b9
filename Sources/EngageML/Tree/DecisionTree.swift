/// How a tree measures the impurity of a node.
public enum SplitCriterion: String, Sendable, Codable, CaseIterable {
    /// Gini impurity `1 − Σ pₖ²` (classification).
    case gini
    /// Shannon entropy `−Σ pₖ log₂ pₖ` (classification).
    case entropy
    /// Weighted variance of the target (regression).
    case squaredError = "squared_error"
}

/// How a tree searches for its splits.
public enum TreeSplitter: String, Sendable, Codable, CaseIterable {
    /// Every distinct value of every feature is a candidate threshold (CART over presorted columns).
    case exact
    /// Values are cut into at most `maxBins` bins from quantiles of a sample, and thresholds sit
    /// between bins (LightGBM's and scikit-learn's histogram splitter): a level costs one pass over
    /// one byte per value, and a child's histogram is its parent's minus its sibling's.
    case histogram = "hist"
    /// Exact below ``TreeGrowth/histogramFromRows`` training rows, histograms from there on.
    case auto

    /// The splitter used for `rows` training rows.
    func resolved(rows: Int) -> TreeSplitter {
        self == .auto ? (rows >= TreeGrowth.histogramFromRows ? .histogram : .exact) : self
    }
}

/// The growth limits shared by the classifier and the regressor, named after scikit-learn's.
public struct TreeGrowth: Sendable, Equatable, Codable {
    /// Deepest level a node may sit at (root is depth 0); nil for no limit.
    public var maxDepth: Int?
    /// A node with fewer samples than this is not split.
    public var minSamplesSplit: Int
    /// Each child must keep at least this many samples.
    public var minSamplesLeaf: Int
    /// A split must lower the weighted impurity by at least this (fraction of the whole training weight).
    public var minImpurityDecrease: Double
    /// Grow best-first up to this many leaves; nil grows depth-first without a leaf limit.
    public var maxLeafNodes: Int?
    /// Minimal cost-complexity pruning strength (`ccp_alpha`); 0 prunes nothing.
    public var costComplexityAlpha: Double
    /// How splits are searched (`splitter`: exact, hist or auto).
    public var splitter: TreeSplitter
    /// The histogram splitter's most bins per feature (`max_bins`, 2...255), missing values aside.
    public var maxBins: Int

    /// The training rows from which ``TreeSplitter/auto`` uses histograms: below it the exact
    /// search costs little and the two splitters' trees differ most (`make bench-scale` measured
    /// both at 200k and 1M rows).
    public static let histogramFromRows = 250_000

    /// Growth limits with scikit-learn's defaults: unlimited depth, splits of 2 rows, leaves of 1, no
    /// pruning; the splitter chosen by the row count.
    public init(
        maxDepth: Int? = nil, minSamplesSplit: Int = 2, minSamplesLeaf: Int = 1, minImpurityDecrease: Double = 0,
        maxLeafNodes: Int? = nil, costComplexityAlpha: Double = 0, splitter: TreeSplitter = .auto, maxBins: Int = 255
    ) {
        self.maxDepth = maxDepth
        self.minSamplesSplit = minSamplesSplit
        self.minSamplesLeaf = minSamplesLeaf
        self.minImpurityDecrease = minImpurityDecrease
        self.maxLeafNodes = maxLeafNodes
        self.costComplexityAlpha = costComplexityAlpha
        self.splitter = splitter
        self.maxBins = maxBins
    }

    enum CodingKeys: String, CodingKey {
        case maxDepth, minSamplesSplit, minSamplesLeaf, minImpurityDecrease, maxLeafNodes, costComplexityAlpha, splitter, maxBins
    }

    /// Reads limits saved before the splitter existed as the exact splitter they were grown with.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        maxDepth = try container.decodeIfPresent(Int.self, forKey: .maxDepth)
        minSamplesSplit = try container.decode(Int.self, forKey: .minSamplesSplit)
        minSamplesLeaf = try container.decode(Int.self, forKey: .minSamplesLeaf)
        minImpurityDecrease = try container.decode(Double.self, forKey: .minImpurityDecrease)
        maxLeafNodes = try container.decodeIfPresent(Int.self, forKey: .maxLeafNodes)
        costComplexityAlpha = try container.decode(Double.self, forKey: .costComplexityAlpha)
        splitter = try container.decodeIfPresent(TreeSplitter.self, forKey: .splitter) ?? .exact
        maxBins = try container.decodeIfPresent(Int.self, forKey: .maxBins) ?? 255
    }

    func validate() throws(MLError) {
        if let maxDepth, maxDepth < 1 { throw .invalidParameter("maxDepth must be ≥ 1 or nil, got \(maxDepth)") }
        guard minSamplesSplit >= 2 else { throw .invalidParameter("minSamplesSplit must be ≥ 2, got \(minSamplesSplit)") }
        guard minSamplesLeaf >= 1 else { throw .invalidParameter("minSamplesLeaf must be ≥ 1, got \(minSamplesLeaf)") }
        guard minImpurityDecrease >= 0 else {
            throw .invalidParameter("minImpurityDecrease must be ≥ 0, got \(minImpurityDecrease)")
        }
        if let maxLeafNodes, maxLeafNodes < 2 { throw .invalidParameter("maxLeafNodes must be ≥ 2 or nil, got \(maxLeafNodes)") }
        guard costComplexityAlpha >= 0 else {
            throw .invalidParameter("costComplexityAlpha must be ≥ 0, got \(costComplexityAlpha)")
        }
        guard (2...255).contains(maxBins) else { throw .invalidParameter("maxBins must be in 2...255, got \(maxBins)") }
    }

    /// Whether a node at `depth` may be split at all: within the depth limit, with enough rows
    /// for two leaves, and not already pure.
    func mayExpand(_ node: TreeNode, depth: Int) -> Bool {
        if let maxDepth, depth >= maxDepth { return false }
        return node.samples >= minSamplesSplit && node.samples >= 2 * minSamplesLeaf && node.impurity > 1e-12
    }

    /// Whether a split lowering the weighted impurity by `gain` is taken. As scikit-learn: a split
    /// that gains nothing is still taken when allowed (XOR needs one).
    func accepts(gain: Double, totalWeight: Double) -> Bool {
        gain / totalWeight + 1e-12 >= minImpurityDecrease
    }

    /// The tree of `targets` over `x`, by the splitter this growth resolves to for `x`'s rows.
    func grow(_ x: Matrix, _ targets: TreeTargets, criterion: SplitCriterion, threads: Int) -> DecisionTree {
        switch splitter.resolved(rows: x.rows) {
        case .histogram:
            HistogramTreeBuilder(x: x, targets: targets, criterion: criterion, growth: self, threads: threads).build()
        default:
            TreeBuilder(x: x, targets: targets, criterion: criterion, growth: self, threads: threads).build()
        }
    }
}

/// A decision tree classifier (CART): exact best splits on every feature, `NaN` as a missing value
/// whose direction each split learns, class and sample weights, impurity importances.
///
/// ```swift
/// let tree = try DecisionTreeClassifier(growth: TreeGrowth(maxDepth: 12, minSamplesLeaf: 20)).fit(x, y)
/// print(tree.tree.rules(featureNames: names))
/// ```
public struct DecisionTreeClassifier: Estimator, Equatable, Codable {
    /// Gini or entropy.
    public var criterion: SplitCriterion
    /// Depth, size and pruning limits.
    public var growth: TreeGrowth
    /// Class weights for imbalanced labels.
    public var classWeights: ClassWeights
    /// Worker threads for split search (nil: all cores). The fitted tree is the same for any count.
    public var threads: Int?

    /// A classifier with this split criterion, growth limits, class weights and thread count (nil: every core).
    public init(
        criterion: SplitCriterion = .gini, growth: TreeGrowth = TreeGrowth(), classWeights: ClassWeights = .uniform,
        threads: Int? = nil
    ) {
        self.criterion = criterion
        self.growth = growth
        self.classWeights = classWeights
        self.threads = threads
    }

    /// Grows a tree on `x` and class labels `y` (whole numbers), optionally weighting samples.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeights: [Double]?) throws(MLError) -> DecisionTreeClassifierModel {
        guard criterion != .squaredError else {
            throw .invalidParameter("a classifier splits on gini or entropy, not squared_error")
        }
        try growth.validate()
        try x.validate(allowMissing: true)
        try validateTargets(y, weights: sampleWeights, rows: x.rows)
        let (classes, labels) = try encodeClasses(y)
        let weights = classWeights.sampleWeights(
            labels: labels, classCount: classes.count, sampleWeights: sampleWeights, classes: classes)
        guard classes.count <= TreeTargets.maxWidth else {
            throw .invalidLabels("\(classes.count) classes; decision trees here support up to \(TreeTargets.maxWidth)")
        }
        let targets = TreeTargets(
            samples: zip(labels, weights).map { TreeSample(amount: $1, weight: $1, square: $1, channel: Int32($0)) },
            width: classes.count)
        let tree = growth.grow(x, targets, criterion: criterion, threads: resolvedThreadCount(threads))
        return DecisionTreeClassifierModel(classes: classes, tree: tree)
    }
}

/// A decision tree regressor (CART, squared error), with the same growth limits and missing-value handling.
public struct DecisionTreeRegressor: Estimator, Equatable, Codable {
    /// Depth, size and pruning limits.
    public var growth: TreeGrowth
    /// Worker threads for split search (nil: all cores). The fitted tree is the same for any count.
    public var threads: Int?

    /// A regressor with these growth limits and thread count (nil: every core).
    public init(growth: TreeGrowth = TreeGrowth(), threads: Int? = nil) {
        self.growth = growth
        self.threads = threads
    }

    /// Grows a tree on `x` and numeric targets `y`, optionally weighting samples.
    public func fit(_ x: Matrix, _ y: [Double], sampleWeights: [Double]?) throws(MLError) -> DecisionTreeRegressorModel {
        try growth.validate()
        try x.validate(allowMissing: true)
        try validateTargets(y, weights: sampleWeights, rows: x.rows)
        let weights = sampleWeights ?? [Double](repeating: 1, count: x.rows)
        let targets = TreeTargets(
            samples: zip(weights, y).map { TreeSample(amount: $0 * $1, weight: $0, square: $0 * $1 * $1, channel: 0) },
            width: 1)
        let tree = growth.grow(x, targets, criterion: .squaredError, threads: resolvedThreadCount(threads))
        return DecisionTreeRegressorModel(tree: tree)
    }
}

/// One node of a fitted tree. A leaf has `feature == -1`.
public struct TreeNode: Sendable, Equatable, Codable {
    /// The feature tested, or -1 at a leaf.
    public var feature: Int
    /// Rows with `x[feature] <= threshold` go left.
    public var threshold: Double
    /// Whether rows missing `feature` (NaN) go left.
    public var missingGoesLeft: Bool
    /// Child node indices (-1 at a leaf).
    public var left: Int
    /// The child that rows going right reach (-1 for a leaf).
    public var right: Int
    /// The node's impurity under the training criterion.
    public var impurity: Double
    /// Training samples that reached the node, and their total weight.
    public var samples: Int
    /// The total sample weight that reached the node during fitting.
    public var weight: Double
    /// Class probabilities (classifier) or the mean target (regressor, one value).
    public var value: [Double]

    /// Whether the node is a leaf (it splits on no feature).
    public var isLeaf: Bool { feature < 0 }

    /// The child a row goes to when its split feature reads `value` (NaN: the learned missing side).
    func child(for value: Double) -> Int {
        (value.isNaN ? missingGoesLeft : value <= threshold) ? left : right
    }
}

/// The fitted structure shared by both tree models.
public struct DecisionTree: Sendable, Equatable, Codable {
    /// Nodes; index 0 is the root.
    public var nodes: [TreeNode]
    /// Features the tree was fitted on.
    public var featureCount: Int
    /// The criterion the tree was grown with.
    public var criterion: SplitCriterion

    /// The leaf each row of `x` lands in.
    func leafIndices(_ x: Matrix) -> [Int] {
        (0..<x.rows).map { i in
            var node = 0
            while nodes[node].feature >= 0 { node = nodes[node].child(for: x[i, nodes[node].feature]) }
            return node
        }
    }

    /// Number of leaves.
    public var leafCount: Int { nodes.count(where: \.isLeaf) }

    /// Depth of the deepest leaf (a lone root has depth 0).
    public var depth: Int {
        var deepest = 0
        var stack = [(0, 0)]
        while let (node, level) = stack.popLast() {
            deepest = max(deepest, level)
            if !nodes[node].isLeaf { stack += [(nodes[node].left, level + 1), (nodes[node].right, level + 1)] }
        }
        return deepest
    }

    /// Mean decrease in impurity per feature, weighted by the node weight, normalized to sum to 1
    /// (all zeros for a tree that never split).
    public var impurityImportances: [Double] {
        var importances = [Double](repeating: 0, count: featureCount)
        for node in nodes where !node.isLeaf {
            let left = nodes[node.left]
            let right = nodes[node.right]
            importances[node.feature] +=
                node.weight * node.impurity - left.weight * left.impurity - right.weight * right.impurity
        }
        let total = importances.reduce(0, +)
        return total > 0 ? importances.map { $0 / total } : importances
    }
}

/// A fitted decision tree classifier.
public struct DecisionTreeClassifierModel: ProbabilisticClassifier {
    /// The class labels, in the order of the probability columns.
    public let classes: [Double]
    /// The tree; each leaf's `value` holds the class probabilities.
    public let tree: DecisionTree

    /// The number of features the model was fitted on.
    public var featureCount: Int { tree.featureCount }

    /// Each row's class probabilities (one column per class in ``classes``): its leaf's weighted class shares.
    public func predictProbabilities(_ x: Matrix) throws(MLError) -> Matrix {
        try x.validate(expectedColumns: featureCount, allowMissing: true)
        let leaves = tree.leafIndices(x)
        var p = Matrix(rows: x.rows, columns: classes.count)
        for (i, leaf) in leaves.enumerated() {
            for k in 0..<classes.count { p[i, k] = tree.nodes[leaf].value[k] }
        }
        return p
    }
}

/// A fitted decision tree regressor.
public struct DecisionTreeRegressorModel: Predictor {
    /// The tree; each leaf's `value` is `[mean target]`.
    public let tree: DecisionTree

    /// The number of features the model was fitted on.
    public var featureCount: Int { tree.featureCount }

    /// Each row's prediction: its leaf's weighted mean target.
    public func predict(_ x: Matrix) throws(MLError) -> [Double] {
        try x.validate(expectedColumns: featureCount, allowMissing: true)
        return tree.leafIndices(x).map { tree.nodes[$0].value[0] }
    }
}
