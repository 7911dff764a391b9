import EngageML
import Foundation
import MongoKit

/// A first feature set for a collection, proposed from a sample of its documents for the user to
/// edit (`engage features init`): numbers become features (log-scaled when they span orders of
/// magnitude), low-cardinality text becomes one-hot columns, dates their parts, lists their
/// length, titles their length; count-like fields (views, likes, revenue, votes, …) are declared
/// outcomes, never features, and with a numeric label the creator's earlier rows become history.
public struct FeatureSetProposal: Sendable {
    /// The proposed set.
    public let set: FeatureSet
    /// Documents profiled, and in the collection.
    public let sampled: Int, documents: Int
    /// Why each field was used as it was, or left out (`field: reason`), in field order.
    public let notes: [String]

    /// Documents read to profile a collection: enough to see its fields and their values.
    public static let sampleSize = 2_000

    /// Proposes a set named `name` over `collection` in `database`, predicting `label` (a field
    /// path; nil: a clustering set with no label).
    public static func propose(name: String, collection: String, label: String?, in database: MongoDatabase) async throws
        -> FeatureSetProposal
    {
        let source = database.collection(collection)
        let documents = try await source.countDocuments()
        guard documents > 0 else { throw FeatureProposalError.emptyCollection(collection) }
        let sample = try await source.find([:], options: FindOptions(limit: sampleSize))
        var profiles: [String: FieldProfile] = [:]
        var order: [String] = []
        for document in sample { FieldProfile.record(document, prefix: "", into: &profiles, order: &order) }
        var proposal = Builder(profiles: order.compactMap { profiles[$0] }, sampled: sample.count)
        return FeatureSetProposal(
            set: try proposal.set(name: name, source: collection, label: label), sampled: sample.count, documents: documents,
            notes: proposal.notes)
    }
}

/// Why a proposal cannot be made, and what to do.
public enum FeatureProposalError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyCollection(String)
    case unknownLabel(String, fields: [String])
    case unusableLabel(String, reason: String)

    /// The problem, with what to do about it.
    public var description: String {
        switch self {
        case .emptyCollection(let name): "\(name) holds no documents; collect into it first (engage collect …)"
        case .unknownLabel(let label, let fields):
            "no sampled document has a field \(label); fields seen: \(fields.prefix(30).joined(separator: ", "))"
        case .unusableLabel(let label, let reason): "\(label) cannot be a label: \(reason)"
        }
    }
}

/// What a sample says about one field path.
struct FieldProfile {
    let path: String
    var present = 0
    var numbers: [Double] = []
    var booleans = 0
    var dates: [Date] = []
    var dateOnlyStrings = 0
    var arrays = 0
    var texts: [String: Int] = [:]
    var textCount = 0

    /// Distinct texts kept per field: beyond this a field is high-cardinality anyway.
    static let distinctLimit = 200

    var kind: Kind {
        let majority = max(1, present * 9 / 10)
        if booleans >= majority { return .boolean }
        if numbers.count >= majority { return .number }
        if dates.count >= majority { return .date }
        if arrays >= majority { return .list }
        if textCount >= majority { return .text }
        return .mixed
    }

    enum Kind { case number, boolean, date, list, text, mixed }

    static func record(_ document: Document, prefix: String, into profiles: inout [String: FieldProfile], order: inout [String]) {
        for (key, value) in document {
            // Internal fields (_id, _ingest) and the collector's copy of the source row are not the entity's.
            if key.hasPrefix("_") || (prefix.isEmpty && key == "raw") || key.contains(".") || key.hasPrefix("$") { continue }
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .document(let nested) = value {
                if path.split(separator: ".").count < 3 { record(nested, prefix: path, into: &profiles, order: &order) }
                continue
            }
            if profiles[path] == nil {
                profiles[path] = FieldProfile(path: path)
                order.append(path)
            }
            profiles[path]?.observe(value)
        }
    }

    mutating func observe(_ value: BSONValue) {
        switch value {
        case .null: return
        case .bool: booleans += 1
        case .double, .int32, .int64, .decimal128: if let number = value.doubleValue, number.isFinite { numbers.append(number) }
        case .datetime(let stamp): dates.append(stamp.date)
        case .array: arrays += 1
        case .string(let text):
            if let date = Self.dateOnly(text) {
                dates.append(date)
                dateOnlyStrings += 1
            } else {
                textCount += 1
                if texts.count < Self.distinctLimit || texts[text] != nil { texts[text, default: 0] += 1 }
            }
        default: break
        }
        present += 1
    }

    /// A `YYYY-MM-DD` date, as TMDB's release dates are written.
    static func dateOnly(_ text: String) -> Date? {
        guard text.utf8.count == 10, text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) }) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}

/// Turns field profiles into a set and the notes that explain it.
private struct Builder {
    let profiles: [FieldProfile]
    let sampled: Int
    var notes: [String] = []
    private var names: Set<String> = []

    init(profiles: [FieldProfile], sampled: Int) {
        self.profiles = profiles
        self.sampled = sampled
    }

    /// Count-like names: what a post or film earns after it appears.
    static let outcomeWords: Set<String> = [
        "view", "views", "like", "likes", "comment", "comments", "share", "shares", "play", "plays", "save", "saves", "favorite",
        "favorites", "repost", "reposts", "revenue", "gross", "popularity", "vote", "votes", "review", "reviews", "rating", "ratings",
        "impression", "impressions", "reach", "click", "clicks", "score", "observed", "engagement", "digg", "collect",
    ]
    /// Names of free text whose length is a feature.
    static let textWords: Set<String> = ["title", "description", "desc", "caption", "overview", "text", "tagline", "body", "summary"]
    /// Names of the entity's maker, whose earlier rows make a history partition.
    static let makerWords: Set<String> = [
        "creator", "author", "channel", "uploader", "user", "owner", "artist", "director", "publisher", "account", "username",
    ]
    /// Names of the moment an entity appeared, preferred as the time field.
    static let timeWords: Set<String> = ["published", "publish", "created", "create", "release", "posted", "post", "upload", "uploaded"]

    static func words(_ path: String) -> [String] {
        let last = path.split(separator: ".").last.map(String.init) ?? path
        var words: [String] = []
        var current = ""
        for character in last {
            if character == "_" || character == "-" || character == " " || (character.isUppercase && !current.isEmpty) {
                if !current.isEmpty { words.append(current.lowercased()) }
                current = character.isLetter || character.isNumber ? String(character) : ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        return words
    }

    /// Whether any part of the path names who made the row (`author.id`, `creator`, `channel_name`).
    static func isMaker(_ path: String) -> Bool {
        path.split(separator: ".").flatMap { words(String($0)) }.contains { makerWords.contains($0) }
    }

    static func number(_ value: Double) -> String { String(format: "%g", value) }

    static func isOutcomeLike(_ path: String) -> Bool {
        let words = words(path)
        return words.contains { outcomeWords.contains($0) } || words.last == "count" || words.last?.hasSuffix("count") == true
    }

    static func slug(_ text: String) -> String {
        var slug = ""
        for scalar in text.lowercased().unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII {
                slug.unicodeScalars.append(scalar)
            } else if !slug.hasSuffix("_") {
                slug += "_"
            }
        }
        slug = slug.trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        return slug.first?.isLetter == true ? slug : "f_" + slug
    }

    mutating func add(_ name: String, _ expression: FeatureExpression, to features: inout [Feature]) {
        var unique = Self.slug(name)
        var suffix = 2
        while names.contains(unique) {
            unique = "\(Self.slug(name))_\(suffix)"
            suffix += 1
        }
        names.insert(unique)
        features.append(Feature(unique, expression))
    }

    mutating func set(name: String, source: String, label labelPath: String?) throws -> FeatureSet {
        var features: [Feature] = []
        var outcomes: Set<String> = []
        var makers: [FieldProfile] = []
        let labelProfile = try labelPath.map { path in
            guard let profile = profiles.first(where: { $0.path == path }) else {
                throw FeatureProposalError.unknownLabel(path, fields: profiles.map(\.path))
            }
            return profile
        }
        let dates = profiles.filter { $0.kind == .date && !Self.isOutcomeLike($0.path) && $0.path != labelPath }
        let timeField =
            dates.first { Self.words($0.path).contains { Self.timeWords.contains($0) } }?.path ?? dates.first?.path ?? "_ingest.fetched_at"
        if dates.isEmpty { notes.append("time: no date field found; rows are ordered by when they were collected (_ingest.fetched_at)") }

        for profile in profiles {
            let path = profile.path
            if path == labelPath {
                outcomes.insert(path)
                notes.append("\(path): the label, so an outcome")
                continue
            }
            if Self.isOutcomeLike(path) {
                outcomes.insert(path)
                notes.append("\(path): count-like, known only after the fact: an outcome, never a feature")
                continue
            }
            if Self.words(path).last == "id" && profile.kind != .list && !(profile.kind == .text && Self.isMaker(path)) {
                notes.append("\(path): left out, an identifier")
                continue
            }
            switch profile.kind {
            case .number:
                let low = profile.numbers.min() ?? 0
                let high = profile.numbers.max() ?? 0
                if low == high {
                    notes.append("\(path): left out, \(Self.number(low)) in every sampled document")
                } else if low >= 0 && high >= 1_000 {
                    add("log_" + path, .log1p(.field(path)), to: &features)
                    notes.append("\(path): a number from \(Self.number(low)) to \(Self.number(high)), log-scaled")
                } else {
                    add(path, .field(path), to: &features)
                    notes.append("\(path): a number from \(Self.number(low)) to \(Self.number(high))")
                }
            case .boolean:
                add(path, .field(path), to: &features)
                notes.append("\(path): a boolean, 1 or 0")
            case .date:
                let prefix = path == timeField ? "" : path + "_"
                notes.append("\(path): a date\(path == timeField ? ", the time field (splits and history order)" : ""), its parts")
                if profile.dateOnlyStrings < profile.dates.count / 2 { add(prefix + "hour", .datePart(.hour, path), to: &features) }
                add(prefix + "weekday", .datePart(.weekday, path), to: &features)
                add(prefix + "month", .datePart(.month, path), to: &features)
                let years = Set(profile.dates.map { Calendar(identifier: .gregorian).component(.year, from: $0) })
                if years.count >= 3 { add(prefix + "year", .datePart(.year, path), to: &features) }
            case .list:
                add(path + "_count", .arraySize(path), to: &features)
                notes.append("\(path): a list, its length")
            case .text: oneHotOrLength(profile, features: &features, makers: &makers)
            case .mixed: notes.append("\(path): left out, its values are of mixed types")
            }
        }

        var task = LearningTask.clustering
        var label: FeatureExpression?
        var filter: Document = [:]
        var history: [HistoryWindow] = []
        if let labelProfile {
            (task, label, filter) = try Self.label(labelProfile)
            if task == .regression, let maker = makers.first {
                let prefix = Self.slug(maker.path)
                let output = Self.slug(labelProfile.path)
                history.append(
                    HistoryWindow(
                        partition: .field(maker.path), value: .log1p(.coalesce(.field(labelProfile.path), fallback: 0)),
                        outputs: [
                            HistoryOutput("\(prefix)_prior_median_log_\(output)", .median), HistoryOutput("\(prefix)_prior_rows", .count),
                        ]))
                notes.append("\(maker.path): its earlier rows' median log \(labelProfile.path) and count, as history")
            }
        }
        return try FeatureSet(
            name: name, version: 1, task: task, source: source, outcomeFields: outcomes, filter: filter, timeField: timeField,
            features: features, history: history, label: label)
    }

    mutating func oneHotOrLength(_ profile: FieldProfile, features: inout [Feature], makers: inout [FieldProfile]) {
        let path = profile.path
        let distinct = profile.texts.count
        let words = Self.words(path)
        if distinct == 1, let only = profile.texts.keys.first {
            notes.append("\(path): left out, \(only) in every sampled document")
        } else if distinct >= 2 && distinct <= 30 && profile.textCount >= 2 * distinct {
            let floor = max(2, profile.textCount / 100)
            let common = profile.texts.filter { $0.value >= floor }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(12)
            for (value, _) in common.sorted(by: { $0.key < $1.key }) {
                add(path + "_" + value, .memberOf(path, [value]), to: &features)
            }
            notes.append("\(path): text with \(distinct) values, one-hot for the \(common.count) most common")
        } else if words.contains(where: { Self.textWords.contains($0) }) {
            add(path + "_length", .stringLength(path), to: &features)
            notes.append("\(path): free text, its length")
        } else if Self.isMaker(path) {
            makers.append(profile)
            notes.append(
                "\(path): text with \(distinct)\(distinct >= FieldProfile.distinctLimit ? "+" : "") values, the maker of each row, not a feature itself"
            )
        } else {
            notes.append("\(path): left out, text with \(distinct)\(distinct >= FieldProfile.distinctLimit ? "+" : "") values (an id?)")
        }
    }

    static func label(_ profile: FieldProfile) throws -> (LearningTask, FeatureExpression, Document) {
        let path = profile.path
        let present: Document = [path: ["$exists": true]]
        switch profile.kind {
        case .number:
            let low = profile.numbers.min() ?? 0
            let high = profile.numbers.max() ?? 0
            let nonNegative: Document = [path: ["$gte": 0]]
            if low >= 0 && high >= 1_000 { return (.regression, .log1p(.field(path)), nonNegative) }
            return (.regression, .field(path), low >= 0 ? nonNegative : present)
        case .boolean: return (.classification, .field(path), present)
        case .text:
            let classes = profile.texts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            guard classes.count == 2 else {
                throw FeatureProposalError.unusableLabel(
                    path, reason: "a feature set label is a number or one of two classes; it has \(classes.count) values")
            }
            // The rarer class is 1, as a positive class usually is.
            return (.classification, .memberOf(path, [classes[1].key]), present)
        case .date, .list, .mixed:
            throw FeatureProposalError.unusableLabel(path, reason: "a label is a number, a boolean or a text of two classes")
        }
    }
}
