import Foundation
import MongoKit

/// The audience numbers as the last ``AudienceBuilder`` build stored them, for `engage audience`,
/// the dashboard's Audience page and `/v1/audience`.
public struct AudienceReport: Sendable, Codable, Equatable {
    /// One day of the log.
    public struct Day: Sendable, Codable, Equatable {
        /// The day (00:00 UTC).
        public var day: Date
        /// Distinct users active that day.
        public var dau: Int
        /// Distinct users active in the 7 days ending that day.
        public var wau: Int
        /// Distinct users active in the 30 days ending that day.
        public var mau: Int
        /// DAU / MAU.
        public var stickiness: Double
        /// Whether the log holds the 30 days MAU looks back over.
        public var mauComplete: Bool
        /// Users active for the first time in the log.
        public var newUsers: Int
        /// Users active that day who were active before.
        public var returningUsers: Int
        /// Events, views, likes, comments, shares that day.
        public var events: Int, views: Int, likes: Int, comments: Int, shares: Int
        /// Watch time and revenue that day.
        public var watchSeconds: Double, revenue: Double

        enum CodingKeys: String, CodingKey {
            case day, dau, wau, mau, stickiness, mauComplete = "mau_complete", newUsers = "new_users"
            case returningUsers = "returning_users", events, views, likes, comments, shares, watchSeconds = "watch_seconds", revenue
        }
    }

    /// One week (Monday first).
    public struct Week: Sendable, Codable, Equatable {
        /// The week's Monday.
        public var week: Date
        /// Distinct users active in the week.
        public var active: Int
        /// Of them, first active (or signed up) this week.
        public var newUsers: Int
        /// Of them, not active the next week (nil when the log does not hold the whole next week).
        public var churnedNextWeek: Int?
        /// `churnedNextWeek / active`.
        public var churnRate: Double?

        enum CodingKeys: String, CodingKey {
            case week, active, newUsers = "new_users", churnedNextWeek = "churned_next_week", churnRate = "churn_rate"
        }
    }

    /// One cell of the weekly cohort retention matrix.
    public struct Cohort: Sendable, Codable, Equatable {
        /// The cohort's signup (or first active) week.
        public var cohort: Date
        /// Weeks after it.
        public var offset: Int
        /// Users of the cohort active in that week.
        public var users: Int
        /// Users in the cohort.
        public var cohortSize: Int
        /// `users / cohortSize`.
        public var share: Double

        enum CodingKeys: String, CodingKey { case cohort, offset, users, cohortSize = "cohort_size", share }
    }

    /// N-day retention.
    public struct Retention: Sendable, Codable, Equatable {
        /// Days after the first.
        public var days: Int
        /// Users new in the log, first seen at least `days` days before its end.
        public var eligible: Int
        /// Of them, active exactly `days` days after their first day.
        public var retained: Int
        /// `retained / eligible` (nil when none is eligible).
        public var share: Double?
    }

    /// One group of a breakdown (a country, a device, an age band, a genre, a length).
    public struct Group: Sendable, Codable, Equatable {
        /// The group's value.
        public var name: String
        /// Users (or, for content, videos) in it.
        public var count: Int
        /// Views, and the other counts where known.
        public var views: Int, likes: Int?, comments: Int?, shares: Int?
        /// Watch time, and revenue where known.
        public var watchSeconds: Double, revenue: Double?
        /// Views per user (or per video).
        public var viewsPerCount: Double
        /// (likes + comments + shares) / views, for content.
        public var engagementRate: Double?
        /// Watch time over the length of what was viewed, for content.
        public var watchedShare: Double?

        enum CodingKeys: String, CodingKey {
            case name, count, views, likes, comments, shares, watchSeconds = "watch_seconds", revenue, viewsPerCount = "views_per_count"
            case engagementRate = "engagement_rate", watchedShare = "watched_share"
        }
    }

    /// The log's totals and per-user rates.
    public struct Totals: Sendable, Codable, Equatable {
        /// Users, events, active user-days.
        public var users: Int, events: Int, activeDays: Int
        /// Counts per action.
        public var views: Int, likes: Int, comments: Int, shares: Int, logins: Int, subscribes: Int, adImpressions: Int
        /// Watch time and revenue.
        public var watchSeconds: Double, revenue: Double
        /// Per user: views, likes, comments, shares, watch time, revenue.
        public var viewsPerUser: Double, likesPerUser: Double, commentsPerUser: Double, sharesPerUser: Double
        /// Per user: watch time and revenue.
        public var watchSecondsPerUser: Double, revenuePerUser: Double
        /// Revenue per 1,000 views.
        public var revenuePerThousandViews: Double

        enum CodingKeys: String, CodingKey {
            case users, events, activeDays = "active_days", views, likes, comments, shares, logins, subscribes
            case adImpressions = "ad_impressions", watchSeconds = "watch_seconds", revenue, viewsPerUser = "views_per_user"
            case likesPerUser = "likes_per_user", commentsPerUser = "comments_per_user", sharesPerUser = "shares_per_user"
            case watchSecondsPerUser = "watch_seconds_per_user", revenuePerUser = "revenue_per_user"
            case revenuePerThousandViews = "revenue_per_thousand_views"
        }
    }

    /// When the numbers were built, and the log's first and last day.
    public var builtAt: Date, firstDay: Date, lastDay: Date
    /// The log's totals.
    public var totals: Totals
    /// Every day, oldest first.
    public var days: [Day]
    /// Every week, oldest first.
    public var weeks: [Week]
    /// The cohort matrix, by cohort then offset.
    public var cohorts: [Cohort]
    /// N-day retention for 1, 7, 14 and 30 days.
    public var retention: [Retention]
    /// Users by country, device, age band and subscription.
    public var byCountry: [Group], byDevice: [Group], byAgeBand: [Group], bySubscription: [Group]
    /// Videos watched, by category and by length.
    public var byCategory: [Group], byLength: [Group]

    enum CodingKeys: String, CodingKey {
        case builtAt = "built_at", firstDay = "first_day", lastDay = "last_day", totals, days, weeks, cohorts, retention
        case byCountry = "by_country", byDevice = "by_device", byAgeBand = "by_age_band", bySubscription = "by_subscription"
        case byCategory = "by_category", byLength = "by_length"
    }

    /// The report of the last build in `database`; nil when none has run or the log was empty.
    public static func read(from database: MongoDatabase) async throws -> AudienceReport? {
        typealias Names = AudiencePipelines.Collection
        guard let summary = try await database.collection(Names.summary).findOne(["_id": .string(AudienceBuilder.summaryKey)]),
            case .datetime(let first)? = summary["first_day"], case .datetime(let last)? = summary["last_day"],
            case .document(let totals)? = summary["totals"]
        else { return nil }
        func int(_ document: Document, _ key: String) -> Int { Int(document[path: key]?.int64Value ?? 0) }
        func double(_ document: Document, _ key: String) -> Double { document[path: key]?.doubleValue ?? 0 }
        func date(_ document: Document, _ key: String) -> Date {
            if case .datetime(let d)? = document[key] { d.date } else { .distantPast }
        }

        let days = try await database.collection(Names.daily).find([:], options: FindOptions(sort: ["_id": 1])).map { row in
            Day(
                day: date(row, "day"), dau: int(row, "dau"), wau: int(row, "wau"), mau: int(row, "mau"),
                stickiness: double(row, "stickiness"),
                mauComplete: row["mau_complete"]?.boolValue ?? false, newUsers: int(row, "new_users"),
                returningUsers: int(row, "returning_users"), events: int(row, "events"), views: int(row, "views"), likes: int(row, "likes"),
                comments: int(row, "comments"), shares: int(row, "shares"), watchSeconds: double(row, "watch_seconds"),
                revenue: double(row, "revenue"))
        }
        let weeks = try await database.collection(Names.weekly).find([:], options: FindOptions(sort: ["_id": 1])).map { row in
            Week(
                week: date(row, "week"), active: int(row, "active"), newUsers: int(row, "new_users"),
                churnedNextWeek: row["churned_next_week"]?.int64Value.map(Int.init), churnRate: row["churn_rate"]?.doubleValue)
        }
        let cohorts = try await database.collection(Names.cohorts).find([:], options: FindOptions(sort: ["cohort": 1, "offset": 1])).map {
            row in
            Cohort(
                cohort: date(row, "cohort"), offset: int(row, "offset"), users: int(row, "users"), cohortSize: int(row, "cohort_size"),
                share: double(row, "share"))
        }
        let retention = AudiencePipelines.retentionDays.map { n in
            let eligible = int(summary, "retention.eligible_\(n)")
            let retained = int(summary, "retention.retained_\(n)")
            return Retention(
                days: n, eligible: eligible, retained: retained, share: eligible > 0 ? Double(retained) / Double(eligible) : nil)
        }
        func users(_ key: String) -> [Group] {
            (summary[key]?.arrayValue ?? []).compactMap(\.documentValue).map { row in
                let count = int(row, "users")
                return Group(
                    name: row["_id"]?.stringValue ?? "unknown", count: count, views: int(row, "views"), likes: nil, comments: nil,
                    shares: nil, watchSeconds: double(row, "watch_seconds"), revenue: double(row, "revenue"),
                    viewsPerCount: count > 0 ? Double(int(row, "views")) / Double(count) : 0, engagementRate: nil, watchedShare: nil)
            }
        }
        func content(_ key: String) -> [Group] {
            (summary[path: "content.\(key)"]?.arrayValue ?? []).compactMap(\.documentValue).map { row in
                let count = int(row, "videos")
                let views = int(row, "views")
                let interactions = int(row, "likes") + int(row, "comments") + int(row, "shares")
                let length = double(row, "length_seconds")
                return Group(
                    name: row["_id"]?.stringValue ?? "unknown", count: count, views: views, likes: int(row, "likes"),
                    comments: int(row, "comments"), shares: int(row, "shares"), watchSeconds: double(row, "watch_seconds"), revenue: nil,
                    viewsPerCount: count > 0 ? Double(views) / Double(count) : 0,
                    engagementRate: views > 0 ? Double(interactions) / Double(views) : nil,
                    watchedShare: length > 0 ? double(row, "watch_seconds") / length : nil)
            }
        }
        let userCount = max(1, int(totals, "users"))
        func perUser(_ key: String) -> Double { double(totals, key) / Double(userCount) }
        return AudienceReport(
            builtAt: date(summary, "built_at"), firstDay: first.date, lastDay: last.date,
            totals: Totals(
                users: int(totals, "users"), events: int(totals, "events"), activeDays: int(totals, "active_days"),
                views: int(totals, "views"),
                likes: int(totals, "likes"), comments: int(totals, "comments"), shares: int(totals, "shares"),
                logins: int(totals, "logins"),
                subscribes: int(totals, "subscribes"), adImpressions: int(totals, "ad_impressions"),
                watchSeconds: double(totals, "watch_seconds"), revenue: double(totals, "revenue"), viewsPerUser: perUser("views"),
                likesPerUser: perUser("likes"), commentsPerUser: perUser("comments"), sharesPerUser: perUser("shares"),
                watchSecondsPerUser: perUser("watch_seconds"), revenuePerUser: perUser("revenue"),
                revenuePerThousandViews: int(totals, "views") > 0 ? double(totals, "revenue") / Double(int(totals, "views")) * 1000 : 0),
            days: days, weeks: weeks, cohorts: cohorts, retention: retention, byCountry: users("by_country"), byDevice: users("by_device"),
            byAgeBand: users("by_age_band"), bySubscription: users("by_subscription"), byCategory: content("by_category"),
            byLength: content("by_length"))
    }
}
