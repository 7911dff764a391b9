import Foundation

/// Streams the records of a CSV file (RFC 4180) in constant memory: quoted fields with embedded
/// delimiters, quotes (`""`) and newlines, CRLF or LF line ends, a UTF-8 byte-order mark, and a last
/// line with or without a final newline.
///
/// ```swift
/// try CSVReader(path: "videos.csv").forEachRecord { record in
///     print(record.line, record.string(at: 0), record.double(at: 3) ?? .nan)
/// }
/// ```
public struct CSVReader: Sendable {
    /// The file read.
    public let path: String
    /// The field separator (`,` by default; `;` and tab are common too).
    public let delimiter: UInt8
    /// Bytes read from the file at a time.
    public var chunkSize = 1 << 20

    /// A reader of the file at `path`; nothing is read until ``forEachRecord(_:)``.
    public init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.path = path
        self.delimiter = delimiter
    }

    /// Calls `body` with each record in file order; empty lines are skipped. Throws ``CSVError``
    /// for an unreadable file or an unterminated quote.
    public func forEachRecord(_ body: (CSVRecord) throws -> Void) throws {
        let stream = try CSVRecordStream(path: path, delimiter: delimiter, chunkSize: chunkSize)
        while let record = try stream.next() { try body(record) }
    }
}

/// The pull side of ``CSVReader``: `next()` returns records one at a time. The stream owns its
/// open file and closes it when released.
public final class CSVRecordStream {
    /// The file read.
    public let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var parser: CSVParser
    private var pending: [CSVRecord] = []
    private var nextPending = 0
    private var finished = false
    private var started = false
    private var chunk: [UInt8]

    /// Opens `path`; throws ``CSVError`` when it cannot be read.
    public init(path: String, delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = 1 << 20) throws {
        guard let file = fopen(path, "rb") else {
            throw CSVError(path: path, line: 0, reason: "cannot open the file (\(String(cString: strerror(errno))))")
        }
        self.path = path
        self.file = file
        parser = CSVParser(delimiter: delimiter)
        chunk = [UInt8](repeating: 0, count: max(chunkSize, 3))
    }

    deinit { fclose(file) }

    /// The next record, or nil at the end of the file.
    public func next() throws -> CSVRecord? {
        while nextPending == pending.count {
            if finished { return nil }
            pending.removeAll(keepingCapacity: true)
            nextPending = 0
            try fill()
        }
        defer { nextPending += 1 }
        return pending[nextPending]
    }

    private func fill() throws {
        var count: Int
        if !started {
            started = true
            // A UTF-8 byte-order mark is skipped; any other first bytes are data.
            count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 3, file) }
            if count == 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF {
                count = 0
                parser.offset = 3
                parser.record.offset = 3
            }
        } else {
            count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 {
                if ferror(file) != 0 { throw CSVError(path: path, line: parser.line, reason: "read failed") }
                finished = true
                if parser.insideQuotes {
                    throw CSVError(path: path, line: parser.record.line, reason: "a quoted field opened on this line is never closed")
                }
                try parser.finish { pending.append($0) }
                return
            }
        }
        try chunk.withUnsafeBufferPointer { bytes in
            try parser.feed(UnsafeBufferPointer(rebasing: bytes[0..<count])) { pending.append($0) }
        }
    }
}

/// One CSV record: its fields, already unquoted, and the line it starts on (1-based).
public struct CSVRecord: Sendable {
    /// The physical line the record starts on (1 for the first line of the file).
    public internal(set) var line = 1
    /// The byte offset in the file where the record's line starts (0 for the first line).
    public internal(set) var offset = 0
    var bytes: [UInt8] = []
    var ends: [Int] = []

    /// Number of fields.
    public var count: Int { ends.count }

    /// The field at `index` as text (invalid UTF-8 is repaired), or "" past the last field.
    public func string(at index: Int) -> String {
        guard index < ends.count else { return "" }
        let start = index == 0 ? 0 : ends[index - 1]
        return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
    }

    /// The index of the first field that is not valid UTF-8, and the byte offset of the first bad
    /// byte within it; nil when every field is valid.
    public func invalidUTF8() -> (field: Int, byte: Int)? {
        var start = 0
        for (index, end) in ends.enumerated() {
            defer { start = end }
            var iterator = bytes[start..<end].makeIterator()
            var decoder = UTF8()
            var offset = 0
            decoding: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): offset += UTF8.width(scalar)
                case .emptyInput: break decoding
                case .error: return (index, offset)
                }
            }
        }
        return nil
    }

    /// Every field as text.
    public var strings: [String] { (0..<count).map(string(at:)) }

    /// The field at `index` as a number when the whole field (spaces trimmed) is one, else nil.
    public func double(at index: Int) -> Double? {
        guard index < ends.count else { return nil }
        var start = index == 0 ? 0 : ends[index - 1]
        var end = ends[index]
        while start < end, bytes[start] == UInt8(ascii: " ") { start += 1 }
        while end > start, bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
        guard end > start, end - start < 64 else { return nil }
        return bytes.withUnsafeBufferPointer { all in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: end - start + 1) { text in
                for k in 0..<(end - start) { text[k] = CChar(bitPattern: all[start + k]) }
                text[end - start] = 0
                var stop: UnsafeMutablePointer<CChar>?
                let value = strtod(text.baseAddress!, &stop)
                guard let stop, stop == text.baseAddress! + (end - start) else { return nil }
                return value
            }
        }
    }
}

/// A CSV file that cannot be read, with the line where reading stopped.
public struct CSVError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// The line the problem is on (1-based).
    public let line: Int
    /// What is wrong.
    public let reason: String

    /// An error at `line` of `path`.
    public init(path: String, line: Int, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    /// `PATH:LINE: REASON`.
    public var description: String { "\(path):\(line): \(reason)" }
}

/// The byte-level state machine behind ``CSVReader``; records may span chunks.
struct CSVParser {
    let delimiter: UInt8
    var record = CSVRecord()
    /// The current physical line (1-based).
    var line = 1
    /// Bytes of the file consumed so far.
    var offset = 0
    var insideQuotes = false
    /// A quote just closed inside a quoted field: a second quote means a literal quote.
    var quotePending = false
    var fieldHasContent = false
    var fieldStart = 0

    init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (CSVRecord) throws -> Void) throws {
        let quote = UInt8(ascii: "\"")
        let newline = UInt8(ascii: "\n")
        let carriage = UInt8(ascii: "\r")
        for byte in bytes {
            offset += 1
            if insideQuotes {
                if byte == quote {
                    insideQuotes = false
                    quotePending = true
                } else {
                    if byte == newline { line += 1 }
                    record.bytes.append(byte)
                }
                continue
            }
            if byte == quote {
                if quotePending { record.bytes.append(quote) }
                insideQuotes = true
                quotePending = false
                fieldHasContent = true
                continue
            }
            quotePending = false
            if byte == delimiter {
                record.ends.append(record.bytes.count)
                fieldHasContent = false
            } else if byte == newline {
                try endRecord(body)
                line += 1
                record.line = line
                record.offset = offset
            } else if byte == carriage {
                continue
            } else {
                record.bytes.append(byte)
                fieldHasContent = true
            }
        }
    }

    mutating func finish(_ body: (CSVRecord) throws -> Void) throws {
        try endRecord(body)
    }

    private mutating func endRecord(_ body: (CSVRecord) throws -> Void) throws {
        let empty = record.ends.isEmpty && record.bytes.isEmpty && !fieldHasContent
        if !empty {
            record.ends.append(record.bytes.count)
            try body(record)
        }
        record.bytes.removeAll(keepingCapacity: true)
        record.ends.removeAll(keepingCapacity: true)
        fieldHasContent = false
        quotePending = false
    }
}
