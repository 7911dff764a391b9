/// An ordered BSON document: keys keep their order, as MongoDB requires for sort
/// specifications, index keys and commands.
///
/// `Document` is a value type. It converts to and from BSON bytes in Swift
/// (``Document/bsonBytes()`` and ``Document/init(bsonBytes:)``) and to and from
/// MongoDB relaxed or canonical extended JSON (`Document+ExtendedJSON.swift`).
///
/// ```swift
/// var video: Document = ["id": "7012", "stats": ["playCount": 1200, "diggCount": 85]]
/// video["desc"] = "dance #fyp"
/// video[path: "stats.playCount"]?.doubleValue   // 1200.0
/// ```
public struct Document: Sendable, Hashable {
    /// The fields in order.
    public private(set) var elements: [(key: String, value: BSONValue)]

    /// An empty document.
    public init() { elements = [] }

    /// A document with these fields, in this order. A repeated key keeps its last value at its first position.
    public init(_ pairs: some Sequence<(String, BSONValue)>) {
        elements = []
        for (key, value) in pairs { self[key] = value }
    }

    /// A document whose order is already known to have unique keys (the decoder's path).
    init(uniqueElements: [(key: String, value: BSONValue)]) { elements = uniqueElements }

    /// The number of fields.
    public var count: Int { elements.count }

    /// True when there are no fields.
    public var isEmpty: Bool { elements.isEmpty }

    /// The keys in order.
    public var keys: [String] { elements.map(\.key) }

    /// The value of a top-level field; setting `nil` removes the field.
    public subscript(key: String) -> BSONValue? {
        get { elements.first { $0.key == key }?.value }
        set {
            let index = elements.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let i?, let value?): elements[i].value = value
            case (let i?, nil): elements.remove(at: i)
            case (nil, let value?): elements.append((key, value))
            case (nil, nil): break
            }
        }
    }

    /// The value at a dotted path (`"stats.playCount"`, `"challenges.0.title"`), as MongoDB resolves it;
    /// nil when any step is missing.
    public subscript(path path: String) -> BSONValue? {
        var current = BSONValue.document(self)
        for component in path.split(separator: ".", omittingEmptySubsequences: false) {
            switch current {
            case .document(let d):
                guard let next = d[String(component)] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(component), a.indices.contains(i) else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }

    /// True when the document has this top-level field.
    public func contains(_ key: String) -> Bool { elements.contains { $0.key == key } }

    /// The `_id` a driver would insert this document with: its own, or a new ObjectId.
    public func identifierForInsert() -> BSONValue {
        elements.first { Self.isIdentifierKey($0.key) }?.value ?? .objectId(ObjectId())
    }

    /// True for `"_id"`. Most keys differ in length, which is read without comparing any bytes.
    @inline(__always)
    static func isIdentifierKey(_ key: String) -> Bool {
        key.utf8.count == 3 && key == "_id"
    }

    /// Equal when both have the same keys, in the same order, with equal values.
    public static func == (a: Document, b: Document) -> Bool {
        a.elements.count == b.elements.count
            && zip(a.elements, b.elements).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Hashes the keys and values in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(elements.count)
        for (key, value) in elements {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}

extension Document: ExpressibleByDictionaryLiteral {
    /// A document of these elements, in order.
    public init(dictionaryLiteral elements: (String, BSONValue)...) { self.init(elements) }
}

extension Document: Sequence {
    /// The elements in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: BSONValue)]> {
        elements.makeIterator()
    }
}
