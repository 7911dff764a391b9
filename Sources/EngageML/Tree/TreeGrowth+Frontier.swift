/// A split either builder chose for a node: the test its rows take.
protocol NodeSplit {
    var feature: Int { get }
    var threshold: Double { get }
    var missingGoesLeft: Bool { get }
}

/// A node waiting to be split: its rows' segment, its best split (nil: it stays a leaf), the
/// weighted impurity decrease of that split (for best-first growth), and what the builder needs
/// to split it (the histogram builder's counts; nothing for the exact builder).
struct FrontierEntry<Split: NodeSplit, Context> {
    var node: Int
    var start: Int
    var end: Int
    var depth: Int
    var split: Split?
    var gain: Double
    var context: Context?
}

/// The two children a builder made of a node: where the right child's rows start, and each
/// child's node and context.
struct SplitChildren<Context> {
    var middle: Int
    var left: (node: TreeNode, context: Context)
    var right: (node: TreeNode, context: Context)
}

extension TreeGrowth {
    /// The growth both builders share: depth-first (or best-first up to ``maxLeafNodes``) over a
    /// frontier of entries, each split wired into the tree as two children whose entries the
    /// builder makes (right, then left, so that depth-first takes the left child next), then
    /// cost-complexity pruning. The builder supplies how an entry is made and how a node's rows
    /// are split.
    func grow<Split: NodeSplit, Context>(
        root: TreeNode, context: Context, featureCount: Int, criterion: SplitCriterion, totalWeight: Double,
        entry: (_ node: Int, _ start: Int, _ end: Int, _ depth: Int, _ nodes: [TreeNode], _ context: Context) -> FrontierEntry<
            Split, Context
        >,
        split: (_ entry: FrontierEntry<Split, Context>, _ split: Split, _ context: Context) -> SplitChildren<Context>
    ) -> DecisionTree {
        var nodes = [root]
        var frontier = [entry(0, 0, root.samples, 0, nodes, context)]
        var leaves = 1
        while !frontier.isEmpty {
            let pick: Int
            if maxLeafNodes != nil {
                // Best-first: the largest gain, the oldest entry on a tie.
                var best = 0
                for index in frontier.indices where frontier[index].gain > frontier[best].gain { best = index }
                pick = best
            } else {
                pick = frontier.count - 1
            }
            let current = frontier.remove(at: pick)
            guard let chosen = current.split, let parentContext = current.context else { continue }
            if let maxLeaves = maxLeafNodes, leaves >= maxLeaves { break }
            let children = split(current, chosen, parentContext)
            let leftIndex = nodes.count
            nodes.append(children.left.node)
            nodes.append(children.right.node)
            nodes[current.node].feature = chosen.feature
            nodes[current.node].threshold = chosen.threshold
            nodes[current.node].missingGoesLeft = chosen.missingGoesLeft
            nodes[current.node].left = leftIndex
            nodes[current.node].right = leftIndex + 1
            leaves += 1
            let depth = current.depth + 1
            frontier.append(entry(leftIndex + 1, children.middle, current.end, depth, nodes, children.right.context))
            frontier.append(entry(leftIndex, current.start, children.middle, depth, nodes, children.left.context))
        }
        var tree = DecisionTree(nodes: nodes, featureCount: featureCount, criterion: criterion)
        if costComplexityAlpha > 0 {
            tree = tree.pruned(alpha: costComplexityAlpha, totalWeight: totalWeight)
        }
        return tree
    }
}
