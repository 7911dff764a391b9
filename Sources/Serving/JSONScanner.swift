import Foundation

/// A forward-only reader of JSON text straight from the request bytes, for the hot prediction
/// path: no intermediate objects, no allocation for keys that are plain ASCII, numbers read in
/// place. It checks the grammar of what it reads; anything else is a ``JSONScanner/Failure`` with
/// the byte offset.
struct JSONScanner: ~Copyable {
    struct Failure: Error {
        var offset: Int
        var expected: String
    }

    /// A string as read: its bytes in place (no escapes) or decoded.
    struct Text {
        let raw: UnsafeRawBufferPointer?
        let decoded: String?

        var text: String { decoded ?? raw.map { String(decoding: $0, as: UTF8.self) } ?? "" }
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var atEnd: Bool {
        mutating get {
            skipWhitespace()
            return offset == bytes.count
        }
    }

    /// The next significant byte, without consuming it (0 at the end).
    @inline(__always)
    mutating func peek() -> UInt8 {
        skipWhitespace()
        return offset < bytes.count ? bytes[offset] : 0
    }

    /// Consumes `byte` if it comes next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        offset += 1
        return true
    }

    /// Consumes `byte`, or fails naming `what` was expected (built only then).
    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws(Failure) {
        guard consume(byte) else { throw Failure(offset: offset, expected: what()) }
    }

    /// Consumes `expected` if the next significant bytes are exactly it.
    @inline(__always)
    mutating func consume(bytes expected: UnsafeRawBufferPointer) -> Bool {
        skipWhitespace()
        guard expected.count <= bytes.count - offset,
            memcmp(bytes.baseAddress! + offset, expected.baseAddress!, expected.count) == 0
        else { return false }
        offset += expected.count
        return true
    }

    /// After a member or an element: `,` (true, another follows) or the closing byte (false).
    @inline(__always)
    mutating func more(closing: UInt8) throws(Failure) -> Bool {
        if consume(UInt8(ascii: ",")) { return true }
        try expect(closing, "',' or '\(Character(UnicodeScalar(closing)))'")
        return false
    }

    /// A string: its bytes between the quotes, read in place when it has no escapes (`raw`), else
    /// decoded (`decoded`). The raw bytes stay valid as long as the scanned buffer.
    @inline(__always)
    mutating func string() throws(Failure) -> Text {
        try expect(UInt8(ascii: "\""), "a string")
        let start = offset
        var escaped = false
        // Eight bytes at a time up to the first quote, backslash or control byte; the byte loop
        // below takes it from there. (Each test flags its lowest matching byte exactly.)
        while offset + 8 <= bytes.count {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let found =
                Self.bytes(below: 1, in: word ^ 0x2222_2222_2222_2222) | Self.bytes(below: 1, in: word ^ 0x5C5C_5C5C_5C5C_5C5C)
                | Self.bytes(below: 0x20, in: word)
            if found != 0 {
                offset += found.trailingZeroBitCount / 8
                break
            }
            offset += 8
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                guard escaped else { return Text(raw: raw, decoded: nil) }
                guard let decoded = Self.unescaped(raw) else { throw Failure(offset: start, expected: "a valid string escape") }
                return Text(raw: nil, decoded: decoded)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                offset += 1
            } else if byte < 0x20 {
                throw Failure(offset: offset, expected: "no control character inside a string")
            }
            offset += 1
        }
        throw Failure(offset: start, expected: "the end of the string")
    }

    /// A JSON number, or nil (nothing consumed) when the next value is not one. Numbers with at
    /// most 15 significant digits and a small exponent are exact in one IEEE operation (Clinger's
    /// fast path); the rest go through `strtod`.
    @inline(__always)
    mutating func number() throws(Failure) -> Double? {
        let first = peek()
        guard first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return nil }
        let start = offset
        var negative = false
        if bytes[offset] == UInt8(ascii: "-") {
            negative = true
            offset += 1
        }
        var mantissa: UInt64 = 0
        let integerStart = offset
        let integer = digitRun(into: &mantissa)
        var exponent = integer.count - integer.kept
        guard integer.count > 0, bytes[integerStart] != UInt8(ascii: "0") || integer.count == 1 else {
            throw Failure(offset: start, expected: "a number")
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            let fraction = digitRun(into: &mantissa)
            guard fraction.count > 0 else { throw Failure(offset: start, expected: "digits after the decimal point") }
            exponent -= fraction.kept
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            var exponentSign = 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                if bytes[offset] == UInt8(ascii: "-") { exponentSign = -1 }
                offset += 1
            }
            var written = 0
            let exponentStart = offset
            while offset < bytes.count, case let digit = bytes[offset] &- UInt8(ascii: "0"), digit <= 9 {
                written = min(written * 10 + Int(digit), 100_000)
                offset += 1
            }
            guard offset > exponentStart else { throw Failure(offset: start, expected: "digits in the exponent") }
            exponent += exponentSign * written
        }
        // At most 15 significant digits, all kept (a dropped digit means the mantissa reached 10¹⁸).
        if mantissa < 1_000_000_000_000_000, (-22...22).contains(exponent) {
            let value = Double(mantissa)
            let magnitude = exponent < 0 ? value / Self.powersOfTen[-exponent] : value * Self.powersOfTen[exponent]
            return negative ? -magnitude : magnitude
        }
        return Self.strtod(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
    }

    /// Reads a run of decimal digits into `mantissa` (`mantissa × 10 + digit` for each), keeping
    /// digits while the mantissa has fewer than 19 significant ones; returns how many digits the run
    /// had and how many were kept. Eight bytes at a time when they are in the buffer: one load finds
    /// how many of them are digits and one multiply-shift sequence converts those (the SWAR method
    /// of simdjson's `parse_eight_digits_unrolled`), with no branch per digit.
    @inline(__always)
    private mutating func digitRun(into mantissa: inout UInt64) -> (count: Int, kept: Int) {
        var count = 0
        var kept = 0
        while offset + 8 <= bytes.count {
            // Each byte XOR '0': a digit becomes 0...9; the high bit of (b & 0x7F) + 0x76 or b is
            // set exactly when b ≥ 10, and the addition cannot carry out of its byte.
            let digits = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) ^ 0x3030_3030_3030_3030
            let others = (((digits & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | digits) & 0x8080_8080_8080_8080
            let run = others == 0 ? 8 : others.trailingZeroBitCount / 8
            guard run > 0 else { return (count, kept) }
            // Every digit of the run is kept only if the mantissa stays under 10¹⁹; else digit by digit.
            guard mantissa < Self.keepLimits[run] else { break }
            // The run's bytes moved to the top: the first digit is the most significant, the
            // vacated low bytes are leading zeros.
            var value = digits << (64 - 8 * UInt64(run))
            value = (value &* 10 &+ (value >> 8)) & 0x00FF_00FF_00FF_00FF
            value = (value &* (100 << 16 + 1)) >> 16 & 0x0000_FFFF_0000_FFFF
            value = (value &* (10_000 << 32 + 1)) >> 32
            mantissa = mantissa &* Self.integerPowersOfTen[run] &+ value
            count += run
            kept += run
            offset += run
            if run < 8 { return (count, kept) }
        }
        while offset < bytes.count, case let digit = bytes[offset] &- UInt8(ascii: "0"), digit <= 9 {
            if mantissa < 1_000_000_000_000_000_000 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                kept += 1
            }
            count += 1
            offset += 1
        }
        return (count, kept)
    }

    /// The high bit of each byte of `word` whose value is below `limit` (1...128): exact for the
    /// lowest such byte; a borrow can also flag bytes above it.
    @inline(__always)
    private static func bytes(below limit: UInt64, in word: UInt64) -> UInt64 {
        (word &- limit &* 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// `10ⁿ` as integers, n = 0...8.
    private static let integerPowersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]
    /// A mantissa below `keepLimits[n]` keeps all of `n` more digits under the 19-digit cap (`10¹⁹⁻ⁿ`).
    private static let keepLimits: [UInt64] = [
        10_000_000_000_000_000_000, 1_000_000_000_000_000_000, 100_000_000_000_000_000, 10_000_000_000_000_000,
        1_000_000_000_000_000, 100_000_000_000_000, 10_000_000_000_000, 1_000_000_000_000, 100_000_000_000,
    ]

    /// `true`, `false` or `null` (as nil), or `.none` with nothing consumed.
    mutating func literal() -> Bool?? {
        for (word, value) in Self.literals {
            if offset + word.count <= bytes.count, zip(word, bytes[offset...]).allSatisfy({ $0 == $1 }) {
                offset += word.count
                return .some(value)
            }
        }
        return .none
    }

    private static let literals: [(word: [UInt8], value: Bool?)] = [
        (Array("true".utf8), true), (Array("false".utf8), false), (Array("null".utf8), nil),
    ]

    /// Skips one value of any kind, checking its grammar.
    mutating func skipValue(depth: Int = 0) throws(Failure) {
        guard depth < 64 else { throw Failure(offset: offset, expected: "less nesting") }
        switch peek() {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"):
            offset += 1
            if consume(UInt8(ascii: "}")) { return }
            repeat {
                _ = try string()
                try expect(UInt8(ascii: ":"), "':'")
                try skipValue(depth: depth + 1)
            } while try more(closing: UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            offset += 1
            if consume(UInt8(ascii: "]")) { return }
            repeat { try skipValue(depth: depth + 1) } while try more(closing: UInt8(ascii: "]"))
        default:
            if try number() != nil { return }
            guard case .some = literal() else { throw Failure(offset: offset, expected: "a JSON value") }
        }
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// Exact powers of ten (every one up to 1e22 is a double).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    private static func strtod(_ text: UnsafeRawBufferPointer) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            for (i, byte) in text.enumerated() { buffer[i] = CChar(bitPattern: byte) }
            buffer[text.count] = 0
            return Foundation.strtod(buffer.baseAddress!, nil)
        }
    }

    private static func unescaped(_ raw: UnsafeRawBufferPointer) -> String? {
        let quoted = [UInt8(ascii: "\"")] + Array(raw) + [UInt8(ascii: "\"")]
        return (try? JSONSerialization.jsonObject(with: Data(quoted), options: .fragmentsAllowed)) as? String
    }
}
