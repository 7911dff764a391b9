import Foundation

/// Where a record sits in its source: the n-th record, its first line and byte offset, and the
/// key it had in an object-keyed file.
public struct RecordPosition: Sendable, Equatable, Codable, CustomStringConvertible {
    /// 0-based record number in the file.
    public var index: Int
    /// 1-based line the record starts on.
    public var line: Int
    /// Byte offset of the record's first byte.
    public var offset: Int
    /// The record's key in an object-keyed file (`{"19995": {...}}`), if any.
    public var key: String?

    /// A position with every field given.
    public init(index: Int, line: Int, offset: Int, key: String? = nil) {
        self.index = index
        self.line = line
        self.offset = offset
        self.key = key
    }

    /// `record N, line L` (and the key, when the record had one).
    public var description: String {
        "record \(index + 1) (line \(line), byte \(offset)\(key.map { ", key \($0)" } ?? ""))"
    }
}

/// One record's text as read, before parsing.
public struct RawRecord: Sendable {
    /// Where the record is in the file.
    public var position: RecordPosition
    /// The record's JSON text.
    public var text: String
    /// The file ended inside this record.
    public var truncated: Bool
}

/// Streams the records of a JSON file in constant memory, whatever its layout:
///
/// - a top-level array of records: `[{…}, {…}]`;
/// - JSON Lines (one record per line) or any sequence of top-level objects;
/// - a wrapper object whose records sit in an array under `itemList`, `results`, `items`, `data`,
///   `movies` or `collector` (TikTok-Api pages, TMDB `/movie/popular` pages, tiktok-scraper's
///   `{"headers": {…}, "collector": […]}`); other keys are page metadata, and an object under
///   `headers` before the records leaves the layout open;
/// - an object keyed by id (`{"19995": {…}, "0": {…}}`), each value a record;
/// - a single record object.
///
/// Records are cut at the byte level (strings and escapes respected) and handed over as text, so
/// one record's parse error never affects its neighbours. A file that ends inside a record yields
/// that record marked ``RawRecord/truncated``. The stream owns its open file and closes it when released.
public final class JSONRecordStream {
    /// Keys whose array value holds the records of a wrapper object.
    public static let wrapperKeys: Set<String> = ["itemList", "results", "items", "data", "movies", "collector"]
    /// Keys whose object value is a wrapper's metadata (request headers), not a sign of a single record.
    public static let metadataKeys: Set<String> = ["headers"]

    /// The key whose array held the records, once the file turned out to be a wrapper object.
    public var wrapperKey: String? { scanner.wrapperKey }

    /// The file read.
    public let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var scanner = JSONRecordScanner()
    private var pending: [RawRecord] = []
    private var nextPending = 0
    private var finished = false
    private var chunk: [UInt8]

    /// Opens `path`; throws when it cannot be read.
    public init(path: String, chunkSize: Int = 1 << 20) throws {
        guard let file = fopen(path, "rb") else {
            throw CollectError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.file = file
        chunk = [UInt8](repeating: 0, count: chunkSize)
    }

    deinit { fclose(file) }

    /// The next record, or nil at the end of the file.
    public func next() throws -> RawRecord? {
        while nextPending == pending.count {
            if finished { return nil }
            pending.removeAll(keepingCapacity: true)
            nextPending = 0
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 {
                if ferror(file) != 0 { throw CollectError.unreadable(path: path, reason: "read failed") }
                finished = true
                if let record = scanner.finish() { pending.append(record) }
                continue
            }
            for byte in chunk[0..<count] {
                if let record = scanner.consume(byte) { pending.append(record) }
            }
        }
        defer { nextPending += 1 }
        return pending[nextPending]
    }
}

/// The byte-level state machine of ``JSONRecordStream``.
struct JSONRecordScanner {
    private enum ObjectMode { case undecided, single, wrapper, keyed }

    private var offset = 0
    private var line = 1
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var index = 0
    private var bom = 0

    // The record being captured.
    private var capture: [UInt8] = []
    private var capturing = false
    /// Depth at which the captured record closes (container records), or -1 for a scalar record.
    private var captureCloseDepth = 0
    private var scalarCapture = false
    private var captureStart = (line: 1, offset: 0)
    private var captureKey: String?

    // The top-level object, when the top level is an object.
    private var topIsObject = false
    private var topIsArray = false
    private var mode = ObjectMode.undecided
    /// The wrapper key of the last wrapper object seen.
    private(set) var wrapperKey: String?
    private var expectKey = false
    private var readingKey = false
    private var keyBytes: [UInt8] = []
    private var currentKey = ""
    /// The top-level object had a scalar value before its layout was decided.
    private var sawScalar = false
    /// Depth of the array whose elements are records (1 for a top-level array, 2 inside a wrapper).
    private var recordArrayDepth = -1

    mutating func consume(_ byte: UInt8) -> RawRecord? {
        defer {
            offset += 1
            if byte == UInt8(ascii: "\n") { line += 1 }
        }
        if offset < 3, bom == offset, byte == [0xEF, 0xBB, 0xBF][offset] {
            bom += 1
            return nil
        }
        if inString {
            if capturing { capture.append(byte) }
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                if readingKey {
                    readingKey = false
                    currentKey = String(decoding: keyBytes, as: UTF8.self)
                }
                return nil
            }
            if readingKey { keyBytes.append(byte) }
            return nil
        }
        let isSpace = byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
        if scalarCapture {
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || (depth == 0 && isSpace) {
                let record = emit()
                return handleStructural(byte) ?? record
            }
            if !isSpace { capture.append(byte) }
            return nil
        }
        if capturing { capture.append(byte) }
        if isSpace { return nil }
        return handleStructural(byte)
    }

    private mutating func handleStructural(_ byte: UInt8) -> RawRecord? {
        switch byte {
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            if capturing && !scalarCapture && depth == captureCloseDepth { return emit() }
            if depth == 0 { resetTop() }
            return nil
        case UInt8(ascii: ","):
            if depth == 1 && topIsObject { expectKey = true }
            return nil
        case UInt8(ascii: ":"):
            return nil
        case UInt8(ascii: "\""):
            inString = true
            if depth == 1 && topIsObject && expectKey {
                readingKey = true
                keyBytes.removeAll(keepingCapacity: true)
                expectKey = false
                return nil
            }
            valueStarts(byte)
            return nil
        default:
            valueStarts(byte)
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
                if byte == UInt8(ascii: "{") && depth == 1 && topIsObject { expectKey = true }
            }
            return nil
        }
    }

    /// A value (or a byte inside a bare value) starts at the current depth.
    private mutating func valueStarts(_ opening: UInt8) {
        if depth == 1 && topIsObject && mode == .undecided { decideTopObject(opening) }
        if !capturing { startValue(opening: opening) }
    }

    /// The values of a top-level object tell its layout: an array under a wrapper key means a page
    /// of records, an object under a numeric key an object keyed by id, and any other object or
    /// array a single record. Scalars (`"page": 1`) and a `headers` object leave it open; an
    /// object that closes still undecided is one record.
    private mutating func decideTopObject(_ opening: UInt8) {
        if opening == UInt8(ascii: "[") && Self.isWrapper(currentKey) {
            mode = .wrapper
            wrapperKey = currentKey
            recordArrayDepth = 2
        } else if opening == UInt8(ascii: "{") && JSONRecordStream.metadataKeys.contains(currentKey) {
            return  // tiktok-scraper's request headers: the records may follow
        } else if opening == UInt8(ascii: "{") && Self.isIdentifierKey(currentKey) && !sawScalar {
            mode = .keyed
        } else if opening == UInt8(ascii: "{") || opening == UInt8(ascii: "[") {
            mode = .single
            return
        } else {
            sawScalar = true
            return
        }
        capturing = false
        capture.removeAll(keepingCapacity: true)
    }

    /// A value starts while nothing is being captured: decide whether it is a record.
    private mutating func startValue(opening: UInt8) {
        let isContainer = opening == UInt8(ascii: "{") || opening == UInt8(ascii: "[")
        if depth == 0 {
            topIsObject = opening == UInt8(ascii: "{")
            topIsArray = opening == UInt8(ascii: "[")
            if topIsArray {
                recordArrayDepth = 1
            } else if topIsObject {
                mode = .undecided
                begin(opening: opening, closeDepth: 0, key: nil)  // tentatively the whole object
            } else {
                begin(opening: opening, closeDepth: -1, key: nil)  // a bare scalar line
            }
        } else if depth == recordArrayDepth {
            begin(opening: opening, closeDepth: isContainer ? depth : -1, key: nil)
        } else if depth == 1 && topIsObject && mode == .keyed {
            begin(opening: opening, closeDepth: isContainer ? depth : -1, key: currentKey)
        }
    }

    private static func isWrapper(_ key: String) -> Bool { JSONRecordStream.wrapperKeys.contains(key) }

    private static func isIdentifierKey(_ key: String) -> Bool { !key.isEmpty && key.allSatisfy(\.isNumber) }

    private mutating func begin(opening: UInt8, closeDepth: Int, key: String?) {
        capturing = true
        scalarCapture = closeDepth < 0
        captureCloseDepth = closeDepth
        capture.removeAll(keepingCapacity: true)
        capture.append(opening)
        captureStart = (line, offset)
        captureKey = key
    }

    private mutating func emit() -> RawRecord {
        let record = RawRecord(
            position: RecordPosition(index: index, line: captureStart.line, offset: captureStart.offset, key: captureKey),
            text: String(decoding: capture, as: UTF8.self), truncated: false)
        index += 1
        capturing = false
        scalarCapture = false
        capture.removeAll(keepingCapacity: true)
        if depth == 0 { resetTop() }
        return record
    }

    private mutating func resetTop() {
        topIsObject = false
        topIsArray = false
        mode = .undecided
        recordArrayDepth = -1
        expectKey = false
        sawScalar = false
    }

    /// At end of input: the record still open, marked truncated (or a finished bare scalar).
    mutating func finish() -> RawRecord? {
        guard capturing else { return nil }
        let truncated = !scalarCapture || inString
        var record = emit()
        record.truncated = truncated
        return record
    }
}
