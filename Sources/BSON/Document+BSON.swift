import Foundation

/// BSON element type tags (bsonspec.org); `package`: the driver layer reads raw replies by them.
package enum BSONType: UInt8 {
    case double = 0x01, string = 0x02, document = 0x03, array = 0x04, binary = 0x05, undefined = 0x06
    case objectId = 0x07, bool = 0x08, datetime = 0x09, null = 0x0A, regex = 0x0B, dbPointer = 0x0C
    case javascript = 0x0D, symbol = 0x0E, javascriptWithScope = 0x0F, int32 = 0x10, timestamp = 0x11
    case int64 = 0x12, decimal128 = 0x13, minKey = 0xFF, maxKey = 0x7F
}

extension Document {
    /// The document encoded as BSON bytes.
    /// - Throws: ``BSONError/invalidKey(_:)`` when a key holds a NUL byte.
    public func bsonBytes() throws(BSONError) -> [UInt8] {
        var writer = BSONWriter()
        try writer.write(self)
        return writer.bytes
    }

    /// Decodes a document from BSON bytes, checking every length.
    public init(bsonBytes bytes: UnsafeRawBufferPointer) throws(BSONError) {
        var reader = BSONReader(bytes)
        self = try reader.readDocument()
    }

    /// Decodes a document from BSON bytes, checking every length.
    public init(bsonBytes bytes: [UInt8]) throws(BSONError) {
        let decoded = bytes.withUnsafeBytes { raw in Result { () throws(BSONError) in try Document(bsonBytes: raw) } }
        self = try decoded.get()
    }
}

/// Appends BSON to a growing byte buffer that it owns.
///
/// Bytes are stored straight into raw memory: each element reserves its fixed-size part once and
/// then writes without the per-append capacity and uniqueness checks of an `Array`. The writer is
/// `~Copyable`, so exactly one owner frees the buffer. `package`: the driver layer encodes with it
/// straight into the buffers it hands libmongoc.
package struct BSONWriter: ~Copyable {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    /// Bytes written so far.
    package private(set) var count = 0

    /// A writer whose buffer starts at `capacity` bytes.
    package init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = .allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// A copy of the bytes written.
    var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: base, count: count)) }

    /// Calls `body` with the bytes written, valid only during the call.
    package func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Writes `document`; with an `id`, writes `_id` first in place of the document's own
    /// (what a driver sends on insert) without copying the document.
    package mutating func write(_ document: Document, id: BSONValue? = nil) throws(BSONError) {
        let start = beginDocument()
        if let id { try withUnsafePointer(to: id) { (id) throws(BSONError) in try writeElement(key: "_id", value: id) } }
        try document.elements.withUnsafeBufferPointer { (elements) throws(BSONError) in
            // Values are read through pointers into the array: copying each element out of it
            // would retain and release every string, array and nested document it holds.
            for index in elements.indices {
                let element = elements.baseAddress! + index
                if id != nil && Document.isIdentifierKey(element.pointee.key) { continue }
                try writeElement(key: element.pointee.key, value: element.pointer(to: \.value)!)
            }
        }
        endDocument(start)
    }

    private mutating func write(array: [BSONValue]) throws(BSONError) {
        let start = beginDocument()
        try array.withUnsafeBufferPointer { (values) throws(BSONError) in
            for index in values.indices {
                let value = values.baseAddress! + index
                appendByte(Self.type(of: value.pointee).rawValue)
                appendDecimalKey(index)
                try writeValue(value)
            }
        }
        endDocument(start)
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let grown = max(needed, capacity * 2)
        let moved = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 8)
        moved.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = moved
        capacity = grown
    }

    @inline(__always)
    private mutating func appendByte(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        reserve(MemoryLayout<T>.size)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: T.self)
        count += MemoryLayout<T>.size
    }

    private mutating func append(_ raw: UnsafeRawBufferPointer) {
        reserve(raw.count)
        if let source = raw.baseAddress { (base + count).copyMemory(from: source, byteCount: raw.count) }
        count += raw.count
    }

    /// An array index as a BSON key ("0", "1", …), without making a String.
    private mutating func appendDecimalKey(_ index: Int) {
        reserve(21)
        var digits = 1
        var rest = index / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        rest = index
        for position in stride(from: count + digits - 1, through: count, by: -1) {
            base.storeBytes(of: UInt8(ascii: "0") + UInt8(rest % 10), toByteOffset: position, as: UInt8.self)
            rest /= 10
        }
        base.storeBytes(of: 0, toByteOffset: count + digits, as: UInt8.self)
        count += digits + 1
    }

    private mutating func beginDocument() -> Int {
        let start = count
        append(UInt32(0))
        return start
    }

    private mutating func endDocument(_ start: Int) {
        appendByte(0)
        base.storeBytes(of: UInt32(count - start).littleEndian, toByteOffset: start, as: UInt32.self)
    }

    private mutating func writeElement(key: String, value: UnsafePointer<BSONValue>) throws(BSONError) {
        appendByte(Self.type(of: value.pointee).rawValue)
        try writeCString(key, orThrow: .invalidKey(key))
        try writeValue(value)
    }

    private mutating func writeValue(_ value: UnsafePointer<BSONValue>) throws(BSONError) {
        switch value.pointee {
        case .double(let v): append(v.bitPattern)
        case .string(let s): writeString(s)
        case .document(let d): try write(d)
        case .array(let a): try write(array: a)
        case .binary(let b):
            append(UInt32(b.bytes.count))
            appendByte(b.subtype)
            b.bytes.withUnsafeBytes { append($0) }
        case .objectId(let oid): oid.withUnsafeBytes { append($0) }
        case .bool(let b): appendByte(b ? 1 : 0)
        case .datetime(let d): append(UInt64(bitPattern: d.millisecondsSinceEpoch))
        case .null, .minKey, .maxKey: break
        case .regex(let r):
            try writeCString(r.pattern, orThrow: .invalidKey("regex pattern \(r.pattern)"))
            try writeCString(String(r.options.sorted()), orThrow: .invalidKey("regex options"))
        case .int32(let v): append(UInt32(bitPattern: v))
        case .timestamp(let t):
            append(t.increment)
            append(t.seconds)
        case .int64(let v): append(UInt64(bitPattern: v))
        case .decimal128(let d):
            append(d.low)
            append(d.high)
        }
    }

    /// Calls `body` with a string's UTF-8 bytes: in place for native strings, else from a copy.
    @inline(__always)
    private static func withUTF8<Result>(_ s: String, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if let result = s.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(s.utf8).withUnsafeBytes(body)
    }

    private mutating func writeString(_ s: String) {
        Self.withUTF8(s) { utf8 in
            append(UInt32(utf8.count + 1))
            append(utf8)
        }
        appendByte(0)
    }

    private mutating func writeCString(_ s: String, orThrow error: BSONError) throws(BSONError) {
        let written = Self.withUTF8(s) { utf8 -> Bool in
            if Self.containsNUL(utf8) { return false }
            append(utf8)
            return true
        }
        guard written else { throw error }
        appendByte(0)
    }

    /// True when `bytes` holds a zero byte; short keys are checked in line, longer strings with `memchr`.
    @inline(__always)
    private static func containsNUL(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count > 16 else { return bytes.contains(0) }
        return memchr(bytes.baseAddress!, 0, bytes.count) != nil
    }

    private static func type(of value: BSONValue) -> BSONType {
        switch value {
        case .double: .double
        case .string: .string
        case .document: .document
        case .array: .array
        case .binary: .binary
        case .objectId: .objectId
        case .bool: .bool
        case .datetime: .datetime
        case .null: .null
        case .regex: .regex
        case .int32: .int32
        case .timestamp: .timestamp
        case .int64: .int64
        case .decimal128: .decimal128
        case .minKey: .minKey
        case .maxKey: .maxKey
        }
    }
}

/// Reads BSON from a byte buffer, validating as it goes.
struct BSONReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func readDocument() throws(BSONError) -> Document {
        Document(uniqueElements: try readElements { key, value in (key, value) })
    }

    private mutating func readArray() throws(BSONError) -> [BSONValue] {
        try readElements { _, value in value }
    }

    /// Reads one embedded document's elements, mapping each (key, value) pair.
    private mutating func readElements<T>(_ make: (String, BSONValue) -> T) throws(BSONError) -> [T] {
        let start = position
        let length = Int(try read(Int32.self))
        guard length >= 5, start + length <= bytes.count else {
            throw .malformed(offset: start, reason: "document length \(length) exceeds the \(bytes.count - start) bytes left")
        }
        let end = start + length
        var out: [T] = []
        // Counting the elements first (a walk over tags, keys and sizes) sizes the array exactly: an
        // estimate from the byte length over-reserves documents with nested ones several times over.
        out.reserveCapacity(elementCount(from: position, to: end))
        while true {
            guard position < end else { throw .malformed(offset: position, reason: "document has no terminating NUL") }
            let tag = bytes[position]
            position += 1
            if tag == 0 { break }
            let key = try readCString()
            out.append(make(key, try readValue(tag: tag, key: key)))
        }
        guard position == end else {
            throw .malformed(offset: start, reason: "document length \(length) disagrees with its content")
        }
        return out
    }

    /// How many elements lie between `start` and the document's `end`, walking tags, keys and
    /// value sizes without decoding. Malformed bytes stop the walk early: the decode that follows
    /// reports them.
    private func elementCount(from start: Int, to end: Int) -> Int {
        var count = 0
        var at = start
        while at < end, bytes[at] != 0 {
            guard let type = BSONType(rawValue: bytes[at]),
                let keyEnd = memchr(bytes.baseAddress! + at + 1, 0, end - at - 1)
            else { break }
            at = UnsafeRawPointer(keyEnd) - bytes.baseAddress! + 1
            let size: Int
            switch type {
            case .double, .datetime, .int64, .timestamp: size = 8
            case .int32: size = 4
            case .bool: size = 1
            case .objectId: size = 12
            case .decimal128: size = 16
            case .null, .minKey, .maxKey, .undefined: size = 0
            case .string, .javascript, .symbol, .binary:
                guard at + 4 <= end else { return count + 1 }
                let length = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
                size = 4 + length + (type == .binary ? 1 : 0)
            case .document, .array, .javascriptWithScope:
                guard at + 4 <= end else { return count + 1 }
                size = Int(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int32.self)))
            case .regex, .dbPointer:
                return count + 1
            }
            guard size >= 0 else { return count + 1 }
            count += 1
            at += size
        }
        return count
    }

    private mutating func readValue(tag: UInt8, key: String) throws(BSONError) -> BSONValue {
        guard let type = BSONType(rawValue: tag) else {
            throw .malformed(offset: position, reason: "unknown type 0x\(String(tag, radix: 16)) for field '\(key)'")
        }
        switch type {
        case .double: return .double(Double(bitPattern: try read(UInt64.self)))
        case .string: return .string(try readString())
        case .document: return .document(try readDocument())
        case .array: return .array(try readArray())
        case .binary:
            let count = Int(try read(Int32.self))
            let subtype = try read(UInt8.self)
            return .binary(BSONBinary(subtype: subtype, bytes: Array(try take(count))))
        case .objectId: return .objectId(ObjectId(raw: try take(12)))
        case .bool: return .bool(try read(UInt8.self) != 0)
        case .datetime: return .datetime(BSONDateTime(millisecondsSinceEpoch: try read(Int64.self)))
        case .null: return .null
        case .regex: return .regex(BSONRegex(pattern: try readCString(), options: try readCString()))
        case .int32: return .int32(try read(Int32.self))
        case .timestamp:
            let increment = try read(UInt32.self)
            return .timestamp(BSONTimestamp(seconds: try read(UInt32.self), increment: increment))
        case .int64: return .int64(try read(Int64.self))
        case .decimal128:
            let low = try read(UInt64.self)
            return .decimal128(Decimal128(low: low, high: try read(UInt64.self)))
        case .minKey: return .minKey
        case .maxKey: return .maxKey
        case .undefined, .dbPointer, .javascript, .symbol, .javascriptWithScope:
            throw .unsupportedType(tag, key: key)
        }
    }

    private mutating func take(_ count: Int) throws(BSONError) -> UnsafeRawBufferPointer {
        guard count >= 0, position + count <= bytes.count else {
            throw .malformed(offset: position, reason: "needs \(count) bytes, \(bytes.count - position) left")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    private mutating func read<T: FixedWidthInteger>(_: T.Type) throws(BSONError) -> T {
        let raw = try take(MemoryLayout<T>.size)
        return T(littleEndian: raw.loadUnaligned(as: T.self))
    }

    private mutating func readString() throws(BSONError) -> String {
        let count = Int(try read(Int32.self))
        guard count >= 1 else { throw .malformed(offset: position, reason: "string length \(count)") }
        let raw = try take(count)
        guard raw[count - 1] == 0 else { throw .malformed(offset: position, reason: "string is not NUL-terminated") }
        return String(decoding: raw.prefix(count - 1), as: UTF8.self)
    }

    private mutating func readCString() throws(BSONError) -> String {
        let start = position
        guard start < bytes.count, let found = memchr(bytes.baseAddress! + start, 0, bytes.count - start) else {
            throw .malformed(offset: start, reason: "key or C string is not NUL-terminated")
        }
        let end = UnsafeRawPointer(found) - bytes.baseAddress!
        position = end + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
