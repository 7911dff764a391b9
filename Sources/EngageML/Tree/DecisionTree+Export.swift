import Foundation

extension DecisionTree {
    /// The tree as indented if/else rules, one line per node:
    ///
    /// ```
    /// if followers <= 1520.5 (missing: left)
    ///   predict [0.91, 0.09] (samples 812)
    /// else
    ///   …
    /// ```
    /// `featureNames` default to `x0, x1, …`; `valueLabel` formats a leaf's value.
    public func rules(featureNames: [String]? = nil, valueLabel: (([Double]) -> String)? = nil) -> String {
        let names = featureNames ?? (0..<featureCount).map { "x\($0)" }
        let label = valueLabel ?? { value in "[" + value.map { String(format: "%.4g", $0) }.joined(separator: ", ") + "]" }
        var lines: [String] = []
        func walk(_ index: Int, _ indent: String) {
            let node = nodes[index]
            if node.isLeaf {
                lines.append("\(indent)predict \(label(node.value)) (samples \(node.samples))")
                return
            }
            let missing = node.missingGoesLeft ? "left" : "right"
            lines.append("\(indent)if \(names[node.feature]) <= \(String(format: "%.6g", node.threshold)) (missing: \(missing))")
            walk(node.left, indent + "  ")
            lines.append("\(indent)else")
            walk(node.right, indent + "  ")
        }
        walk(0, "")
        return lines.joined(separator: "\n")
    }

    /// The tree in Graphviz dot: one box per node with its test or value, sample count and impurity.
    public func graphviz(featureNames: [String]? = nil) -> String {
        let names = featureNames ?? (0..<featureCount).map { "x\($0)" }
        func quoted(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        }
        var lines = ["digraph Tree {", "  node [shape=box, fontname=\"Helvetica\"];"]
        for (index, node) in nodes.enumerated() {
            let head =
                node.isLeaf
                ? "value = [" + node.value.map { String(format: "%.4g", $0) }.joined(separator: ", ") + "]"
                : "\(names[node.feature]) <= \(String(format: "%.6g", node.threshold))"
            let text = "\(quoted(head))\\n\(criterion.rawValue) = \(String(format: "%.4f", node.impurity))\\nsamples = \(node.samples)"
            lines.append("  \(index) [label=\"\(text)\"];")
            if !node.isLeaf {
                lines.append("  \(index) -> \(node.left) [label=\"yes\(node.missingGoesLeft ? " / missing" : "")\"];")
                lines.append("  \(index) -> \(node.right) [label=\"no\(node.missingGoesLeft ? "" : " / missing")\"];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}
