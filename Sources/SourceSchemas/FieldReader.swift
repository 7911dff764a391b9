import Foundation
import BSON

/// Typed, validated access to a raw document's fields; every failure is a ``RecordError`` naming
/// the dotted field. Numbers may arrive as numbers or as numeric text (`"12,345"` too); counts must
/// be whole and ≥ 0; dates may be epoch seconds or milliseconds, ISO 8601 or `YYYY-MM-DD`.
public struct FieldReader {
    /// The document read.
    public let document: Document

    /// A reader of `document`'s fields.
    public init(document: Document) {
        self.document = document
    }

    /// Markers that mean "no value" in real exports.
    public static let missingMarkers: Set<String> = ["", "na", "n/a", "#n/a", "nan", "null", "none", "-"]

    /// Whether `text` is a missing marker, ignoring case and surrounding spaces. Most values are
    /// longer than any marker and not padded: those are answered without trimming or lowercasing.
    static func isMissingMarker(_ text: String) -> Bool {
        let trimmed = trimmed(text)
        return trimmed.utf8.count <= 4 && missingMarkers.contains(trimmed.lowercased())
    }

    /// `text` without surrounding spaces; most values have none, and are returned as they are
    /// (Foundation's trimming costs a copy through NSString).
    public static func trimmed(_ text: String) -> String {
        let padded =
            text.unicodeScalars.first.map(CharacterSet.whitespaces.contains) == true
            || text.unicodeScalars.last.map(CharacterSet.whitespaces.contains) == true
        return padded ? text.trimmingCharacters(in: .whitespaces) : text
    }

    /// The value at dotted `path`; nil when absent, null or a missing marker (`NA`, `-`, …).
    public func value(_ path: String) -> BSONValue? {
        guard let value = document[path: path] else { return nil }
        if case .null = value { return nil }
        if case .string(let text) = value, Self.isMissingMarker(text) { return nil }
        return value
    }

    /// The text at `path` (numbers as their digits); nil when absent.
    public func string(_ path: String) throws(RecordError) -> String? {
        guard let value = value(path) else { return nil }
        switch value {
        case .string(let text): return text
        case .int32, .int64, .double, .decimal128: return value.doubleValue.map { $0 == $0.rounded() ? String(Int64($0)) : String($0) }
        default: throw RecordError(field: path, reason: "expected text, found \(value.typeName)")
        }
    }

    /// The text at `path`, which must be present and not empty.
    public func requiredString(_ path: String) throws(RecordError) -> String {
        guard let text = try string(path), !text.isEmpty else { throw RecordError(field: path, reason: "required, missing") }
        return text
    }

    /// The finite number at `path` (text like `1,234` or `1.2K` too); nil when absent.
    public func number(_ path: String) throws(RecordError) -> Double? {
        guard let value = value(path) else { return nil }
        switch value {
        case .int32, .int64, .double, .decimal128:
            guard let number = value.doubleValue, number.isFinite else { throw RecordError(field: path, reason: "not a finite number") }
            return number
        case .bool(let flag): return flag ? 1 : 0
        case .string(let text):
            guard let number = Self.parseNumber(text) else {
                throw RecordError(field: path, reason: "expected a number, found \"\(text.prefix(40))\"")
            }
            return number
        default: throw RecordError(field: path, reason: "expected a number, found \(value.typeName)")
        }
    }

    /// A whole count ≥ 0 (views, likes, budget), or nil when absent.
    public func count(_ path: String) throws(RecordError) -> Int64? {
        guard let number = try number(path) else { return nil }
        guard number >= 0 else { throw RecordError(field: path, reason: "negative count \(Self.format(number))") }
        guard number < 9.2e18 else { throw RecordError(field: path, reason: "count \(Self.format(number)) is out of range") }
        return Int64(number.rounded())
    }

    /// The boolean at `path` (`true`, `yes`, `1`, …); nil when absent.
    public func bool(_ path: String) throws(RecordError) -> Bool? {
        guard let value = value(path) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .int32, .int64, .double: return (value.doubleValue ?? 0) != 0
        case .string(let text):
            switch text.lowercased() {
            case "true", "yes", "1", "t", "y": return true
            case "false", "no", "0", "f", "n": return false
            default: throw RecordError(field: path, reason: "expected true or false, found \"\(text.prefix(20))\"")
            }
        default: throw RecordError(field: path, reason: "expected true or false, found \(value.typeName)")
        }
    }

    /// A date, checked to be plausible (1870 to one year from now).
    public func date(_ path: String) throws(RecordError) -> Date? {
        guard let value = value(path) else { return nil }
        let date: Date?
        switch value {
        case .datetime(let ms): date = ms.date
        case .int32, .int64, .double: date = value.doubleValue.map(Self.dateFromEpoch)
        case .string(let text): date = Self.parseDate(text)
        default: date = nil
        }
        guard let date else { throw RecordError(field: path, reason: "not a date: \(Self.describe(value))") }
        guard date >= Self.earliest, date <= Date().addingTimeInterval(366 * 86_400) else {
            throw RecordError(field: path, reason: "implausible date \(ISO8601DateFormatter().string(from: date))")
        }
        return date
    }

    static let earliest = Date(timeIntervalSince1970: -3_155_760_000)  // 1870-01-01

    static func dateFromEpoch(_ number: Double) -> Date {
        // Milliseconds when the number is too large to be seconds before year 5000.
        Date(timeIntervalSince1970: abs(number) > 1e11 ? number / 1000 : number)
    }

    static func parseDate(_ text: String) -> Date? {
        let trimmed = trimmed(text)
        if let date = DateText.parse(trimmed) { return date }
        if let number = Double(trimmed) { return dateFromEpoch(number) }
        for formatter in dateFormatters { if let date = formatter.date(from: trimmed) { return date } }
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: trimmed) { return date }
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return iso.date(from: trimmed)
    }

    private static let dateFormatters: [DateFormatter] = [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy/MM/dd", "MM/dd/yyyy", "dd.MM.yyyy",
        "MM/dd/yyyy HH:mm", "dd MMM yyyy", "MMM d, yyyy", "yyyy-MM-dd HH:mm:ssZ",
    ].map { format in
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter
    }

    /// Numbers as exports write them: `1,234`, ` 12 `, `1.2K`, `3.4M`.
    public static func parseNumber(_ text: String) -> Double? {
        var trimmed = trimmed(text).replacingOccurrences(of: ",", with: "")
        var scale = 1.0
        if let last = trimmed.last?.uppercased(), ["K", "M", "B"].contains(last) {
            scale = last == "K" ? 1e3 : last == "M" ? 1e6 : 1e9
            trimmed.removeLast()
        }
        guard let value = Double(trimmed), value.isFinite else { return nil }
        return value * scale
    }

    /// The list a cell of JSON text holds (`[{"id": 28, "name": "Action"}]`), as exports write
    /// API lists; an empty cell is an empty list, and anything but one JSON list is refused.
    public static func jsonList(_ text: String, field: String) throws(RecordError) -> [BSONValue] {
        let trimmed = trimmed(text)
        if trimmed.isEmpty { return [] }
        let value: BSONValue
        do {
            value = try BSONValue(json: trimmed)
        } catch {
            throw RecordError(field: field, reason: "not one valid JSON list (\(error)): \"\(trimmed.prefix(60))\"")
        }
        guard case .array(let list) = value else {
            throw RecordError(field: field, reason: "expected a JSON list, found \(value.typeName): \"\(trimmed.prefix(60))\"")
        }
        return list
    }

    static func format(_ number: Double) -> String { number == number.rounded() ? String(Int64(number)) : String(number) }

    /// A value as an error message shows it: text quoted (cut at 40 characters), numbers as they are,
    /// anything else by type.
    public static func describe(_ value: BSONValue) -> String {
        switch value {
        case .string(let text): "\"\(text.prefix(40))\""
        case .int32(let number): "\(number)"
        case .int64(let number): "\(number)"
        case .double(let number): "\(number)"
        default: value.typeName
        }
    }
}
