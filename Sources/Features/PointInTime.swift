import Foundation
import MongoKit

/// The cutoffs of a point-in-time set: each entity (a user) gets one row per cutoff date, built by
/// the set's preparation from the source documents as they stood before that cutoff.
///
/// Declaring the cutoffs, rather than writing them into a stage, is what lets the same preparation
/// run for training (every entity at every declared cutoff) and for serving (the requested
/// entities at one cutoff, by default now): the compiled stages differ only in the dates.
public struct PointInTime: Sendable, Equatable {
    /// The source field that names the entity a row describes (`user_id`).
    public let entity: String
    /// The field that holds a row's cutoff, set before the preparation runs (`cutoff`).
    public let cutoffField: String
    /// The training cutoffs, as `YYYY-MM-DD` (UTC midnights).
    public let dates: [String]

    /// Cutoffs at `dates` (each `YYYY-MM-DD`) for the entities named by `entity`, held in `cutoffField`.
    public init(entity: String, cutoffField: String, dates: [String]) throws(PointInTimeError) {
        guard !dates.isEmpty else { throw .noDates }
        for date in dates where Self.midnight(date) == nil { throw .notADate(date) }
        self.entity = entity
        self.cutoffField = cutoffField
        self.dates = dates
    }

    /// The training stages: every source document once for each declared cutoff.
    var trainingStages: [Document] {
        stages(cutoffs: dates.map { ["$dateFromString": ["dateString": .string($0)]] })
    }

    /// The two stages that give each document its cutoffs: a list of them in the cutoff field,
    /// then one document per element.
    func stages(cutoffs: [BSONValue]) -> [Document] {
        [["$set": [cutoffField: .array(cutoffs)]], ["$unwind": .string("$" + cutoffField)]]
    }

    /// The UTC midnight `text` (`YYYY-MM-DD`) names, or nil.
    static func midnight(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }

    /// The first UTC midnight after `date`: the serving cutoff "now", before which every stored event lies.
    public static func nextMidnight(after date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (seconds / 86_400).rounded(.down) * 86_400 + 86_400)
    }

    /// `date` as `YYYY-MM-DD` (UTC).
    public static func dayText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}

/// Cutoffs that cannot be declared as written.
public enum PointInTimeError: Error, Sendable, Equatable, CustomStringConvertible {
    case noDates
    case notADate(String)

    /// The problem, with what to do about it.
    public var description: String {
        switch self {
        case .noDates: "at lists no cutoff; give at least one date (YYYY-MM-DD)"
        case .notADate(let text): "\(text) is not a date; write cutoffs as YYYY-MM-DD"
        }
    }
}

/// One entity to compute a point-in-time row for: whom, and as of when.
public struct PointInTimeRequest: Sendable, Equatable {
    /// The entity's value (a user id).
    public var entity: BSONValue
    /// The cutoff: only source documents before it count.
    public var cutoff: Date

    /// A request for `entity`'s row at `cutoff`.
    public init(entity: BSONValue, cutoff: Date) {
        self.entity = entity
        self.cutoff = cutoff
    }
}

extension FeatureSet {
    /// The request a served document stands for: `{ENTITY: value}`, with `{CUTOFF: "YYYY-MM-DD"}`
    /// (or a date) when it asks for a past cutoff; without one the cutoff is `now`'s next UTC
    /// midnight, so that every stored event counts. Anything else in the document is refused: the
    /// row is computed from stored documents, never from values the request sends.
    public func pointInTimeRequest(_ document: Document, now: Date) throws(PointInTimeRequestError) -> PointInTimeRequest {
        guard let pointInTime else { throw .init(field: "(document)", reason: "\(name) has no declared cutoffs") }
        let allowed = [pointInTime.entity, pointInTime.cutoffField]
        if let extra = document.keys.first(where: { !allowed.contains($0) }) {
            throw .init(
                field: extra,
                reason: "\(name) computes its rows from stored \(source) documents; send only \(pointInTime.entity) "
                    + "and optionally \(pointInTime.cutoffField) (YYYY-MM-DD)")
        }
        let entity: BSONValue
        switch document[pointInTime.entity] {
        case .string(let text)? where !text.isEmpty: entity = .string(text)
        case .int32(let value)?: entity = .int32(value)
        case .int64(let value)?: entity = .int64(value)
        case nil: throw .init(field: pointInTime.entity, reason: "is required: the \(pointInTime.entity) to compute the row for")
        case let value?: throw .init(field: pointInTime.entity, reason: "is \(value.typeName); expected text or an integer")
        }
        let cutoff: Date
        switch document[pointInTime.cutoffField] {
        case nil: cutoff = PointInTime.nextMidnight(after: now)
        case .datetime(let value)?: cutoff = value.date
        case .string(let text)?:
            guard let date = PointInTime.midnight(text) else {
                throw .init(field: pointInTime.cutoffField, reason: "\(text.prefix(40)) is not a date (YYYY-MM-DD)")
            }
            cutoff = date
        case let value?: throw .init(field: pointInTime.cutoffField, reason: "is \(value.typeName); expected a date (YYYY-MM-DD)")
        }
        return PointInTimeRequest(entity: entity, cutoff: cutoff)
    }

    /// The prepared documents (what the features read) of `requests`, in their order: the same
    /// filter and preparation as the build, run over the requested entities' source documents at
    /// the requested cutoffs, in one aggregation. Nil where the preparation keeps no row (for
    /// `user_churn`: no activity in the 30 days before the cutoff).
    public func pointInTimeDocuments(for requests: [PointInTimeRequest], in database: MongoDatabase) async throws -> [Document?] {
        guard let pointInTime, !requests.isEmpty else { return requests.map { _ in nil } }
        var entities: [BSONValue] = []
        for request in requests where !entities.contains(request.entity) { entities.append(request.entity) }
        var cutoffs: [Date] = []
        for request in requests where !cutoffs.contains(request.cutoff) { cutoffs.append(request.cutoff) }
        var stages: [Document] = filter.isEmpty ? [] : [["$match": .document(filter)]]
        stages.append(["$match": [pointInTime.entity: ["$in": .array(entities)]]])
        stages += pointInTime.stages(cutoffs: cutoffs.map(BSONValue.date)) + preparation
        var found: [String: Document] = [:]
        for document in try await database.collection(source).aggregate(stages) {
            guard let entity = document[pointInTime.entity], case .datetime(let cutoff)? = document[pointInTime.cutoffField] else {
                throw PointInTimeRequestError(
                    field: pointInTime.entity,
                    reason: "the preparation of \(name) drops \(pointInTime.entity) or \(pointInTime.cutoffField); keep both in its rows")
            }
            found[Self.key(entity, cutoff.date)] = document
        }
        return requests.map { found[Self.key($0.entity, $0.cutoff)] }
    }

    private static func key(_ entity: BSONValue, _ cutoff: Date) -> String {
        "\(entity)|\(Int64((cutoff.timeIntervalSince1970 * 1000).rounded()))"
    }
}

/// A served document that does not name an entity and cutoff as its point-in-time set needs.
public struct PointInTimeRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault.
    public var field: String
    /// Why it was refused.
    public var reason: String

    /// `FIELD: REASON`.
    public var description: String { "\(field): \(reason)" }
}
