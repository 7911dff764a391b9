/// The fields of a schema that a file's columns are matched to (a video export's, an event log's),
/// each with the normalized column names that mean it, best first.
public protocol ColumnSchema: Hashable, CaseIterable, RawRepresentable, Sendable, Codable where RawValue == String {
    /// Normalized names (lower case, letters and digits only) that mean each field, best first.
    static var patterns: [Self: [String]] { get }
}

/// How a field's column was found.
public enum ColumnMatchKind: String, Sendable, Equatable, Codable {
    /// The column's name is one of the field's names.
    case exact
    /// The name matches once exporter prefixes, suffixes and units are taken off.
    case pattern
    /// Named with `--map`.
    case mapped
}

/// Which column of a header holds each field of `Field`, found in three steps, and how each was found:
///
/// 1. **exact**: the column's name (case, spaces and punctuation ignored) is one of the field's names;
/// 2. **pattern**: it is once exporter prefixes (`video_`, `post_`, `total_`, …) and suffixes
///    (`_count`, `_id`, `_name`) are taken off, with a unit suffix (`_sec`, `_ms`, `_min`) read as
///    the column's unit: `video_like_count` is likes, `watch_time_ms` watch time in milliseconds;
/// 3. **mapped**: `--map field=column` names it, which also settles what stays ambiguous (two
///    columns that match a field equally well are left unmapped and reported, never guessed).
public struct ColumnMatch<Field: ColumnSchema>: Sendable, Equatable, Codable {
    /// Column index per field.
    public private(set) var columns: [Field: Int] = [:]
    /// How each mapped field's column was found.
    public private(set) var matches: [Field: ColumnMatchKind] = [:]
    /// Fields that two or more columns match equally well, left unmapped: the candidates, for `--map`.
    public private(set) var ambiguous: [Field: [String]] = [:]
    /// Seconds per unit of a field whose column names a unit (`_ms`: 0.001, `_min`: 60).
    public private(set) var units: [Field: Double] = [:]
    /// The header, as read.
    public let header: [String]

    /// Leading words exporters put before a field's name (`video_view_count`, `stats_diggCount`, `total_likes`).
    static var prefixes: Set<String> {
        ["video", "videos", "post", "item", "clip", "content", "media", "stats", "stat", "total", "num", "number", "event"]
    }
    /// Trailing words after it (`like_count`, `category_id`, `channel_name`).
    static var suffixes: Set<String> {
        [
            "count", "counts", "total", "num", "number", "id", "ids", "name", "code", "at", "time", "date", "utc", "type", "usd", "eur",
            "gbp",
        ]
    }
    /// Trailing unit words, in seconds per unit.
    static var unitWords: [String: Double] {
        [
            "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "ms": 0.001, "millis": 0.001, "msec": 0.001, "milliseconds": 0.001,
            "min": 60, "mins": 60, "minute": 60, "minutes": 60,
        ]
    }

    /// Matches `header`'s columns to the fields, after `overrides` (field name → column name).
    public init(header: [String], overrides: [String: String] = [:]) throws(CollectError) {
        self.header = header
        let normalized = header.map(ColumnNames.normalize)
        var taken = Set<Int>()
        for (field, column) in overrides {
            guard let target = Field(rawValue: field) else {
                throw .invalidMapping("unknown field \(field); fields are \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let index = header.firstIndex(of: column) ?? normalized.firstIndex(of: ColumnNames.normalize(column)) else {
                throw .invalidMapping(
                    "--map \(field)=\(column): the file has no column \(column) (it has \(header.joined(separator: ", ")))")
            }
            columns[target] = index
            matches[target] = .mapped
            taken.insert(index)
        }
        // Exact names first, for every field, so that a pattern never takes a column another field names exactly.
        for field in Field.allCases where columns[field] == nil {
            for pattern in Field.patterns[field] ?? [] {
                if let index = normalized.firstIndex(of: pattern), !taken.contains(index) {
                    columns[field] = index
                    matches[field] = .exact
                    taken.insert(index)
                    break
                }
            }
        }
        let cores = header.map { Self.core($0) }
        for field in Field.allCases where columns[field] == nil {
            let names = Field.patterns[field] ?? []
            let ranked = cores.indices.compactMap { index in
                taken.contains(index) ? nil : names.firstIndex(of: cores[index].name).map { (rank: $0, index: index) }
            }
            guard let bestRank = ranked.map(\.rank).min() else { continue }
            let best = ranked.filter { $0.rank == bestRank }.map(\.index)
            guard best.count == 1, let index = best.first else {
                ambiguous[field] = best.map { header[$0] }
                continue
            }
            columns[field] = index
            matches[field] = .pattern
            taken.insert(index)
        }
        for (field, index) in columns {
            if let unit = Self.core(header[index]).unit { units[field] = unit }
        }
    }

    /// The column name holding `field`, if one does.
    public func column(_ field: Field) -> String? { columns[field].map { header[$0] } }

    /// A column name without exporter prefixes, suffixes and a unit, and that unit (in seconds).
    static func core(_ name: String) -> (name: String, unit: Double?) {
        var words = ColumnNames.words(name)
        var unit: Double?
        while words.count > 1, let first = words.first, prefixes.contains(first) { words.removeFirst() }
        while words.count > 1, let last = words.last {
            if let seconds = unitWords[last], unit == nil {
                unit = seconds
            } else if !suffixes.contains(last) {
                break
            }
            words.removeLast()
        }
        return (words.joined(), unit)
    }

    /// The match as `field ← column` lines, for the user to check.
    public var description: String {
        Field.allCases.map { field in
            let found: String
            if let index = columns[field] {
                let unit = units[field].map { $0 != 1 ? ", \($0) s per unit" : "" } ?? ""
                found = "\(header[index]) (\(matches[field]?.rawValue ?? "exact")\(unit))"
            } else if let candidates = ambiguous[field] {
                found = "(ambiguous: \(candidates.joined(separator: ", ")); choose with --map \(field.rawValue)=COLUMN)"
            } else {
                found = "(none)"
            }
            return "  \(field.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) ← \(found)"
        }.joined(separator: "\n")
    }
}

/// Column names as the matcher compares them.
enum ColumnNames {
    /// Lower case, letters and digits only: `Video View Count` is `videoviewcount`.
    static func normalize(_ name: String) -> String {
        name.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// The words of a column name: split at punctuation, spaces and lower-to-upper case changes.
    static func words(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for character in name {
            guard character.isLetter || character.isNumber else {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousWasLower = false
                continue
            }
            if character.isUppercase && previousWasLower && !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(contentsOf: character.lowercased())
            previousWasLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
