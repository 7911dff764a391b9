import EngageML
import Foundation
import MongoKit
import Yams

/// A feature set declared in a file: YAML (`features/NAME.yaml`) or JSON, which is YAML too.
///
/// ```yaml
/// name: video_views
/// version: 1
/// task: regression                 # classification, regression or clustering
/// source: raw_videos               # the raw collection the rows come from (one row per document, keyed by _id)
/// filter: {views: {$gte: 0}}       # a MongoDB query: rows to keep
/// time_field: published_at         # when the entity appeared: time splits and history order
/// outcome_fields: [views, likes]   # known only afterwards: a feature reading one is refused
/// features:                        # name: expression, in model-input order
///   duration_s: duration_s                           # a text is a field path
///   hour: {hour: published_at}
///   youtube: {member_of: platform, values: [youtube]}
/// history:                         # over strictly earlier rows of a partition
///   - partition: creator
///     value: {log1p: {coalesce: views, fallback: 0}}
///     outputs: {creator_prior_median_log_views: median, creator_prior_videos: count}
/// label: {log1p: views}            # an expression, or {quantile: 0.9, of: EXPRESSION, within: FIELD}
/// ```
///
/// A point-in-time set (one row per entity and cutoff, such as `user_churn`) declares its cutoffs,
/// `cutoffs: {entity: user_id, field: cutoff, at: ["2026-09-22", "2026-09-29"]}`: each source
/// document gets every cutoff in `field` before the `preparation` stages group them into rows, and
/// serving runs the same stages for the requested entities at one cutoff (see ``PointInTime``).
///
/// Expressions: a number is a constant, a text a field path, `null` no value; otherwise one of
/// `field`, `constant`, `add: [..]`, `subtract: [a, b]`, `multiply: [..]`, `ratio: [a, b]` (with
/// `if_zero`), `log1p`, `clamp` (with `min`, `max`), `hour`, `weekday`, `month`, `year`, `array_size`,
/// `string_length`, `member_of` (with `values`), `coalesce` (with `fallback`) and `if` (with `then`,
/// `else`), whose conditions are `gt: [a, b]`, `gte: [a, b]`, `eq: [a, b]` or `present: a`. They mean
/// exactly ``FeatureExpression``'s cases, so a file builds, verifies and serves as a built-in set does.
///
/// Problems are ``FeatureFileError``s naming the file, the line and the key.
public enum FeatureSetFile {
    /// The file extensions read as feature set files.
    public static let extensions = ["yaml", "yml", "json"]

    /// The set in the file at `path`.
    public static func load(path: String) throws(FeatureFileError) -> FeatureSet {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FeatureFileError(file: path, mark: nil, key: "", problem: "cannot be read (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    /// The set declared by `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(FeatureFileError) -> FeatureSet {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw FeatureFileError(file: file, syntax: error)
        } catch {
            throw FeatureFileError(file: file, mark: nil, key: "", problem: "is not YAML or JSON (\(error))")
        }
        guard let root else { throw FeatureFileError(file: file, mark: nil, key: "", problem: "is empty; it must declare a feature set") }
        return try DefinitionNode(root, file: file, key: "").featureSet()
    }
}

/// A problem in a feature set file: where it is (file, line, column, key) and what is wrong.
/// A feature set file that cannot be read as a set, with the place (file, line, key) to fix.
public struct FeatureFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path (or the name it was given).
    public let file: String
    /// The line, from 1 (nil when the problem is the whole file).
    public let line: Int?
    /// The column, from 1.
    public let column: Int?
    /// The dotted key of the value at fault (`features.log_views`); empty for the whole file.
    public let key: String
    /// What is wrong, and what would be right.
    public let problem: String

    init(file: String, mark: Mark?, key: String, problem: String) {
        self.file = file
        self.line = mark?.line
        self.column = mark?.column
        self.key = key
        self.problem = problem
    }

    init(file: String, syntax: YamlError) {
        var mark: Mark?
        var problem = "\(syntax)"
        switch syntax {
        case .scanner(let context, let text, let at, _), .parser(let context, let text, let at, _),
            .composer(let context, let text, let at, _):
            mark = at
            problem = [context?.text, text].compactMap { $0 }.joined(separator: ": ")
        case .duplicatedKeysInMapping(let duplicates, let context):
            mark = context.mark
            problem = "\(duplicates.joined(separator: ", ")) given twice"
        default: break
        }
        self.init(file: file, mark: mark, key: "", problem: "not valid YAML: \(problem)")
    }

    /// `FILE:LINE:COLUMN: KEY: PROBLEM`, as compilers print it.
    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return key.isEmpty ? "\(place): \(problem)" : "\(place): \(key): \(problem)"
    }
}

// MARK: Reading

extension Node {
    /// The resolved tag's name (`.str`, `.int`, `.float`, `.bool`, `.null`), as the reader sees the value.
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}

/// One value of a definition, with where it is: every read names the key and line on failure.
private struct DefinitionNode {
    let node: Node
    let file: String
    let key: String

    init(_ node: Node, file: String, key: String) {
        self.node = node
        self.file = file
        self.key = key
    }

    func failure(_ problem: String) -> FeatureFileError { FeatureFileError(file: file, mark: node.mark, key: key, problem: problem) }

    func child(_ node: Node, _ name: String) -> DefinitionNode {
        DefinitionNode(node, file: file, key: key.isEmpty ? name : "\(key).\(name)")
    }

    var isNull: Bool { if case .scalar = node { node.tagName == .null } else { false } }

    /// The entries of a mapping in file order; a key outside `allowed` or given twice is refused.
    func mapping(allowed: [String]? = nil) throws(FeatureFileError) -> [(String, DefinitionNode)] {
        guard case .mapping(let mapping) = node else { throw failure("expected a mapping (key: value), found \(kind)") }
        var entries: [(String, DefinitionNode)] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            let keyed = child(keyNode, keyNode.string ?? "?")
            guard case .scalar = keyNode, let name = keyNode.string, !name.isEmpty else { throw keyed.failure("a key must be plain text") }
            guard seen.insert(name).inserted else { throw keyed.failure("is given twice") }
            if let allowed, !allowed.contains(name) {
                throw keyed.failure("is not a key here; expected one of \(allowed.joined(separator: ", "))")
            }
            entries.append((name, child(value, name)))
        }
        return entries
    }

    func list() throws(FeatureFileError) -> [DefinitionNode] {
        guard case .sequence(let sequence) = node else { throw failure("expected a list, found \(kind)") }
        return sequence.enumerated().map { child($1, "\($0)") }
    }

    func text() throws(FeatureFileError) -> String {
        guard case .scalar = node, node.tagName == .str, let text = node.string else { throw failure("expected text, found \(kind)") }
        return text
    }

    func number() throws(FeatureFileError) -> Double {
        guard case .scalar = node, node.tagName == .int || node.tagName == .float, let value = node.float, value.isFinite else {
            throw failure("expected a finite number, found \(kind)")
        }
        return value
    }

    func integer() throws(FeatureFileError) -> Int {
        guard case .scalar = node, node.tagName == .int, let value = node.int else {
            throw failure("expected a whole number, found \(kind)")
        }
        return value
    }

    /// A field path: dotted names, none empty or starting with `$` (a path never becomes an operator).
    func fieldPath() throws(FeatureFileError) -> String {
        let path = try text()
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("$") }) else {
            throw failure("\(path) is not a field path (dotted names such as author.followers, none empty or starting with $)")
        }
        return path
    }

    var kind: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        case .scalar(let scalar):
            switch node.tagName {
            case .null: "null"
            case .bool: "a boolean (\(scalar.string))"
            case .int, .float: "a number (\(scalar.string))"
            default: "text (\(scalar.string))"
            }
        }
    }

    /// The value as BSON, for the MongoDB parts of a definition (the filter, preparation stages).
    func bson() throws(FeatureFileError) -> BSONValue {
        switch node {
        case .mapping: return .document(try document())
        case .sequence: return .array(try list().map { (item) throws(FeatureFileError) in try item.bson() })
        case .alias: throw failure("aliases are not supported; write the value out")
        case .scalar:
            switch node.tagName {
            case .null: return .null
            case .bool: return .bool(node.bool ?? false)
            case .int:
                guard let value = node.int else { throw failure("\(kind) does not fit in 64 bits") }
                return BSONValue(value)
            case .float: return .double(try number())
            default: return .string(try text())
            }
        }
    }

    func document() throws(FeatureFileError) -> Document {
        Document(try mapping().map { (name, value) throws(FeatureFileError) in (name, try value.bson()) })
    }
}

extension DefinitionNode {
    static let setKeys = [
        "name", "version", "task", "source", "filter", "time_field", "outcome_fields", "cutoffs", "preparation", "features", "history",
        "label", "scores", "scoring",
    ]

    func featureSet() throws(FeatureFileError) -> FeatureSet {
        let entries = Dictionary(uniqueKeysWithValues: try mapping(allowed: Self.setKeys))
        func required(_ name: String) throws(FeatureFileError) -> DefinitionNode {
            guard let value = entries[name] else { throw failure("\(name) is required") }
            return value
        }
        let name = try required("name").text()
        let nameNode = try required("name")
        guard name.range(of: "^[a-z][a-z0-9_]{0,63}$", options: .regularExpression) != nil else {
            throw nameNode.failure("\(name) is not a set name (lower-case letters, digits and _, starting with a letter)")
        }
        let version = try entries["version"]?.integer() ?? 1
        let taskNode = try required("task")
        let taskText = try taskNode.text()
        guard let task = LearningTask(rawValue: taskText) else {
            throw taskNode.failure("\(taskText) is not a task; expected classification, regression or clustering")
        }
        let source = try required("source").text()
        let filter = try entries["filter"]?.document() ?? [:]
        let timeField = try required("time_field").fieldPath()
        let outcomes = try entries["outcome_fields"]?.list().map { (item) throws(FeatureFileError) in try item.fieldPath() } ?? []
        let preparation = try entries["preparation"]?.list().map { (item) throws(FeatureFileError) in try item.document() } ?? []
        let pointInTime = try entries["cutoffs"].map { (node) throws(FeatureFileError) in try node.pointInTime() }
        let features = try required("features").features()
        let history = try entries["history"]?.list().map { (item) throws(FeatureFileError) in try item.historyWindow() } ?? []
        let scoring = try entries["scoring"].map { (node) throws(FeatureFileError) in try node.scoring() }
        let scores = (scoring?.columns ?? []) + (try entries["scores"]?.features() ?? [])
        var label: FeatureExpression?
        var quantileLabel: QuantileLabel?
        if let labelNode = entries["label"] {
            if case .mapping = labelNode.node, try labelNode.mapping().contains(where: { $0.0 == "quantile" }) {
                quantileLabel = try labelNode.quantileLabel()
            } else {
                label = try labelNode.expression()
            }
        }
        if task == .clustering, entries["label"] != nil { throw entries["label"]?.failure("a clustering set has no label") ?? failure("") }
        if task != .clustering, entries["label"] == nil { throw failure("label is required for a \(task.rawValue) set") }
        do {
            return try FeatureSet(
                name: name, version: version, task: task, source: source, outcomeFields: Set(outcomes), filter: filter,
                timeField: timeField, features: features, history: history, label: label, preparation: preparation,
                pointInTime: pointInTime,
                scores: scores,
                scoring: scoring, quantileLabel: quantileLabel)
        } catch {
            throw definitionFailure(error)
        }
    }

    /// A ``FeatureDefinitionError`` placed at the feature it is about.
    func definitionFailure(_ error: FeatureDefinitionError) -> FeatureFileError {
        guard case .mapping = node else { return failure(error.description) }
        let feature: String
        switch error {
        case .leakage(_, let name, _, _), .duplicateName(_, let name): feature = name
        default: return failure(error.description)
        }
        for section in ["features", "history"] {
            guard let value = node[section] else { continue }
            let sectionNode = child(value, section)
            if case .mapping = value, let found = value[feature] {
                return sectionNode.child(found, feature).failure(error.description)
            }
            if section == "history" { return sectionNode.failure(error.description) }
        }
        return failure(error.description)
    }

    func features() throws(FeatureFileError) -> [Feature] {
        try mapping().map { (name, value) throws(FeatureFileError) in
            guard name.range(of: "^[A-Za-z][A-Za-z0-9_]{0,63}$", options: .regularExpression) != nil else {
                throw child(value.node, name).failure("\(name) is not a column name (letters, digits and _, starting with a letter)")
            }
            return Feature(name, try value.expression())
        }
    }

    func historyWindow() throws(FeatureFileError) -> HistoryWindow {
        let entries = Dictionary(uniqueKeysWithValues: try mapping(allowed: ["partition", "value", "outputs"]))
        guard let partition = entries["partition"], let value = entries["value"], let outputs = entries["outputs"] else {
            throw failure("a history window needs partition, value and outputs")
        }
        return HistoryWindow(
            partition: try partition.partition(), value: try value.expression(),
            outputs: try outputs.mapping().map { (name, statistic) throws(FeatureFileError) in
                let text = try statistic.text()
                guard let known = HistoryOutput.Statistic(rawValue: text) else {
                    throw statistic.failure("\(text) is not a statistic; expected median, mean or count")
                }
                return HistoryOutput(name, known)
            })
    }

    func partition() throws(FeatureFileError) -> HistoryPartition {
        if case .scalar = node { return .field(try fieldPath()) }
        let entries = Dictionary(
            uniqueKeysWithValues: try mapping(allowed: ["field", "first_element", "where", "equals", "leading_elements", "count", "key"]))
        func required(_ name: String) throws(FeatureFileError) -> DefinitionNode {
            guard let value = entries[name] else { throw failure("\(name) is required here") }
            return value
        }
        if let field = entries["field"] { return .field(try field.fieldPath()) }
        if let array = entries["first_element"] {
            return .firstElement(
                array: try array.fieldPath(), where: try required("where").fieldPath(), equals: try required("equals").text(),
                key: try required("key").fieldPath())
        }
        if let array = entries["leading_elements"] {
            let count = try required("count").integer()
            guard count > 0 else { throw (try required("count")).failure("count must be at least 1") }
            return .leadingElements(array: try array.fieldPath(), count: count, key: try required("key").fieldPath())
        }
        throw failure(
            "a partition is a field path, {first_element: ARRAY, where: F, equals: V, key: K} or {leading_elements: ARRAY, count: N, key: K}"
        )
    }

    func pointInTime() throws(FeatureFileError) -> PointInTime {
        let entries = Dictionary(uniqueKeysWithValues: try mapping(allowed: ["entity", "field", "at"]))
        guard let entity = entries["entity"], let field = entries["field"], let at = entries["at"] else {
            throw failure("cutoffs need entity (the field naming whom a row describes), field (where the cutoff goes) and at (dates)")
        }
        let (entityPath, cutoffPath) = (try entity.fieldPath(), try field.fieldPath())
        let dates = try at.list().map { (item) throws(FeatureFileError) in try item.text() }
        do {
            return try PointInTime(entity: entityPath, cutoffField: cutoffPath, dates: dates)
        } catch {
            throw at.failure(error.description)
        }
    }

    func quantileLabel() throws(FeatureFileError) -> QuantileLabel {
        let entries = Dictionary(uniqueKeysWithValues: try mapping(allowed: ["quantile", "of", "within"]))
        guard let quantileNode = entries["quantile"], let of = entries["of"] else {
            throw failure("a quantile label needs quantile and of")
        }
        let quantile = try quantileNode.number()
        guard quantile > 0, quantile < 1 else { throw quantileNode.failure("quantile must be between 0 and 1, got \(quantile)") }
        return QuantileLabel(
            expression: try of.expression(), quantile: quantile,
            within: try entries["within"].map { (node) throws(FeatureFileError) in
                try node.fieldPath()
            })
    }

    func scoring() throws(FeatureFileError) -> ShortVideoScores {
        let entries = Dictionary(uniqueKeysWithValues: try mapping(allowed: ["counts_under", "within"]))
        return ShortVideoScores(
            countsUnder: try entries["counts_under"].map { (node) throws(FeatureFileError) in try node.fieldPath() },
            within: try entries["within"].map { (node) throws(FeatureFileError) in try node.fieldPath() })
    }
}

// MARK: Expressions

extension DefinitionNode {
    /// The operators of an expression mapping, each with the keys it takes beside itself.
    static let operators: [String: [String]] = [
        "field": [], "constant": [], "add": [], "subtract": [], "multiply": [], "ratio": ["if_zero"], "log1p": [],
        "clamp": ["min", "max"], "hour": [], "weekday": [], "month": [], "year": [], "array_size": [], "string_length": [],
        "member_of": ["values"], "coalesce": ["fallback"], "if": ["then", "else"],
    ]
    static let comparisons = ["gt", "gte", "eq", "present"]

    func expression() throws(FeatureFileError) -> FeatureExpression {
        switch node {
        case .scalar:
            switch node.tagName {
            case .null: return .missing
            case .int, .float: return .constant(try number())
            case .str: return .field(try fieldPath())
            default: throw failure("expected an expression (a number, a field path or an operator), found \(kind)")
            }
        case .mapping:
            let (name, operand, options) = try operation(Self.operators)
            return try expression(name, operand, options)
        default:
            throw failure("expected an expression (a number, a field path or an operator such as {log1p: views}), found \(kind)")
        }
    }

    /// The one operator of a mapping, its operand and its options; any other key is refused.
    func operation(_ known: [String: [String]]) throws(FeatureFileError) -> (String, DefinitionNode, [String: DefinitionNode]) {
        let entries = try mapping()
        let names = entries.map(\.0).filter { known[$0] != nil }
        guard names.count == 1, let name = names.first, let operand = entries.first(where: { $0.0 == name })?.1 else {
            let list = known.keys.sorted().joined(separator: ", ")
            throw failure(
                names.isEmpty
                    ? "\(entries.map(\.0).joined(separator: ", ")) is not an operator; expected one of \(list)"
                    : "has \(names.count) operators (\(names.joined(separator: ", "))); give one")
        }
        let allowed = known[name] ?? []
        var options: [String: DefinitionNode] = [:]
        for (key, value) in entries where key != name {
            guard allowed.contains(key) else {
                throw child(value.node, key).failure(
                    allowed.isEmpty ? "\(name) takes no \(key)" : "\(name) takes \(allowed.joined(separator: ", ")), not \(key)")
            }
            options[key] = value
        }
        return (name, operand, options)
    }

    private func pair(_ operand: DefinitionNode) throws(FeatureFileError) -> (FeatureExpression, FeatureExpression) {
        let items = try operand.list()
        guard items.count == 2 else { throw operand.failure("expected two expressions [a, b], found \(items.count)") }
        return (try items[0].expression(), try items[1].expression())
    }

    private func expressions(_ operand: DefinitionNode) throws(FeatureFileError) -> [FeatureExpression] {
        let items = try operand.list()
        guard !items.isEmpty else { throw operand.failure("expected at least one expression") }
        return try items.map { (item) throws(FeatureFileError) in try item.expression() }
    }

    private func option(_ options: [String: DefinitionNode], _ name: String, default fallback: Double? = nil) throws(FeatureFileError)
        -> Double
    {
        if let value = options[name] { return try value.number() }
        if let fallback { return fallback }
        throw failure("\(name) is required here")
    }

    private func expression(_ name: String, _ operand: DefinitionNode, _ options: [String: DefinitionNode]) throws(FeatureFileError)
        -> FeatureExpression
    {
        switch name {
        case "field": return .field(try operand.fieldPath())
        case "constant": return .constant(try operand.number())
        case "add": return .add(try expressions(operand))
        case "multiply": return .multiply(try expressions(operand))
        case "subtract":
            let (a, b) = try pair(operand)
            return .subtract(a, b)
        case "ratio":
            let (a, b) = try pair(operand)
            return .ratio(a, b, ifZero: try option(options, "if_zero", default: 0))
        case "log1p": return .log1p(try operand.expression())
        case "clamp":
            let low = try option(options, "min")
            let high = try option(options, "max")
            guard low <= high else { throw failure("min \(low) is above max \(high)") }
            return .clamp(try operand.expression(), min: low, max: high)
        case "hour", "weekday", "month", "year":
            return .datePart(FeatureExpression.DatePart(rawValue: name) ?? .hour, try operand.fieldPath())
        case "array_size": return .arraySize(try operand.fieldPath())
        case "string_length": return .stringLength(try operand.fieldPath())
        case "member_of":
            guard let values = options["values"] else { throw failure("member_of needs values: [..]") }
            return .memberOf(try operand.fieldPath(), try values.list().map { (item) throws(FeatureFileError) in try item.text() })
        case "coalesce": return .coalesce(try operand.expression(), fallback: try option(options, "fallback"))
        default:
            guard let then = options["then"], let otherwise = options["else"] else { throw failure("if needs then and else") }
            return .condition(try operand.comparison(), then: try then.expression(), otherwise: try otherwise.expression())
        }
    }

    func comparison() throws(FeatureFileError) -> FeatureExpression.Comparison {
        let (name, operand, _) = try operation(Dictionary(uniqueKeysWithValues: Self.comparisons.map { ($0, []) }))
        switch name {
        case "gt":
            let (a, b) = try pair(operand)
            return .greater(a, b)
        case "gte":
            let (a, b) = try pair(operand)
            return .greaterOrEqual(a, b)
        case "eq":
            let (a, b) = try pair(operand)
            return .equal(a, b)
        default: return .present(try operand.expression())
        }
    }
}
