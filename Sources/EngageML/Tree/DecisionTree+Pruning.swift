extension DecisionTree {
    /// Minimal cost-complexity pruning (Breiman et al., as scikit-learn's `ccp_alpha`): repeatedly
    /// collapses the internal node whose subtree buys the least impurity per extra leaf, while that
    /// price is at most `alpha`. Node risks are `weight / totalWeight · impurity`.
    func pruned(alpha: Double, totalWeight: Double) -> DecisionTree {
        var nodes = self.nodes
        let risk = nodes.map { $0.weight / totalWeight * $0.impurity }
        while true {
            // Post-order sums of leaf risk and leaf count per subtree.
            var subtreeRisk = [Double](repeating: 0, count: nodes.count)
            var subtreeLeaves = [Int](repeating: 0, count: nodes.count)
            for index in postOrder(nodes) {
                let node = nodes[index]
                if node.isLeaf {
                    subtreeRisk[index] = risk[index]
                    subtreeLeaves[index] = 1
                } else {
                    subtreeRisk[index] = subtreeRisk[node.left] + subtreeRisk[node.right]
                    subtreeLeaves[index] = subtreeLeaves[node.left] + subtreeLeaves[node.right]
                }
            }
            var weakest: Int?
            var weakestAlpha = Double.infinity
            for index in postOrder(nodes) where !nodes[index].isLeaf {
                let effective = (risk[index] - subtreeRisk[index]) / Double(subtreeLeaves[index] - 1)
                if effective < weakestAlpha { weakestAlpha = effective; weakest = index }
            }
            guard let weakest, weakestAlpha <= alpha else { break }
            nodes[weakest].feature = -1
            nodes[weakest].left = -1
            nodes[weakest].right = -1
        }
        return DecisionTree(nodes: compacted(nodes), featureCount: featureCount, criterion: criterion)
    }

    /// Node indices reachable from the root, children before parents.
    private func postOrder(_ nodes: [TreeNode]) -> [Int] {
        var result: [Int] = []
        var stack = [0]
        while let index = stack.popLast() {
            result.append(index)
            if !nodes[index].isLeaf { stack += [nodes[index].left, nodes[index].right] }
        }
        return result.reversed()
    }

    /// Only the reachable nodes, renumbered in pre-order.
    private func compacted(_ nodes: [TreeNode]) -> [TreeNode] {
        var result: [TreeNode] = []
        func copy(_ index: Int) -> Int {
            let position = result.count
            result.append(nodes[index])
            if !nodes[index].isLeaf {
                let left = copy(nodes[index].left)
                let right = copy(nodes[index].right)
                result[position].left = left
                result[position].right = right
            }
            return position
        }
        _ = copy(0)
        return result
    }
}
