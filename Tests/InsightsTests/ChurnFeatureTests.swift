import EngageTestSupport
import Features
import Foundation
import Insights
import MongoKit
import Testing

/// The `user_churn` feature set: point-in-time rows per user and cutoff, built from
/// `audience_user_days`, whose features never read an event at or after the row's cutoff.
@Suite struct ChurnFeatureTests {
    /// 2026-08-25 00:00 UTC: day 0 of the test log.
    static let start: Int64 = 1_787_616_000_000
    static let day: Int64 = 86_400_000
    /// Days (from the start) each user is active: steady, fading, gone early, new late, weekly.
    static let activity: [String: [Int]] = [
        "steady": Array(stride(from: 0, to: 66, by: 2)), "fading": [0, 3, 5, 9, 14, 20, 27, 35, 44],
        "gone": [1, 2, 4, 6, 8], "late": [40, 41, 43, 46, 50, 55], "weekly": Array(stride(from: 3, to: 66, by: 7)),
    ]

    static func events(_ keep: (Int) -> Bool) -> [Document] {
        activity.sorted { $0.key < $1.key }.flatMap { user, days in
            days.filter(keep).flatMap { day -> [Document] in
                let midnight = start + Int64(day) * Self.day
                return (0..<(1 + day % 3)).map { n in
                    [
                        "_id": .string("\(user)-\(day)-\(n)"), "user_id": .string(user), "action": n == 1 ? "like" : "view",
                        "day": .datetime(BSONDateTime(millisecondsSinceEpoch: midnight)),
                        "timestamp": .datetime(BSONDateTime(millisecondsSinceEpoch: midnight + 3_600_000 * Int64(8 + n))),
                        "watch_seconds": .double(Double(20 + day)),
                        "_ingest": ["fetched_at": .datetime(BSONDateTime(millisecondsSinceEpoch: 1_790_000_000_000))],
                    ]
                }
            }
        }
    }

    /// The feature rows built from the events `keep` lets through, by row id.
    static func rows(_ keep: @escaping (Int) -> Bool, set: FeatureSet) async throws -> [String: Document] {
        var built: [String: Document] = [:]
        try await withTestDatabase { database in
            try await database.collection("raw_events").insertMany(events(keep))
            _ = try await AudienceBuilder(database: database).build()
            _ = try await FeatureBuilder(database: database, set: set).build(full: true)
            for row in try await database.collection(set.collection).find() {
                if let id = row["_id"]?.stringValue { built[id] = row }
            }
        }
        return built
    }

    @Test func noFeatureReadsAnEventAtOrAfterItsCutoff() async throws {
        let set = try FeatureCatalog.set("user_churn")
        let full = try await Self.rows({ _ in true }, set: set)
        // A row needs activity in the 30 days before its cutoff: steady, weekly and fading have one at
        // each of the four cutoffs, gone at the first two (then it is more than 30 days away), late
        // from the third.
        #expect(full.keys.filter { $0.hasPrefix("steady@") }.count == 4 && full.keys.filter { $0.hasPrefix("fading@") }.count == 4)
        #expect(full.keys.filter { $0.hasPrefix("gone@") }.sorted() == ["gone@2026-09-22", "gone@2026-09-29"])
        #expect(full.keys.filter { $0.hasPrefix("late@") }.sorted() == ["late@2026-10-06", "late@2026-10-13"])
        #expect(full["gone@2026-09-22"]?["label"] == .double(1) && full["late@2026-10-06"]?["label"] == .double(0))
        let fading = try #require(full["fading@2026-10-13"])
        #expect(fading["label"] == .double(1), "fading's last day (day 44, 10-08) is before the cutoff: no activity after it")
        #expect(full["steady@2026-10-13"]?["label"] == .double(0))
        #expect(fading["recency_days"] == .double(5) && fading["active_days_7"] == .double(1))

        // Cut the log at each cutoff: the rows of that cutoff keep every feature value.
        for cutoff in ["2026-09-22", "2026-09-29", "2026-10-06", "2026-10-13"] {
            let cutoffDay = Int(try #require(FieldDate.days(cutoff, since: Self.start)))
            let truncated = try await Self.rows({ $0 < cutoffDay }, set: set)
            let ids = full.keys.filter { $0.hasSuffix("@" + cutoff) }
            #expect(!ids.isEmpty && Set(ids) == Set(truncated.keys.filter { $0.hasSuffix("@" + cutoff) }), "\(cutoff)")
            for id in ids {
                for feature in set.featureNames {
                    #expect(full[id]?[feature] == truncated[id]?[feature], "\(id) \(feature): a later event changed it")
                }
            }
        }
    }
}

/// Day arithmetic for the test's dates.
enum FieldDate {
    /// Days from `start` (milliseconds) to the UTC midnight of `text` (`YYYY-MM-DD`).
    static func days(_ text: String, since start: Int64) -> Int64? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let date = formatter.date(from: text) else { return nil }
        return (Int64(date.timeIntervalSince1970 * 1000) - start) / 86_400_000
    }
}
