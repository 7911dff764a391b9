import NIOCore

/// Writes JSON text for the prediction answers: no intermediate dictionaries or encoder. The
/// caller writes well-formed structure (`{`, keys, `,`); strings are escaped and numbers written in
/// Swift's shortest round-trip form, non-finite ones as `null`.
///
/// The text is gathered in a byte array and handed over as one `ByteBuffer` at the end: every
/// small write straight into a `ByteBuffer` paid for its capacity, uniqueness and exclusivity
/// checks, a third of the time of writing a 64-row answer.
struct JSONWriter: TextOutputStream {
    /// The text written so far, as UTF-8.
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// The text written, as a response body.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func byte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// `"key":`
    mutating func key(_ name: String) {
        string(name)
        byte(UInt8(ascii: ":"))
    }

    mutating func string(_ text: String) {
        byte(UInt8(ascii: "\""))
        for unit in text.utf8 {
            switch unit {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case ..<0x20: write("\\u00" + String(unit, radix: 16).leftPadded(to: 2))
            default: byte(unit)
            }
        }
        byte(UInt8(ascii: "\""))
    }

    /// A number; whole numbers below 2^53 without a fraction (`1`, not `1.0`).
    mutating func number(_ value: Double) {
        if !value.isFinite {
            raw("null")
        } else if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            write(String(Int64(value)))
        } else {
            value.write(to: &self)  // shortest round-trip digits, straight into the buffer
        }
    }

    /// `TextOutputStream`: how `Double.write(to:)` hands over its digits.
    mutating func write(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    /// The standard library writes a number's ASCII digits through this hook without making a `String`.
    mutating func _writeASCII(_ ascii: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: ascii)
    }

    mutating func number(_ value: Int) {
        write(String(value))
    }

    mutating func optionalNumber(_ value: Double?) {
        if let value { number(value) } else { raw("null") }
    }

    /// A number's JSON text, as ``number(_:)-(Double)`` writes it (a key that names a number).
    static func text(of value: Double) -> String {
        var writer = JSONWriter(capacity: 24)
        writer.number(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// `{"name": value, …}`, the names and values paired in order.
    mutating func numberObject(_ names: [String], values: [Double]) {
        byte(UInt8(ascii: "{"))
        for (i, (name, value)) in zip(names, values).enumerated() {
            if i > 0 { byte(UInt8(ascii: ",")) }
            key(name)
            number(value)
        }
        byte(UInt8(ascii: "}"))
    }

    /// `{"name": number, …}` in the given order.
    mutating func numberObject(_ names: [String], _ value: (String) -> Double?) {
        byte(UInt8(ascii: "{"))
        for (i, name) in names.enumerated() {
            if i > 0 { byte(UInt8(ascii: ",")) }
            key(name)
            optionalNumber(value(name))
        }
        byte(UInt8(ascii: "}"))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
