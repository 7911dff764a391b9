import Foundation
import MongoKit

/// One feature's computation, declared once and used twice: compiled to a MongoDB aggregation
/// expression (training features are built inside the database) and evaluated in Swift on a raw
/// document (features at prediction time). Missing input gives a missing (`null` / `nil`) result,
/// the same way on both sides.
///
/// ```swift
/// let rate: FeatureExpression = .ratio(.field("stats.likes"), .field("stats.views"), ifZero: 0)
/// let hour: FeatureExpression = .datePart(.hour, "created_at")
/// ```
public indirect enum FeatureExpression: Sendable, Equatable {
    /// A numeric field (dotted path); bools read as 0/1, numeric text is not converted.
    case field(String)
    case constant(Double)
    case add([FeatureExpression])
    case subtract(FeatureExpression, FeatureExpression)
    case multiply([FeatureExpression])
    /// `a / b`, or `ifZero` when `b` is 0.
    case ratio(FeatureExpression, FeatureExpression, ifZero: Double)
    /// `ln(1 + a)`; missing for `a ≤ −1`.
    case log1p(FeatureExpression)
    case clamp(FeatureExpression, min: Double, max: Double)
    /// A part of the date in a field (a date, an ISO date string, or epoch milliseconds), in UTC.
    case datePart(DatePart, String)
    /// The length of the array at a path (0 when absent or not an array).
    case arraySize(String)
    /// The length in characters of the text at a path (0 when absent or not text).
    case stringLength(String)
    /// 1 when the value at a path (or any element, for arrays and array paths like `genres.name`)
    /// is one of `values`, else 0: one-hot and membership features.
    case memberOf(String, [String])
    /// `then` when the condition holds, else `otherwise`; a missing operand makes the condition false.
    case condition(Comparison, then: FeatureExpression, otherwise: FeatureExpression)
    /// `a`, or `fallback` when `a` is missing.
    case coalesce(FeatureExpression, fallback: Double)
    /// No value (for a branch of a condition).
    case missing

    /// A date part.
    public enum DatePart: String, Sendable, Equatable, CaseIterable {
        /// 0–23.
        case hour
        /// 0 (Monday) – 6 (Sunday).
        case weekday
        /// 1–12.
        case month
        case year
    }

    /// A comparison for ``condition(_:then:otherwise:)``.
    public indirect enum Comparison: Sendable, Equatable {
        case greater(FeatureExpression, FeatureExpression)
        case greaterOrEqual(FeatureExpression, FeatureExpression)
        case equal(FeatureExpression, FeatureExpression)
        case present(FeatureExpression)
    }

    /// Every field path the expression reads, for the leakage guard.
    public var fieldsRead: Set<String> {
        switch self {
        case .field(let path), .datePart(_, let path), .arraySize(let path), .stringLength(let path), .memberOf(let path, _): [path]
        case .constant, .missing: []
        case .add(let terms), .multiply(let terms): terms.reduce(into: Set<String>()) { $0.formUnion($1.fieldsRead) }
        case .subtract(let a, let b), .ratio(let a, let b, _): a.fieldsRead.union(b.fieldsRead)
        case .log1p(let a), .clamp(let a, _, _), .coalesce(let a, _): a.fieldsRead
        case .condition(let comparison, let a, let b): comparison.fieldsRead.union(a.fieldsRead).union(b.fieldsRead)
        }
    }
}

extension FeatureExpression.Comparison {
    var fieldsRead: Set<String> {
        switch self {
        case .greater(let a, let b), .greaterOrEqual(let a, let b), .equal(let a, let b): a.fieldsRead.union(b.fieldsRead)
        case .present(let a): a.fieldsRead
        }
    }
}

// MARK: Compiling to an aggregation expression

extension FeatureExpression {
    /// The aggregation expression computing this feature from the document being processed
    /// (`null` when an input is missing).
    public var aggregation: BSONValue {
        switch self {
        case .field(let path):
            return ["$convert": ["input": FieldPath.aggregation(path), "to": "double", "onError": .null, "onNull": .null]]
        case .constant(let value):
            return ["$literal": .double(value)]
        case .add(let terms):
            return ["$add": .array(terms.map(\.aggregation))]
        case .subtract(let a, let b):
            return ["$subtract": [a.aggregation, b.aggregation]]
        case .multiply(let terms):
            return ["$multiply": .array(terms.map(\.aggregation))]
        case .ratio(let a, let b, let ifZero):
            return [
                "$let": [
                    "vars": ["n": a.aggregation, "d": b.aggregation],
                    "in": [
                        "$cond": [
                            Self.isMissing("$$n", "$$d"), .null,
                            ["$cond": [["$eq": ["$$d", 0]], .double(ifZero), ["$divide": ["$$n", "$$d"]]]],
                        ]
                    ],
                ]
            ]
        case .log1p(let a):
            return [
                "$let": [
                    "vars": ["v": a.aggregation],
                    "in": [
                        "$cond": [Self.isMissing("$$v"), .null, ["$cond": [["$gt": ["$$v", -1]], ["$ln": ["$add": [1, "$$v"]]], .null]]]
                    ],
                ]
            ]
        case .clamp(let a, let low, let high):
            return [
                "$let": [
                    "vars": ["v": a.aggregation],
                    "in": ["$cond": [Self.isMissing("$$v"), .null, ["$min": [["$max": ["$$v", .double(low)]], .double(high)]]]],
                ]
            ]
        case .datePart(let part, let path):
            let date: BSONValue = ["$convert": ["input": FieldPath.aggregation(path), "to": "date", "onError": .null, "onNull": .null]]
            let value: BSONValue
            switch part {
            case .hour: value = ["$hour": ["date": "$$d", "timezone": "UTC"]]
            case .weekday: value = ["$subtract": [["$isoDayOfWeek": ["date": "$$d", "timezone": "UTC"]], 1]]
            case .month: value = ["$month": ["date": "$$d", "timezone": "UTC"]]
            case .year: value = ["$year": ["date": "$$d", "timezone": "UTC"]]
            }
            return ["$let": ["vars": ["d": date], "in": ["$cond": [Self.isMissing("$$d"), .null, ["$toDouble": value]]]]]
        case .arraySize(let path):
            return ["$toDouble": ["$cond": [["$isArray": FieldPath.aggregation(path)], ["$size": FieldPath.aggregation(path)], 0]]]
        case .stringLength(let path):
            return [
                "$toDouble": [
                    "$cond": [["$eq": [["$type": FieldPath.aggregation(path)], "string"]], ["$strLenCP": FieldPath.aggregation(path)], 0]
                ]
            ]
        case .memberOf(let path, let values):
            let asArray: BSONValue = [
                "$cond": [["$isArray": FieldPath.aggregation(path)], FieldPath.aggregation(path), .array([FieldPath.aggregation(path)])]
            ]
            return ["$cond": [["$gt": [["$size": ["$setIntersection": [asArray, .array(values.map(BSONValue.string))]]], 0]], 1.0, 0.0]]
        case .condition(let comparison, let a, let b):
            return ["$cond": [comparison.aggregation, a.aggregation, b.aggregation]]
        case .coalesce(let a, let fallback):
            return ["$ifNull": [a.aggregation, .double(fallback)]]
        case .missing:
            return .null
        }
    }

    /// True when any of the expressions is null or missing.
    static func isMissing(_ expressions: BSONValue...) -> BSONValue {
        .document(["$or": .array(expressions.map { ["$in": [["$type": $0], ["null", "missing"]]] })])
    }
}

extension FeatureExpression.Comparison {
    var aggregation: BSONValue {
        switch self {
        case .greater(let a, let b): Self.compare("$gt", a, b)
        case .greaterOrEqual(let a, let b): Self.compare("$gte", a, b)
        case .equal(let a, let b): Self.compare("$eq", a, b)
        case .present(let a): ["$not": [FeatureExpression.isMissing(a.aggregation)]]
        }
    }

    private static func compare(_ op: String, _ a: FeatureExpression, _ b: FeatureExpression) -> BSONValue {
        [
            "$let": [
                "vars": ["a": a.aggregation, "b": b.aggregation],
                "in": ["$and": [["$not": [FeatureExpression.isMissing("$$a", "$$b")]], [op: ["$$a", "$$b"]]]],
            ]
        ]
    }
}

// MARK: Evaluating in Swift

extension FeatureExpression {
    /// The feature's value on `document`, or nil when an input is missing: the same result the
    /// aggregation expression gives inside the database.
    public func evaluate(_ document: Document) -> Double? {
        switch self {
        case .field(let path):
            return Self.number(FieldPath.values(path, in: document).single)
        case .constant(let value):
            return value
        case .add(let terms):
            var sum = 0.0
            for term in terms {
                guard let value = term.evaluate(document) else { return nil }
                sum += value
            }
            return sum
        case .subtract(let a, let b):
            guard let x = a.evaluate(document), let y = b.evaluate(document) else { return nil }
            return x - y
        case .multiply(let terms):
            var product = 1.0
            for term in terms {
                guard let value = term.evaluate(document) else { return nil }
                product *= value
            }
            return product
        case .ratio(let a, let b, let ifZero):
            guard let x = a.evaluate(document), let y = b.evaluate(document) else { return nil }
            return y == 0 ? ifZero : x / y
        case .log1p(let a):
            guard let x = a.evaluate(document), x > -1 else { return nil }
            return Foundation.log(1 + x)
        case .clamp(let a, let low, let high):
            guard let x = a.evaluate(document) else { return nil }
            return Swift.min(Swift.max(x, low), high)
        case .datePart(let part, let path):
            guard let date = Self.date(FieldPath.values(path, in: document).single) else { return nil }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            switch part {
            case .hour: return Double(calendar.component(.hour, from: date))
            case .weekday: return Double((calendar.component(.weekday, from: date) + 5) % 7)  // Monday 0 … Sunday 6
            case .month: return Double(calendar.component(.month, from: date))
            case .year: return Double(calendar.component(.year, from: date))
            }
        case .arraySize(let path):
            if case .array(let items)? = FieldPath.values(path, in: document).single { return Double(items.count) }
            return 0
        case .stringLength(let path):
            if case .string(let text)? = FieldPath.values(path, in: document).single { return Double(text.unicodeScalars.count) }
            return 0
        case .memberOf(let path, let values):
            let found = FieldPath.values(path, in: document)
            let candidates: [BSONValue]
            if case .array(let items)? = found.single { candidates = items } else { candidates = found.values }
            return candidates.contains { if case .string(let text) = $0 { values.contains(text) } else { false } } ? 1 : 0
        case .condition(let comparison, let a, let b):
            return comparison.holds(document) ? a.evaluate(document) : b.evaluate(document)
        case .coalesce(let a, let fallback):
            return a.evaluate(document) ?? fallback
        case .missing:
            return nil
        }
    }

    /// `$convert … to: "double"`: numbers, bools (0/1), dates (epoch ms); text and others are missing.
    static func number(_ value: BSONValue?) -> Double? {
        switch value {
        case .double(let v)?: return v
        case .int32(let v)?: return Double(v)
        case .int64(let v)?: return Double(v)
        case .decimal128?: return value?.doubleValue
        case .bool(let flag)?: return flag ? 1 : 0
        case .datetime(let ms)?: return Double(ms.millisecondsSinceEpoch)
        case .string(let text)?: return Double(text)
        default: return nil
        }
    }

    /// `$convert … to: "date"`: dates, epoch milliseconds, and ISO 8601 date strings.
    static func date(_ value: BSONValue?) -> Date? {
        switch value {
        case .datetime(let ms)?: return ms.date
        case .int64(let v)?: return Date(timeIntervalSince1970: Double(v) / 1000)
        case .int32(let v)?: return Date(timeIntervalSince1970: Double(v) / 1000)
        case .double(let v)?: return Date(timeIntervalSince1970: v / 1000)
        case .string(let text)?:
            let formatter = ISO8601DateFormatter()
            if let date = formatter.date(from: text) { return date }
            formatter.formatOptions = [.withFullDate]
            return formatter.date(from: text)
        default: return nil
        }
    }
}

extension FeatureExpression.Comparison {
    func holds(_ document: Document) -> Bool {
        switch self {
        case .greater(let a, let b):
            guard let x = a.evaluate(document), let y = b.evaluate(document) else { return false }
            return x > y
        case .greaterOrEqual(let a, let b):
            guard let x = a.evaluate(document), let y = b.evaluate(document) else { return false }
            return x >= y
        case .equal(let a, let b):
            guard let x = a.evaluate(document), let y = b.evaluate(document) else { return false }
            return x == y
        case .present(let a):
            return a.evaluate(document) != nil
        }
    }
}

/// MongoDB's dotted-path semantics over a ``Document``: a path through an array of documents
/// collects the field from each element (`genres.name` → every genre's name).
enum FieldPath {
    struct Found {
        /// The values found (several when the path crossed an array).
        var values: [BSONValue]
        /// Whether the path crossed an array.
        var crossedArray: Bool

        /// The value as an aggregation `"$path"` sees it: one value, or an array when the path crossed one.
        var single: BSONValue? { crossedArray ? .array(values) : values.first }
    }

    /// The aggregation expression for `"$path"`, spelled out so that a path through an array of
    /// documents maps over it explicitly (`genres.name` → every genre's name) instead of relying on
    /// the server's implicit array traversal, which not every MongoDB-compatible server implements.
    static func aggregation(_ path: String) -> BSONValue {
        let components = path.split(separator: ".").map(String.init)
        var current: BSONValue = .string("$" + components[0])
        for component in components.dropFirst() {
            current = [
                "$let": [
                    "vars": ["v": current],
                    "in": [
                        "$cond": [
                            ["$isArray": "$$v"], ["$map": ["input": "$$v", "as": "e", "in": .string("$$e." + component)]],
                            .string("$$v." + component),
                        ]
                    ],
                ]
            ]
        }
        return current
    }

    static func values(_ path: String, in document: Document) -> Found {
        var current: [BSONValue] = [.document(document)]
        var crossed = false
        for component in path.split(separator: ".").map(String.init) {
            var next: [BSONValue] = []
            for value in current {
                switch value {
                case .document(let inner):
                    if let found = inner[component] { next.append(found) }
                case .array(let items):
                    crossed = true
                    for item in items { if case .document(let inner) = item, let found = inner[component] { next.append(found) } }
                default:
                    break
                }
            }
            current = next
        }
        return Found(values: current, crossedArray: crossed)
    }
}
