import Foundation

/// How EngageML writes JSON, decided in one place. Both forms sort keys (the same value gives the
/// same bytes) and write non-finite numbers as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`
/// (JSON has no literal for them).
///
/// - ``encoder()``: compact, dates as Foundation's default (seconds since 2001). Model artifacts
///   are written so; the registry records the SHA-256 of exactly these bytes.
/// - ``readableEncoder()``: indented, dates in ISO 8601, slashes unescaped: files and output that
///   people read (metadata, reports, `--json`, benchmark results).
public enum JSONCoding {
    /// The compact, canonical form.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = nonFinite
        return encoder
    }

    /// The indented form for people.
    public static func readableEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = nonFinite
        return encoder
    }

    private static let nonFinite = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
}
