import CMongoC

/// A BSON IEEE 754-2008 decimal128 value, kept bit-exact.
///
/// Text conversion uses libbson's, so `"0.10"` stays `0.10` (not `0.1`).
public struct Decimal128: Sendable, Hashable, CustomStringConvertible {
    /// The low 64 bits of the 128-bit encoding.
    public var low: UInt64
    /// The high 64 bits of the 128-bit encoding.
    public var high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// A decimal from its text form (`"12.50"`, `"-1E+3"`, `"NaN"`); nil when the text is not a number.
    public init?(_ text: String) {
        var value = bson_decimal128_t()
        guard bson_decimal128_from_string(text, &value) else { return nil }
        low = value.low
        high = value.high
    }

    public var description: String {
        var value = bson_decimal128_t(low: low, high: high)
        // BSON_DECIMAL128_STRING is 43 bytes including the terminator.
        var buffer = [CChar](repeating: 0, count: 43)
        bson_decimal128_to_string(&value, &buffer)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
