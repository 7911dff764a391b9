/// Numeric columns read straight from a cursor's BSON bytes into column-major storage:
/// the fast path from a feature collection to a training matrix, with no `Document` built per row.
///
/// Missing fields, `null` and non-numeric values become `NaN`; bools become 0/1; dates become
/// milliseconds since the epoch.
public struct NumericTable: Sendable, Equatable {
    /// Column names, the dotted paths that were read.
    public let columnNames: [String]
    /// Number of rows (documents read).
    public let rowCount: Int
    /// Column-major values: column `j` is `values[j * rowCount ..< (j + 1) * rowCount]`.
    public let values: [Double]
    /// Each row's key (the `keyField` value as text), when a key field was asked for.
    public let keys: [String]

    /// The values of column `j`.
    public func column(_ j: Int) -> ArraySlice<Double> {
        values[j * rowCount..<(j + 1) * rowCount]
    }

    /// The values of the column with this name, or nil.
    public func column(named name: String) -> ArraySlice<Double>? {
        columnNames.firstIndex(of: name).map(column)
    }
}

extension MongoCollection {
    /// Runs `pipeline` and reads `fields` (dotted paths) of every result into a ``NumericTable``.
    ///
    /// ```swift
    /// let table = try await features.readNumericColumns(
    ///     pipeline: [["$match": ["split": "train"]]], fields: ["log_followers", "duration", "label"], keyField: "video_id")
    /// ```
    public func readNumericColumns(
        pipeline: [Document] = [], fields: [String], keyField: String? = nil, options: AggregateOptions = AggregateOptions()
    ) async throws(MongoError) -> NumericTable {
        let paths = fields.map(RawFieldPath.init)
        let keyPath = keyField.map(RawFieldPath.init)
        return try await withCursor(aggregate: pipeline, options: options) { (cursor) throws(MongoError) in
            var columns = [[Double]](repeating: [], count: paths.count)
            var keys: [String] = []
            var rows = 0
            while true {
                let read: Bool? = try cursor.withNextRaw { raw in
                    for (j, path) in paths.enumerated() {
                        columns[j].append(path.number(in: raw))
                    }
                    if let keyPath { keys.append(keyPath.text(in: raw)) }
                    return true
                }
                guard read != nil else { break }
                rows += 1
            }
            var values: [Double] = []
            values.reserveCapacity(rows * paths.count)
            for column in columns { values.append(contentsOf: column) }
            return NumericTable(columnNames: fields, rowCount: rows, values: values, keys: keys)
        }
    }
}

/// A dotted field path pre-split into UTF-8 components, looked up directly in BSON bytes.
struct RawFieldPath: Sendable {
    let components: [[UInt8]]

    init(_ path: String) {
        components = path.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
    }

    /// The value at this path as a Double; NaN when missing or not numeric.
    func number(in document: UnsafeRawBufferPointer) -> Double {
        guard let (tag, offset) = locate(in: document) else { return .nan }
        switch BSONType(rawValue: tag) {
        case .double: return Double(bitPattern: UInt64(littleEndian: document.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        case .int32: return Double(Int32(littleEndian: document.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
        case .int64, .datetime: return Double(Int64(littleEndian: document.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
        case .bool: return document[offset] == 0 ? 0 : 1
        case .decimal128:
            let low = UInt64(littleEndian: document.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let high = UInt64(littleEndian: document.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            return Double(Decimal128(low: low, high: high).description) ?? .nan
        default: return .nan
        }
    }

    /// The value at this path as text (strings as they are, numbers printed, ObjectIds in hex); "" when missing.
    func text(in document: UnsafeRawBufferPointer) -> String {
        guard let (tag, offset) = locate(in: document) else { return "" }
        switch BSONType(rawValue: tag) {
        case .string:
            let length = Int(Int32(littleEndian: document.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
            guard length >= 1, offset + 4 + length <= document.count else { return "" }
            return String(decoding: UnsafeRawBufferPointer(rebasing: document[offset + 4..<offset + 3 + length]), as: UTF8.self)
        case .objectId:
            return ObjectId(bytes: Array(document[offset..<offset + 12]))?.description ?? ""
        case .int32, .int64, .double:
            let value = number(in: document)
            return value.rounded() == value && abs(value) < 1e18 ? String(Int64(value)) : String(value)
        default:
            return ""
        }
    }

    /// Finds the element at this path: its type tag and the offset of its value. Bounds-checked throughout.
    private func locate(in document: UnsafeRawBufferPointer) -> (UInt8, Int)? {
        var start = 0
        var end = document.count
        for (depth, component) in components.enumerated() {
            guard let (tag, offset) = Self.element(named: component, in: document, from: start, to: end) else { return nil }
            if depth == components.count - 1 { return (tag, offset) }
            guard tag == BSONType.document.rawValue || tag == BSONType.array.rawValue,
                let size = Self.valueSize(tag: tag, in: document, at: offset)
            else { return nil }
            start = offset
            end = offset + size
        }
        return nil
    }

    /// Scans one embedded document (bytes `start..<end`) for a key.
    private static func element(named key: [UInt8], in document: UnsafeRawBufferPointer, from start: Int, to end: Int) -> (UInt8, Int)? {
        var position = start + 4
        while position < end - 1 {
            let tag = document[position]
            let keyStart = position + 1
            guard let keyEnd = document[keyStart..<end].firstIndex(of: 0) else { return nil }
            let valueOffset = keyEnd + 1
            if keyEnd - keyStart == key.count && document[keyStart..<keyEnd].elementsEqual(key) {
                return (tag, valueOffset)
            }
            guard let size = valueSize(tag: tag, in: document, at: valueOffset), valueOffset + size <= end else { return nil }
            position = valueOffset + size
        }
        return nil
    }

    /// Bytes taken by a value of type `tag` starting at `offset`, or nil when it runs past the buffer.
    private static func valueSize(tag: UInt8, in document: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        func int32(at position: Int) -> Int? {
            guard position + 4 <= document.count else { return nil }
            return Int(Int32(littleEndian: document.loadUnaligned(fromByteOffset: position, as: Int32.self)))
        }
        func cString(at position: Int) -> Int? {
            guard position < document.count, let end = document[position...].firstIndex(of: 0) else { return nil }
            return end - position + 1
        }
        let size: Int?
        switch BSONType(rawValue: tag) {
        case .double, .datetime, .int64, .timestamp: size = 8
        case .int32: size = 4
        case .bool: size = 1
        case .null, .undefined, .minKey, .maxKey: size = 0
        case .objectId: size = 12
        case .decimal128: size = 16
        case .string, .javascript, .symbol: size = int32(at: offset).map { 4 + $0 }
        case .document, .array, .javascriptWithScope: size = int32(at: offset)
        case .binary: size = int32(at: offset).map { 5 + $0 }
        case .regex: size = cString(at: offset).flatMap { p in cString(at: offset + p).map { p + $0 } }
        case .dbPointer: size = int32(at: offset).map { 4 + $0 + 12 }
        case nil: size = nil
        }
        guard let size, size >= 0, offset + size <= document.count else { return nil }
        return size
    }
}
