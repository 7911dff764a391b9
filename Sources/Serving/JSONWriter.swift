import NIOCore

/// Writes JSON text straight into a response buffer, for the prediction answers: no intermediate
/// dictionaries or encoder. The caller writes well-formed structure (`{`, keys, `,`); strings are
/// escaped and numbers written in Swift's shortest round-trip form, non-finite ones as `null`.
struct JSONWriter: TextOutputStream {
    private(set) var buffer: ByteBuffer

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func raw(_ text: StaticString) {
        buffer.writeStaticString(text)
    }

    /// `"key":`
    mutating func key(_ name: String) {
        string(name)
        buffer.writeInteger(UInt8(ascii: ":"))
    }

    mutating func string(_ text: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var plainStart = text.utf8.startIndex
        for index in text.utf8.indices {
            let byte = text.utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            buffer.writeString(String(text[plainStart..<index]))
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0x09: buffer.writeStaticString("\\t")
            default: buffer.writeString("\\u00" + String(byte, radix: 16).leftPadded(to: 2))
            }
            plainStart = text.utf8.index(after: index)
        }
        buffer.writeString(String(text[plainStart...]))
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// A number; whole numbers below 2^53 without a fraction (`1`, not `1.0`).
    mutating func number(_ value: Double) {
        if !value.isFinite {
            buffer.writeStaticString("null")
        } else if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            buffer.writeString(String(Int64(value)))
        } else {
            value.write(to: &self)  // shortest round-trip digits, straight into the buffer
        }
    }

    /// `TextOutputStream`: how `Double.write(to:)` hands over its digits.
    mutating func write(_ string: String) {
        buffer.writeString(string)
    }

    /// The standard library writes a number's ASCII digits through this hook without making a `String`.
    mutating func _writeASCII(_ ascii: UnsafeBufferPointer<UInt8>) {
        buffer.writeBytes(ascii)
    }

    mutating func number(_ value: Int) {
        buffer.writeString(String(value))
    }

    mutating func optionalNumber(_ value: Double?) {
        if let value { number(value) } else { buffer.writeStaticString("null") }
    }

    /// `{"name": number, …}` in the given order.
    mutating func numberObject(_ names: [String], _ value: (String) -> Double?) {
        buffer.writeInteger(UInt8(ascii: "{"))
        for (i, name) in names.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            key(name)
            optionalNumber(value(name))
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
