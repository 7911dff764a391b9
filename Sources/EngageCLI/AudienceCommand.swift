import ArgumentParser
import Foundation
import Insights

/// `engage audience …`: the audience numbers from interaction events.
struct AudienceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience",
        abstract: "DAU, WAU, MAU, retention, churn and engagement from the events of engage collect events.",
        subcommands: [Show.self, Build.self], defaultSubcommand: Show.self)

    /// `engage audience build`
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the audience collections inside MongoDB (also part of engage insights build).")

        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Rebuild even when no event is new.") var full = false
        @Flag(help: "Print the summary as JSON, and no progress.") var json = false

        func run() async throws {
            let quiet = json
            let summary = try await connection.withDatabase { database in
                try await AudienceBuilder(database: database, logger: connection.logger("engage.audience")).build(full: full) { step in
                    if !quiet { FileHandle.standardError.write(Data("audience: \(step)\n".utf8)) }
                }
            }
            if json { return try printJSON(summary) }
            print(summary.text)
        }
    }

    /// `engage audience [show]`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The KPI table of the last build (engage audience build).")

        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print the whole report as JSON.") var json = false

        func run() async throws {
            guard let report = try await connection.withDatabase({ try await AudienceReport.read(from: $0) }) else {
                throw ValidationError(
                    "no audience numbers yet: collect events (engage collect events --from FILE), then engage audience build")
            }
            if json { return try printJSON(report) }
            print(report.table)
        }
    }
}

extension AudienceBuilder.Summary {
    /// One line for people.
    var text: String {
        guard rebuilt else { return "audience: no new event since the last build; \(users) users, \(days) days (unchanged)" }
        return "audience: \(events) events, \(users) users, \(userDays) user-days, \(days) days in \(String(format: "%.1f", seconds)) s ("
            + steps.map { "\($0.name) \(String(format: "%.1f", $0.seconds)) s" }.joined(separator: ", ") + ")"
    }
}

extension AudienceReport {
    /// The KPI table `engage audience` prints.
    var table: String {
        let date = Date.ISO8601FormatStyle().year().month().day()
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0 * 100) } ?? "-" }
        func number(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.2f", value) }
        var lines = ["audience \(firstDay.formatted(date)) to \(lastDay.formatted(date)) (\(days.count) days, \(totals.users) users)"]
        func row(_ name: String, _ value: String) { lines.append("  " + name.padding(toLength: 38, withPad: " ", startingAt: 0) + value) }
        if let latest = days.last {
            row("DAU (\(latest.day.formatted(date)))", "\(latest.dau)")
            row("WAU", "\(latest.wau)")
            row("MAU\(latest.mauComplete ? "" : " (partial month)")", "\(latest.mau)")
            row("stickiness DAU/MAU", percent(latest.stickiness))
            let recent = days.suffix(7)
            row("mean DAU, last 7 days", number(Double(recent.map(\.dau).reduce(0, +)) / Double(max(1, recent.count))))
            row("new users, last 7 days", "\(recent.map(\.newUsers).reduce(0, +))")
        }
        if let week = weeks.last(where: { $0.churnRate != nil }) {
            row("weekly churn (\(week.week.formatted(date)))", "\(percent(week.churnRate)) of \(week.active)")
        }
        for retention in self.retention { row("day-\(retention.days) retention", "\(percent(retention.share)) of \(retention.eligible)") }
        row("events", "\(totals.events)")
        row("views / likes / comments / shares", "\(totals.views) / \(totals.likes) / \(totals.comments) / \(totals.shares)")
        row("per user: views, likes", "\(number(totals.viewsPerUser)), \(number(totals.likesPerUser))")
        row("watch time per user", "\(number(totals.watchSecondsPerUser / 60)) min")
        row(
            "revenue, per user, per 1,000 views",
            "\(number(totals.revenue)), \(number(totals.revenuePerUser)), \(number(totals.revenuePerThousandViews))")
        func groups(_ title: String, _ groups: [Group], engagement: Bool = false) {
            guard !groups.isEmpty else { return }
            lines.append("  \(title):")
            for group in groups.prefix(8) {
                var text = "\(group.count) \(engagement ? "videos" : "users"), \(group.views) views"
                if let rate = group.engagementRate { text += ", engagement \(percent(rate))" }
                if let watched = group.watchedShare { text += ", watched \(percent(watched))" }
                if !engagement { text += ", \(number(group.viewsPerCount)) views per user" }
                lines.append("    " + group.name.padding(toLength: 26, withPad: " ", startingAt: 0) + text)
            }
        }
        groups("by country", byCountry)
        groups("by device", byDevice)
        groups("by age band", byAgeBand)
        groups("content by category", byCategory, engagement: true)
        groups("content by length", byLength, engagement: true)
        return lines.joined(separator: "\n")
    }
}
