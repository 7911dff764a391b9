import Foundation
import Logging
import MongoKit

/// `engage audience build` (and the end of `engage insights build`): the audience numbers from `raw_events` (and
/// `raw_users`), as aggregation pipelines inside the database (``AudiencePipelines``) into
/// `audience_*` collections: per user and day, per user, per day (DAU, WAU, MAU, stickiness, new
/// and returning users), per week (churn), the cohort retention matrix, and one summary (N-day
/// retention, totals, breakdowns, content performance).
///
/// A build replaces every audience collection (each pipeline ends in `$out`), so re-running is safe,
/// an interrupted build leaves the last one readable and is completed by the next, and a build
/// with no new event or user since the last does nothing.
public struct AudienceBuilder: Sendable {
    /// The database holding `raw_events` and the audience collections.
    public let database: MongoDatabase
    let logger: Logger

    /// A builder over `database`.
    public init(database: MongoDatabase, logger: Logger = Logger(label: "engage.audience")) {
        self.database = database
        self.logger = logger
    }

    /// What a build did.
    public struct Summary: Sendable, Codable, Equatable {
        /// Events in `raw_events`.
        public var events: Int
        /// Distinct users with an event.
        public var users: Int
        /// Rows of one user's active day.
        public var userDays: Int
        /// Days in the daily series.
        public var days: Int
        /// False when nothing changed since the last build (and nothing was rebuilt).
        public var rebuilt: Bool
        /// Wall time.
        public var seconds: Double
        /// Each step's wall time, in order.
        public var steps: [InsightsBuilder.Summary.Step]

        enum CodingKeys: String, CodingKey { case events, users, userDays = "user_days", days, rebuilt, seconds, steps }
    }

    static let summaryKey = "summary"

    /// Every collection the build writes (each by `$out`).
    public static let collections = [
        AudiencePipelines.Collection.userDays, AudiencePipelines.Collection.users, AudiencePipelines.Collection.daily,
        AudiencePipelines.Collection.weekly, AudiencePipelines.Collection.cohorts, AudiencePipelines.Collection.summary,
    ]

    /// Builds the audience collections; `full` rebuilds even when no event is new.
    public func build(full: Bool = false, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        let start = ContinuousClock.now
        var steps: [InsightsBuilder.Summary.Step] = []
        func step<T>(_ name: String, _ work: () async throws -> T) async throws -> T {
            progress(name)
            let begun = ContinuousClock.now
            defer { steps.append(InsightsBuilder.Summary.Step(name: name, seconds: (.now - begun) / .seconds(1))) }
            return try await work()
        }
        typealias Names = AudiencePipelines.Collection
        let events = database.collection("raw_events")
        let store = database.collection(Names.summary)
        let watermark: Document = [
            "events": .int64(Int64(try await events.countDocuments())),
            "events_fetched": try await newest(events), "users_fetched": try await newest(database.collection("raw_users")),
        ]
        let stored = try await store.findOne(["_id": .string(Self.summaryKey)])
        if !full, let stored, stored["watermark"]?.documentValue == watermark {
            return Summary(
                events: Int(stored[path: "totals.events"]?.int64Value ?? 0), users: Int(stored[path: "totals.users"]?.int64Value ?? 0),
                userDays: try await database.collection(Names.userDays).countDocuments(),
                days: try await database.collection(Names.daily).countDocuments(), rebuilt: false,
                seconds: (.now - start) / .seconds(1), steps: [])
        }
        let eventCount = Int(watermark["events"]?.int64Value ?? 0)
        guard eventCount > 0 else {
            try await store.upsert(
                [["_id": .string(Self.summaryKey), "watermark": .document(watermark), "built_at": .date(Date())]], key: ["_id"])
            return Summary(events: 0, users: 0, userDays: 0, days: 0, rebuilt: true, seconds: (.now - start) / .seconds(1), steps: [])
        }
        let userDays = database.collection(Names.userDays)
        let users = database.collection(Names.users)
        try await step("user days") { _ = try await events.aggregate(AudiencePipelines.userDays) }
        try await userDays.createIndexes([IndexModel(keys: ["user_id": 1, "day": 1])])
        try await step("users") { _ = try await userDays.aggregate(AudiencePipelines.users) }
        let span = try await userDays.aggregate([["$group": ["_id": .null, "first": ["$min": "$day"], "last": ["$max": "$day"]]]]).first
        guard case .datetime(let firstStamp)? = span?["first"], case .datetime(let lastStamp)? = span?["last"] else {
            throw AudienceError.noDays
        }
        let first = firstStamp.date
        let last = lastStamp.date
        try await step("daily") {
            _ = try await userDays.aggregate(AudiencePipelines.daily(first: .date(first), last: .date(last)))
        }
        let firstWeek = Self.monday(of: first)
        // A week's churn needs the whole next week in the log: w + 14 days ≤ the day after the last.
        let churnThrough = Self.monday(of: last.addingTimeInterval(-13 * 86_400))
        try await step("weekly") { _ = try await users.aggregate(AudiencePipelines.weekly(churnThrough: .date(churnThrough))) }
        try await step("cohorts") { _ = try await users.aggregate(AudiencePipelines.cohorts(firstWeek: .date(firstWeek))) }
        let facets = try await step("summary") {
            try await users.aggregate(AudiencePipelines.summary(first: .date(first), last: .date(last))).first ?? [:]
        }
        let content = try await step("content") { try await events.aggregate(AudiencePipelines.content).first ?? [:] }
        var summary: Document = [
            "_id": .string(Self.summaryKey), "built_at": .date(Date()), "watermark": .document(watermark), "first_day": .date(first),
            "last_day": .date(last), "churn_through": .date(churnThrough), "content": .document(content),
        ]
        for (key, value) in facets {
            if key == "retention" || key == "totals", case .array(let rows) = value {
                summary[key] = rows.first ?? .null
            } else {
                summary[key] = value
            }
        }
        try await store.upsert([summary], key: ["_id"])
        let counts = (
            users: try await users.countDocuments(), userDays: try await userDays.countDocuments(),
            days: try await database.collection(Names.daily).countDocuments()
        )
        logger.debug("audience built", metadata: ["audience.events": "\(eventCount)", "audience.users": "\(counts.users)"])
        return Summary(
            events: eventCount, users: counts.users, userDays: counts.userDays, days: counts.days, rebuilt: true,
            seconds: (.now - start) / .seconds(1), steps: steps)
    }

    private func newest(_ collection: MongoCollection) async throws -> BSONValue {
        try await collection.aggregate([["$group": ["_id": .null, "t": ["$max": "$_ingest.fetched_at"]]]]).first?["t"] ?? .null
    }

    /// The Monday 00:00 UTC of `date`'s week.
    static func monday(of date: Date) -> Date {
        let days = (date.timeIntervalSince1970 / 86_400).rounded(.down)
        // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
        let sinceMonday = (Int(days) + 3) % 7
        return Date(timeIntervalSince1970: (days - Double(sinceMonday)) * 86_400)
    }
}

/// Why the audience numbers cannot be built.
public enum AudienceError: Error, Sendable, CustomStringConvertible {
    case noDays

    /// The problem, with what to do about it.
    public var description: String {
        switch self {
        case .noDays: "raw_events holds events but none with a user and a day; collect them with engage collect events"
        }
    }
}
