import Collectors
import EngageTestSupport
import Foundation
import Insights
import MongoKit
import Testing

/// The audience pipelines against numbers worked out by hand for a small log, and against a
/// brute-force count over the same events for every day.
@Suite struct AudienceTests {
    /// 2026-03-02, a Monday: day 0 of the log.
    static let start = 1_772_409_600.0
    /// Active days per user (each a login and a view; A also likes on day 1).
    static let activity: [String: [Int]] = ["A": [0, 1, 8, 35], "B": [0, 6, 7], "C": [2, 32], "D": [10, 11]]

    static func day(_ n: Int) -> Date { Date(timeIntervalSince1970: start + Double(n) * 86_400) }

    static var eventsCSV: String {
        var lines = ["viewer,Event Type,ts,video,watch_time_ms,revenue_usd,device"]
        for (user, days) in activity.sorted(by: { $0.key < $1.key }) {
            for day in days {
                let time = start + Double(day) * 86_400 + 3_600 * 9
                let iso = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: time))
                let later = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: time + 60))
                lines.append("\(user),login,\(iso),,,,ios")
                lines.append("\(user),View,\(later),youtube:v1,30000,,ios")
                if user == "A" && day == 1 { lines.append("A,like,\(later),youtube:v1,,,ios") }
            }
        }
        lines.append("B,save,\(ISO8601DateFormatter().string(from: day(6))),youtube:v1,,,ios")  // kept, counted as unknown
        lines.append("B,ad_impression,\(ISO8601DateFormatter().string(from: day(6))),,,0.25,ios")
        lines.append(",login,\(ISO8601DateFormatter().string(from: day(3))),,,,ios")  // no user: rejected
        lines.append("C,view,not a time,youtube:v1,,,ios")  // rejected
        return lines.joined(separator: "\n")
    }

    @Test func dauWauMauRetentionAndChurnMatchTheHandCount() async throws {
        let events = try temporaryFile(Self.eventsCSV, suffix: ".csv")
        let users = try temporaryFile("member_id,joined,age\nD,2026-03-11,29\nA,,41\n", suffix: ".csv")
        defer {
            try? FileManager.default.removeItem(atPath: events)
            try? FileManager.default.removeItem(atPath: users)
        }
        try await withTestDatabase { database in
            let mapping = try InteractionEvents(header: try FileInput.fieldNames(events))
            #expect(mapping.match.column(.userID) == "viewer" && mapping.match.column(.action) == "Event Type")
            #expect(mapping.match.units[.watchSeconds] == 0.001 && mapping.match.column(.revenue) == "revenue_usd")
            func collect() async throws -> IngestSummary {
                try await Ingestor(database: database, collection: InteractionEvents.collection, source: "events-file:test").run(
                    next: try FileInput.events(events, mapping: mapping).next)
            }
            let first = try await collect()
            #expect(first.read == 27 && first.inserted == 25 && first.rejected == 2)
            let again = try await collect()
            #expect(again.inserted == 0 && again.unchanged == 25, "an event without an id is keyed by what it says")
            #expect(try await database.collection("raw_events").countDocuments(["action": "save"]) == 1)
            #expect(
                try await database.collection("raw_events").findOne(["user_id": "A", "action": "view"])?["watch_seconds"] == .double(30))
            let profiles = try UserProfiles(header: try FileInput.fieldNames(users))
            _ = try await Ingestor(database: database, collection: UserProfiles.collection, source: "users-file:test").run(
                next: try FileInput.users(users, mapping: profiles).next)

            let built = try await AudienceBuilder(database: database).build()
            #expect(built.users == 4 && built.userDays == 11 && built.rebuilt)
            let report = try #require(try await AudienceReport.read(from: database))
            #expect(report.firstDay == Self.day(0) && report.lastDay == Self.day(35))

            // By hand: (day, DAU, WAU, MAU, new users).
            let expected: [(Int, Int, Int, Int, Int)] = [
                (0, 2, 2, 2, 2), (1, 1, 2, 2, 0), (2, 1, 3, 3, 1), (6, 1, 3, 3, 0), (7, 1, 3, 3, 0), (8, 1, 3, 3, 0),
                (10, 1, 3, 4, 1), (11, 1, 3, 4, 0), (32, 1, 1, 4, 0), (35, 1, 2, 4, 0),
            ]
            for (day, dau, wau, mau, new) in expected {
                let row = try #require(report.days.first { $0.day == Self.day(day) }, "day \(day)")
                #expect(row.dau == dau && row.wau == wau && row.mau == mau && row.newUsers == new, "day \(day): \(row)")
                #expect(row.returningUsers == dau - new)
            }
            let last = try #require(report.days.last { $0.day == Self.day(35) })
            #expect(last.stickiness == 0.25 && last.mauComplete)

            // Every day of the log, against a count over the events themselves.
            for row in report.days {
                let n = Int(((row.day.timeIntervalSince1970 - Self.start) / 86_400).rounded())
                func active(within window: Int) -> Int {
                    Self.activity.values.filter { days in days.contains { $0 <= n && $0 > n - window } }.count
                }
                #expect(row.dau == active(within: 1) && row.wau == active(within: 7) && row.mau == active(within: 30), "day \(n)")
            }

            // Weeks: 0 holds A, B, C; week 1 A, B, D; C returns in week 4 and A in week 5. Churn needs
            // the whole next week, so it stops at week 3.
            let weeks = Dictionary(uniqueKeysWithValues: report.weeks.map { ($0.week, $0) })
            #expect(weeks[Self.day(0)]?.active == 3 && weeks[Self.day(0)]?.churnedNextWeek == 1)
            #expect(weeks[Self.day(0)]?.churnRate == 1.0 / 3)
            #expect(weeks[Self.day(7)]?.active == 3 && weeks[Self.day(7)]?.churnRate == 1)
            #expect(weeks[Self.day(28)]?.active == 1 && weeks[Self.day(28)]?.churnRate == nil)
            #expect(weeks[Self.day(35)]?.active == 1 && weeks[Self.day(35)]?.churnRate == nil)

            // Cohorts: A, B and C start in week 0 (no signup date: their first activity); D signed up in week 1.
            let cohort0 = report.cohorts.filter { $0.cohort == Self.day(0) }.map { ($0.offset, $0.users, $0.cohortSize) }
            #expect(cohort0.map(\.0) == [0, 1, 4, 5] && cohort0.map(\.1) == [3, 2, 1, 1] && cohort0.allSatisfy { $0.2 == 3 })
            #expect(report.cohorts.filter { $0.cohort == Self.day(7) }.map(\.users) == [1])

            // N-day retention of users new in the log (C first seen on day 2, D signed up on day 9):
            // D is back on day 1, nobody on day 7, C on day 30 (D's day 30 is after the log).
            let retention = Dictionary(uniqueKeysWithValues: report.retention.map { ($0.days, $0) })
            #expect(retention[1]?.eligible == 2 && retention[1]?.retained == 1)
            #expect(retention[7]?.eligible == 2 && retention[7]?.retained == 0)
            #expect(retention[30]?.eligible == 1 && retention[30]?.retained == 1)

            #expect(report.totals.users == 4 && report.totals.events == 25 && report.totals.views == 11 && report.totals.likes == 1)
            #expect(report.totals.revenue == 0.25 && report.totals.watchSeconds == 330)
            #expect(report.byAgeBand.first { $0.name == "25-34" }?.count == 1 && report.byAgeBand.first { $0.name == "35-44" }?.count == 1)

            let unchanged = try await AudienceBuilder(database: database).build()
            #expect(!unchanged.rebuilt, "a build with nothing new does nothing")
        }
    }
}
