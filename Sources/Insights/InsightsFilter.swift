import Foundation
import MongoKit

/// The filters every dashboard page takes as query parameters: `platform`, `from` and `to`
/// (`YYYY-MM-DD`, publish day, inclusive), `category`, `country` and `creator`.
///
/// Values are data: each becomes an `$eq` on one column (never an operator), and
/// ``InsightsFilter/validated(against:)`` refuses a value that no video has, naming the parameter.
public struct InsightsFilter: Sendable, Equatable {
    /// Lower-case platform name, as stored in `insights_videos`.
    public var platform: String?
    /// First publish day included.
    public var from: Date?
    /// Last publish day included.
    public var to: Date?
    /// Category as stored.
    public var category: String?
    /// Country as stored.
    public var country: String?
    /// Creator (channel or username) as stored.
    public var creator: String?

    /// No filter: every video.
    public init() {}

    /// Reads the filter from query parameters; an empty value means "any". A date that is not
    /// `YYYY-MM-DD` is refused by name.
    public init(query: [String: String]) throws(InsightsError) {
        platform = Self.value(query, "platform")?.lowercased()
        category = Self.value(query, "category")
        country = Self.value(query, "country")
        creator = Self.value(query, "creator")
        (from, to) = try Self.days(query)
    }

    /// A query parameter's value, trimmed; nil when absent or empty ("any").
    static func value(_ query: [String: String], _ name: String) -> String? {
        guard let text = query[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// The `from` and `to` days of a query (YYYY-MM-DD, inclusive), refused by name when malformed
    /// or out of order: the video pages' publish days, the Movies page's release days.
    static func days(_ query: [String: String]) throws(InsightsError) -> (from: Date?, to: Date?) {
        let from = try value(query, "from").map { text throws(InsightsError) in try day(text, parameter: "from") }
        let to = try value(query, "to").map { text throws(InsightsError) in try day(text, parameter: "to") }
        if let from, let to, from > to { throw .badParameter("from", "is after to") }
        return (from, to)
    }

    /// The `$match` condition for a date field from the day `from` through the day `to`
    /// (either may be open); nil when both are.
    static func dayRange(from: Date?, to: Date?) -> BSONValue? {
        guard from != nil || to != nil else { return nil }
        var range: Document = [:]
        if let from { range["$gte"] = .date(from) }
        if let to { range["$lt"] = .date(to.addingTimeInterval(86_400)) }
        return .document(range)
    }

    /// True when the pre-aggregated summaries answer it: no filter, or a platform alone.
    public var isPreAggregated: Bool { from == nil && to == nil && category == nil && country == nil && creator == nil }

    /// The stored summary's key for a pre-aggregated filter: `all` or `platform:NAME`.
    public var scope: String { platform.map { "platform:\($0)" } ?? "all" }

    /// The `$match` on `insights_videos` rows.
    public var match: Document {
        var match: Document = [:]
        if let platform { match["platform"] = ["$eq": .string(platform)] }
        if let category { match["category"] = ["$eq": .string(category)] }
        if let country { match["country"] = ["$eq": .string(country)] }
        if let creator { match["creator"] = ["$eq": .string(creator)] }
        if let range = Self.dayRange(from: from, to: to) { match["day"] = range }
        return match
    }

    /// The filter as query parameters (for links that keep it), without empty ones.
    public var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let platform { items.append(("platform", platform)) }
        if let from { items.append(("from", Self.dayText(from))) }
        if let to { items.append(("to", Self.dayText(to))) }
        if let category { items.append(("category", category)) }
        if let country { items.append(("country", country)) }
        if let creator { items.append(("creator", creator)) }
        return items
    }

    /// The same filter after checking each value against what the rows hold: an unknown
    /// platform, category or country is refused naming the parameter and what is known.
    public func validated(against known: KnownValues) throws(InsightsError) -> InsightsFilter {
        for (name, value, values) in [
            ("platform", platform, known.platforms), ("category", category, known.categories), ("country", country, known.countries),
        ] {
            if let value, !values.contains(value) {
                throw .badParameter(
                    name, "no video has \(name) \"\(value.prefix(60))\"; known: \(values.prefix(12).joined(separator: ", "))")
            }
        }
        return self
    }

    /// The calendar publish days are counted in: Gregorian, UTC.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// A publish day as pages write it.
    public static func dayText(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Reads a `YYYY-MM-DD` day (UTC); a refusal names `parameter`.
    public static func day(_ text: String, parameter: String) throws(InsightsError) -> Date {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else {
            throw .badParameter(parameter, "expected a day as YYYY-MM-DD, found \"\(text.prefix(40))\"")
        }
        guard let date = utc.date(from: DateComponents(year: year, month: month, day: day)) else {
            throw .badParameter(parameter, "no such day \(text)")
        }
        return date
    }
}

/// The values a filter may name, as the last `engage insights build` found them.
public struct KnownValues: Sendable, Equatable, Codable {
    /// Platforms, most videos first.
    public var platforms: [String]
    /// Categories, most videos first.
    public var categories: [String]
    /// Countries, most videos first.
    public var countries: [String]
}

/// What can go wrong reading insights; each case says what to do.
public enum InsightsError: Error, Equatable, CustomStringConvertible {
    /// A query parameter's value is refused.
    case badParameter(String, String)
    /// `engage insights build` has not run on this database.
    case notBuilt
    /// The page's source holds nothing yet; the text says what to collect.
    case nothingCollected(String)

    /// The message a user reads.
    public var description: String {
        switch self {
        case .badParameter(let name, let reason): "query parameter \(name): \(reason)"
        case .notBuilt: "no insights are built in this database yet: run `engage insights build` after collecting videos"
        case .nothingCollected(let what): what
        }
    }
}
