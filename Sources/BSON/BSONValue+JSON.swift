/// Plain JSON (RFC 8259) read into BSON values, in pure Swift: for JSON that arrives inside a
/// field (an export's JSON column), where the driver's Extended JSON reader is out of reach.
/// Objects keep their key order; whole numbers become `int32` when they fit, else `int64`, else
/// `double`, as the driver's reader gives them, so a document reads the same either way.
/// `$`-keys are kept as keys: callers that store the value refuse them as they do elsewhere.
extension BSONValue {
    /// The one JSON value `text` holds (surrounding whitespace allowed, nothing after it).
    public init(json text: String) throws(BSONError) {
        var reader = PlainJSONReader(bytes: Array(text.utf8))
        self = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.offset == reader.bytes.count else { throw reader.failure("the end after one value") }
    }
}

/// A recursive-descent reader over UTF-8 bytes; nesting is limited, so hostile input fails
/// instead of exhausting the stack.
private struct PlainJSONReader {
    let bytes: [UInt8]
    var offset = 0
    static let maximumDepth = 200

    func failure(_ expected: String) -> BSONError {
        .invalidJSON("expected \(expected) at byte \(offset)")
    }

    mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    mutating func value(depth: Int) throws(BSONError) -> BSONValue {
        guard depth < Self.maximumDepth else { throw BSONError.invalidJSON("nested deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard offset < bytes.count else { throw failure("a value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"):
            offset += 1
            var document = Document()
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .document(document)
            }
            while true {
                skipWhitespace()
                let key = try string()
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "':'")
                document[key] = try value(depth: depth + 1)
                skipWhitespace()
                if try closes(UInt8(ascii: "}")) { return .document(document) }
            }
        case UInt8(ascii: "["):
            offset += 1
            var array: [BSONValue] = []
            skipWhitespace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(array)
            }
            while true {
                array.append(try value(depth: depth + 1))
                skipWhitespace()
                if try closes(UInt8(ascii: "]")) { return .array(array) }
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            return try number()
        }
    }

    /// After a member: true at `closing`, false after a comma.
    private mutating func closes(_ closing: UInt8) throws(BSONError) -> Bool {
        guard offset < bytes.count else { throw failure("',' or '\(Character(Unicode.Scalar(closing)))'") }
        if bytes[offset] == closing {
            offset += 1
            return true
        }
        try expect(UInt8(ascii: ","), "',' or '\(Character(Unicode.Scalar(closing)))'")
        return false
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(BSONError) {
        guard offset < bytes.count, bytes[offset] == byte else { throw failure(what) }
        offset += 1
    }

    private mutating func literal(_ word: String) throws(BSONError) {
        let expected = Array(word.utf8)
        guard bytes.count - offset >= expected.count, Array(bytes[offset..<offset + expected.count]) == expected else {
            throw failure("a value")
        }
        offset += expected.count
    }

    private mutating func number() throws(BSONError) -> BSONValue {
        let start = offset
        var whole = true
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let digitsStart = offset
        while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) { offset += 1 }
        guard offset > digitsStart else { throw failure("a value") }
        guard bytes[digitsStart] != UInt8(ascii: "0") || offset - digitsStart == 1 else { throw failure("no leading zero") }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            whole = false
            offset += 1
            let fraction = offset
            while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) { offset += 1 }
            guard offset > fraction else { throw failure("digits after '.'") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            whole = false
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            let exponent = offset
            while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) { offset += 1 }
            guard offset > exponent else { throw failure("digits in the exponent") }
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if whole, let integer = Int64(text) {
            return Int32(exactly: integer).map(BSONValue.int32) ?? .int64(integer)
        }
        guard let number = Double(text), number.isFinite else { throw BSONError.invalidJSON("number \(text) is out of range") }
        return .double(number)
    }

    private mutating func string() throws(BSONError) -> String {
        try expect(UInt8(ascii: "\""), "'\"'")
        var scalars = String.UnicodeScalarView()
        var run = offset
        func flush(_ end: Int) { scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars) }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                flush(offset)
                offset += 1
                return String(scalars)
            }
            guard byte >= 0x20 else { throw failure("no control character inside text") }
            guard byte == UInt8(ascii: "\\") else {
                offset += 1
                continue
            }
            flush(offset)
            offset += 1
            guard offset < bytes.count else { break }
            let escape = bytes[offset]
            offset += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escape))
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"),
                    bytes[offset + 1] == UInt8(ascii: "u")
                {
                    offset += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw failure("a low surrogate") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                // A lone surrogate is not a character: it reads as U+FFFD, as decoders do.
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: throw failure("an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t, \\u)")
            }
            run = offset
        }
        throw failure("'\"' closing the text")
    }

    private mutating func hex4() throws(BSONError) -> UInt32 {
        guard bytes.count - offset >= 4, bytes[offset..<offset + 4].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
            let code = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
        else { throw failure("four hex digits") }
        offset += 4
        return code
    }
}
