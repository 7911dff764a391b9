import Foundation
import MongoKit
import Yams

extension FeatureSetFile {
    /// The set as the text of a feature set file (YAML), which ``parse(_:file:)`` reads back to an
    /// equal set; `header` lines are written first as comments.
    public static func text(of set: FeatureSet, header: [String] = []) throws(FeatureFileError) -> String {
        var entries: [(Node, Node)] = [
            (Node("name"), scalar(set.name)),
            (Node("version"), Node(String(set.version))),
            (Node("task"), Node(set.task.rawValue)),
            (Node("source"), scalar(set.source)),
        ]
        if !set.filter.isEmpty { entries.append((Node("filter"), try node(.document(set.filter), blockLevels: 0))) }
        entries.append((Node("time_field"), scalar(set.timeField)))
        if !set.outcomeFields.isEmpty {
            entries.append((Node("outcome_fields"), Node(set.outcomeFields.sorted().map(scalar), .implicit, .flow)))
        }
        if let pointInTime = set.pointInTime {
            entries.append(
                (
                    Node("cutoffs"),
                    flow([
                        ("entity", scalar(pointInTime.entity)), ("field", scalar(pointInTime.cutoffField)),
                        ("at", Node(pointInTime.dates.map { Node($0, .implicit, .doubleQuoted) }, .implicit, .flow)),
                    ])
                ))
        }
        if !set.preparation.isEmpty {
            var stages: [Node] = []
            for stage in set.preparation { stages.append(try node(.document(stage), blockLevels: 2)) }
            entries.append((Node("preparation"), Node(stages)))
        }
        entries.append((Node("features"), features(set.features)))
        if !set.history.isEmpty { entries.append((Node("history"), Node(set.history.map(history)))) }
        if let quantileLabel = set.quantileLabel {
            var label: [(Node, Node)] = [
                (Node("quantile"), number(quantileLabel.quantile)), (Node("of"), expression(quantileLabel.expression)),
            ]
            if let within = quantileLabel.within { label.append((Node("within"), scalar(within))) }
            entries.append((Node("label"), Node(label, .implicit, .flow)))
        } else if let label = set.label {
            entries.append((Node("label"), expression(label)))
        }
        var scores = set.scores
        if let scoring = set.scoring {
            var layer: [(Node, Node)] = []
            if let countsUnder = scoring.countsUnder { layer.append((Node("counts_under"), scalar(countsUnder))) }
            if let within = scoring.within { layer.append((Node("within"), scalar(within))) }
            entries.append((Node("scoring"), Node(layer, .implicit, .flow)))
            if scores.starts(with: scoring.columns) { scores.removeFirst(scoring.columns.count) }
        }
        if !scores.isEmpty { entries.append((Node("scores"), features(scores))) }
        let body: String
        do {
            body = try Yams.serialize(node: Node(entries), width: -1, allowUnicode: true)
        } catch {
            throw FeatureFileError(file: set.name, mark: nil, key: "", problem: "cannot be written as YAML (\(error))")
        }
        return header.map { "# \($0)\n" }.joined() + body
    }

    private static func features(_ features: [Feature]) -> Node {
        Node(features.map { (scalar($0.name), expression($0.expression)) })
    }

    private static func history(_ window: HistoryWindow) -> Node {
        let partition: Node
        switch window.partition {
        case .field(let path): partition = scalar(path)
        case .firstElement(let array, let field, let value, let key):
            partition = flow([("first_element", scalar(array)), ("where", scalar(field)), ("equals", scalar(value)), ("key", scalar(key))])
        case .leadingElements(let array, let count, let key):
            partition = flow([("leading_elements", scalar(array)), ("count", Node(String(count))), ("key", scalar(key))])
        }
        return Node([
            (Node("partition"), partition), (Node("value"), expression(window.value)),
            (Node("outputs"), flow(window.outputs.map { ($0.name, Node($0.statistic.rawValue)) })),
        ])
    }

    /// An expression in the file's vocabulary (see ``FeatureSetFile``), written on one line.
    static func expression(_ expression: FeatureExpression) -> Node {
        switch expression {
        case .field(let path): return scalar(path)
        case .constant(let value): return number(value)
        case .missing: return Node("null")
        case .add(let terms): return flow([("add", Node(terms.map(self.expression), .implicit, .flow))])
        case .multiply(let terms): return flow([("multiply", Node(terms.map(self.expression), .implicit, .flow))])
        case .subtract(let a, let b): return flow([("subtract", pair(a, b))])
        case .ratio(let a, let b, let ifZero): return flow([("ratio", pair(a, b)), ("if_zero", number(ifZero))])
        case .log1p(let a): return flow([("log1p", self.expression(a))])
        case .clamp(let a, let low, let high): return flow([("clamp", self.expression(a)), ("min", number(low)), ("max", number(high))])
        case .datePart(let part, let path): return flow([(part.rawValue, scalar(path))])
        case .arraySize(let path): return flow([("array_size", scalar(path))])
        case .stringLength(let path): return flow([("string_length", scalar(path))])
        case .memberOf(let path, let values):
            return flow([("member_of", scalar(path)), ("values", Node(values.map(scalar), .implicit, .flow))])
        case .coalesce(let a, let fallback): return flow([("coalesce", self.expression(a)), ("fallback", number(fallback))])
        case .condition(let comparison, let a, let b):
            let test: Node
            switch comparison {
            case .greater(let x, let y): test = flow([("gt", pair(x, y))])
            case .greaterOrEqual(let x, let y): test = flow([("gte", pair(x, y))])
            case .equal(let x, let y): test = flow([("eq", pair(x, y))])
            case .present(let x): test = flow([("present", self.expression(x))])
            }
            return flow([("if", test), ("then", self.expression(a)), ("else", self.expression(b))])
        }
    }

    private static func pair(_ a: FeatureExpression, _ b: FeatureExpression) -> Node {
        Node([expression(a), expression(b)], .implicit, .flow)
    }

    private static func flow(_ entries: [(String, Node)]) -> Node {
        Node(entries.map { (Node($0.0), $0.1) }, .implicit, .flow)
    }

    /// Text that reads back as text: quoted when plain it would read as a number, a boolean or null.
    private static func scalar(_ text: String) -> Node {
        Node(text).tagName == .str ? Node(text) : Node(text, .implicit, .doubleQuoted)
    }

    /// A number written as briefly as it reads back (`0`, `2.5`, `1e-06`).
    private static func number(_ value: Double) -> Node {
        if value == value.rounded(), abs(value) < 1e15 { return Node(String(Int64(value))) }
        return Node("\(value)")
    }

    /// A MongoDB value (filters, preparation stages), with its BSON type kept: integers stay integers,
    /// doubles are written with a decimal point. Block style for the first `blockLevels` levels.
    private static func node(_ value: BSONValue, blockLevels: Int) throws(FeatureFileError) -> Node {
        switch value {
        case .document(let document):
            var entries: [(Node, Node)] = []
            for (key, item) in document { entries.append((scalar(key), try node(item, blockLevels: blockLevels - 1))) }
            return Node(entries, .implicit, blockLevels > 0 ? .block : .flow)
        case .array(let items):
            var nodes: [Node] = []
            for item in items { nodes.append(try node(item, blockLevels: 0)) }
            return Node(nodes, .implicit, .flow)
        case .string(let text): return scalar(text)
        case .int32(let value): return Node(String(value))
        case .int64(let value): return Node(String(value))
        case .double(let value): return Node(value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : "\(value)")
        case .bool(let flag): return Node(flag ? "true" : "false")
        case .null: return Node("null")
        default:
            throw FeatureFileError(
                file: "", mark: nil, key: "",
                problem: "a \(value.typeName) cannot be written in a feature set file; use numbers, text, lists and mappings")
        }
    }
}
