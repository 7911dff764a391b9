/// One BSON value: every type that TMDB and TikTok documents, aggregation
/// results and GridFS use, plus the few special values a server may return.
///
/// The deprecated BSON types (undefined, DBPointer, symbol, JavaScript code)
/// are not represented; decoding one throws ``BSONError/unsupportedType(_:key:)``
/// naming the field, rather than silently dropping it.
///
/// ```swift
/// let stats: BSONValue = ["playCount": 1_200, "ratio": 0.25, "tags": ["fyp", "dance"]]
/// ```
public enum BSONValue: Sendable, Hashable {
    case double(Double)
    case string(String)
    case document(Document)
    case array([BSONValue])
    case binary(BSONBinary)
    case objectId(ObjectId)
    case bool(Bool)
    case datetime(BSONDateTime)
    case null
    /// Indirect: a regex holds two strings, and inline it would make every value 16 bytes wider.
    indirect case regex(BSONRegex)
    case int32(Int32)
    case timestamp(BSONTimestamp)
    case int64(Int64)
    case decimal128(Decimal128)
    case minKey
    case maxKey
}

extension BSONValue {
    /// The value as a `Double` when it is numeric (double, int32, int64, decimal128) or a bool (0/1).
    public var doubleValue: Double? {
        switch self {
        case .double(let v): v
        case .int32(let v): Double(v)
        case .int64(let v): Double(v)
        case .decimal128(let v): Double(v.description)
        case .bool(let v): v ? 1 : 0
        default: nil
        }
    }

    /// The value as an `Int64` when it is an integer, or a double with no fractional part.
    public var int64Value: Int64? {
        switch self {
        case .int32(let v): Int64(v)
        case .int64(let v): v
        case .double(let v) where v.rounded() == v && abs(v) < 9.2e18: Int64(v)
        default: nil
        }
    }

    /// The string, when the value is one.
    public var stringValue: String? {
        if case .string(let s) = self { s } else { nil }
    }

    /// The bool, when the value is one.
    public var boolValue: Bool? {
        if case .bool(let b) = self { b } else { nil }
    }

    /// The nested document, when the value is one.
    public var documentValue: Document? {
        if case .document(let d) = self { d } else { nil }
    }

    /// The array elements, when the value is an array.
    public var arrayValue: [BSONValue]? {
        if case .array(let a) = self { a } else { nil }
    }

    /// True for `null`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The name MongoDB's `$type` operator gives this value's type.
    public var typeName: String {
        switch self {
        case .double: "double"
        case .string: "string"
        case .document: "object"
        case .array: "array"
        case .binary: "binData"
        case .objectId: "objectId"
        case .bool: "bool"
        case .datetime: "date"
        case .null: "null"
        case .regex: "regex"
        case .int32: "int"
        case .timestamp: "timestamp"
        case .int64: "long"
        case .decimal128: "decimal"
        case .minKey: "minKey"
        case .maxKey: "maxKey"
        }
    }
}

extension BSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }

    /// Integers become `int32` when they fit, `int64` otherwise, as the MongoDB drivers do.
    public init(integerLiteral value: Int) { self = BSONValue(value) }

    /// A double.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `null`.
    public init(nilLiteral: ()) { self = .null }
    /// An array of these values.
    public init(arrayLiteral elements: BSONValue...) { self = .array(elements) }

    /// An embedded document of these elements, in order.
    public init(dictionaryLiteral elements: (String, BSONValue)...) {
        self = .document(Document(elements))
    }

    /// An integer as `int32` when it fits, `int64` otherwise.
    public init(_ value: Int) {
        if let small = Int32(exactly: value) { self = .int32(small) } else { self = .int64(Int64(value)) }
    }
}

/// A BSON UTC datetime: milliseconds since the Unix epoch, kept exact.
public struct BSONDateTime: Sendable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// The instant `millisecondsSinceEpoch` after 1970-01-01T00:00:00Z.
    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    /// The datetime for a number of seconds since the epoch, rounded to the millisecond.
    public init(secondsSinceEpoch: Double) {
        self.millisecondsSinceEpoch = Int64((secondsSinceEpoch * 1000).rounded())
    }

    /// The instant in seconds since the epoch.
    public var secondsSinceEpoch: Double { Double(millisecondsSinceEpoch) / 1000 }

    /// Earlier instants order first.
    public static func < (a: Self, b: Self) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }
}

/// BSON binary data with its subtype (0 generic, 4 UUID, …).
public struct BSONBinary: Sendable, Hashable {
    /// The binary subtype (0: generic).
    public var subtype: UInt8
    /// The bytes.
    public var bytes: [UInt8]

    /// Binary data of `subtype`.
    public init(subtype: UInt8 = 0, bytes: [UInt8]) {
        self.subtype = subtype
        self.bytes = bytes
    }
}

/// A BSON regular expression: pattern and option letters.
public struct BSONRegex: Sendable, Hashable {
    /// The regular expression.
    public var pattern: String
    /// Its flags (`i`, `m`, `x`, `s`), in alphabetical order.
    public var options: String

    /// A regular expression with these flags.
    public init(pattern: String, options: String = "") {
        self.pattern = pattern
        self.options = options
    }
}

/// A BSON timestamp (used by the server for replication and change streams).
public struct BSONTimestamp: Sendable, Hashable {
    /// Seconds since the epoch.
    public var seconds: UInt32
    /// An ordinal within the second.
    public var increment: UInt32

    /// A timestamp of `seconds` and `increment`.
    public init(seconds: UInt32, increment: UInt32) {
        self.seconds = seconds
        self.increment = increment
    }
}
