/// A BSON IEEE 754-2008 decimal128 value (binary integer decimal encoding), kept bit-exact.
///
/// Text conversion follows the BSON decimal128 specification, so `"0.10"` stays `0.10` (not
/// `0.1`) and `"-1E+3"` reads back as written; it gives the same text as libbson.
public struct Decimal128: Sendable, Hashable, CustomStringConvertible {
    /// The low 64 bits of the 128-bit encoding.
    public var low: UInt64
    /// The high 64 bits of the 128-bit encoding.
    public var high: UInt64

    /// A value from its two 64-bit halves.
    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    static let exponentBias = 6176
    static let exponentRange = -6176...6111
    static let maxCoefficient: UInt128 = 9_999_999_999_999_999_999_999_999_999_999_999  // 10^34 - 1
    private static let signBit: UInt64 = 1 << 63
    private static let infinityBits: UInt64 = 0x7800_0000_0000_0000
    private static let nanBits: UInt64 = 0x7C00_0000_0000_0000

    /// A decimal from its text form (`"12.50"`, `"-1E+3"`, `"NaN"`, `"-Infinity"`); nil when the
    /// text is not a number or has more significant digits, or a larger exponent, than decimal128
    /// holds exactly.
    public init?(_ text: String) {
        var utf8 = Substring(text).utf8[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        let rest = String(Substring(utf8)).lowercased()
        if rest == "inf" || rest == "infinity" {
            self.init(low: 0, high: Self.infinityBits | (negative ? Self.signBit : 0))
            return
        }
        if rest == "nan" {
            self.init(low: 0, high: Self.nanBits)
            return
        }
        var coefficient: UInt128 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        var sawPoint = false
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: ".") {
                guard !sawPoint else { return nil }
                sawPoint = true
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                sawDigit = true
                if coefficient > 0 || byte != UInt8(ascii: "0") { digits += 1 }
                guard digits <= 34 else { return nil }
                coefficient = coefficient * 10 + UInt128(byte - UInt8(ascii: "0"))
                if sawPoint { exponent -= 1 }
            } else {
                break
            }
            index = utf8.index(after: index)
        }
        guard sawDigit else { return nil }
        if index < utf8.endIndex {
            guard utf8[index] == UInt8(ascii: "e") || utf8[index] == UInt8(ascii: "E"),
                let written = Int(String(Substring(utf8[utf8.index(after: index)...]))),
                abs(written) < 100_000
            else { return nil }
            exponent += written
        }
        // Too large an exponent: move it into the coefficient while digits are free (clamping).
        while exponent > Self.exponentRange.upperBound, coefficient == 0 || coefficient * 10 <= Self.maxCoefficient {
            if coefficient != 0 { coefficient *= 10 }
            exponent -= 1
        }
        // Too small: drop trailing zeros (exactly), or give a zero the smallest exponent.
        while exponent < Self.exponentRange.lowerBound, coefficient % 10 == 0 {
            coefficient /= 10
            exponent += 1
            if coefficient == 0 { exponent = Self.exponentRange.lowerBound }
        }
        guard Self.exponentRange.contains(exponent) else { return nil }
        let biased = UInt128(exponent + Self.exponentBias)
        let bits = biased << 113 | coefficient
        self.init(low: UInt64(truncatingIfNeeded: bits), high: UInt64(truncatingIfNeeded: bits >> 64) | (negative ? Self.signBit : 0))
    }

    /// The text form the BSON specification gives (libbson's `bson_decimal128_to_string`).
    public var description: String {
        let sign = high & Self.signBit != 0 ? "-" : ""
        let combination = (high >> 58) & 0x1F
        if combination == 0x1F { return "NaN" }
        if combination == 0x1E { return sign + "Infinity" }
        let exponent: Int
        var coefficient: UInt128
        if (high >> 61) & 0b11 == 0b11 {
            // The "11" form holds coefficients of 2^113 and more: non-canonical, read as zero.
            exponent = Int((high >> 47) & 0x3FFF) - Self.exponentBias
            coefficient = 0
        } else {
            exponent = Int((high >> 49) & 0x3FFF) - Self.exponentBias
            coefficient = UInt128(high & 0x1_FFFF_FFFF_FFFF) << 64 | UInt128(low)
            if coefficient > Self.maxCoefficient { coefficient = 0 }
        }
        let digits = Array(String(coefficient).utf8)
        let scientificExponent = digits.count - 1 + exponent
        var text = sign
        if scientificExponent < -6 || exponent > 0 {
            text += String(decoding: digits.prefix(1), as: UTF8.self)
            if digits.count > 1 { text += "." + String(decoding: digits.dropFirst(), as: UTF8.self) }
            text += "E" + (scientificExponent >= 0 ? "+" : "") + String(scientificExponent)
        } else if exponent == 0 {
            text += String(decoding: digits, as: UTF8.self)
        } else {
            let radix = digits.count + exponent
            if radix > 0 {
                text +=
                    String(decoding: digits.prefix(radix), as: UTF8.self) + "." + String(decoding: digits.dropFirst(radix), as: UTF8.self)
            } else {
                text += "0." + String(repeating: "0", count: -radix) + String(decoding: digits, as: UTF8.self)
            }
        }
        return text
    }
}
