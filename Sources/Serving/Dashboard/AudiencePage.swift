import Charts
import Foundation
import Insights

/// The audience as a product dashboard shows it: DAU, WAU and MAU over the log, stickiness, new
/// and returning users, weekly churn, the cohort retention heat map, N-day retention, and who the
/// users are and what they watch. Pure: the values come from an ``AudienceReport``.
enum AudiencePage {
    static let page = DashboardPages.Page(path: "/audience", name: "Audience", template: "audience")

    /// The page's values.
    static func context(_ report: AudienceReport) -> [String: Any] {
        let count = DashboardPages.count
        let percent = DashboardPages.percent
        let days = report.days
        let latest = days.last
        let ticks = stride(from: 0, to: days.count, by: max(1, days.count / 6)).map { (Double($0), DashboardPages.day(days[$0].day)) }
        func series(_ value: (AudienceReport.Day) -> Double) -> [(Double, Double)] {
            days.enumerated().map { (Double($0.offset), value($0.element)) }
        }
        let churned = report.weeks.filter { $0.churnRate != nil }
        let offsets = (report.cohorts.map(\.offset).max() ?? 0) + 1
        let cohorts = Dictionary(grouping: report.cohorts, by: \.cohort).sorted { $0.key < $1.key }
        let heat: [[String: Any]] = cohorts.map { cohort, cells in
            let byOffset = Dictionary(uniqueKeysWithValues: cells.map { ($0.offset, $0) })
            return [
                "cohort": DashboardPages.day(cohort), "size": count(cells.first?.cohortSize ?? 0),
                "cells": (0..<offsets).map { offset -> [String: String] in
                    guard let cell = byOffset[offset] else { return ["text": "", "style": ""] }
                    return [
                        "text": String(format: "%.0f%%", cell.share * 100),
                        "style": "background: rgba(59,130,246,\(String(format: "%.2f", 0.1 + 0.85 * cell.share)))"
                            + (cell.share > 0.55 ? "; color: #fff" : ""),
                        "title":
                            "\(cell.users) of \(cell.cohortSize) users of the week of \(DashboardPages.day(cohort)), \(offset) weeks on",
                    ]
                },
            ]
        }
        func users(_ groups: [AudienceReport.Group]) -> [[String: String]] {
            groups.map {
                [
                    "name": $0.name, "count": count($0.count), "views": count($0.views),
                    "perUser": String(format: "%.1f", $0.viewsPerCount),
                    "watch": String(format: "%.0f", $0.watchSeconds / 60 / Double(max(1, $0.count))),
                ]
            }
        }
        func content(_ groups: [AudienceReport.Group]) -> [[String: String]] {
            groups.map {
                [
                    "name": $0.name, "count": count($0.count), "views": count($0.views), "engagement": percent($0.engagementRate),
                    "watched": percent($0.watchedShare),
                ]
            }
        }
        let lastChurn = churned.last
        return [
            "cards": [
                ["key": "dau", "value": count(latest?.dau ?? 0), "caption": "DAU on \(latest.map { DashboardPages.day($0.day) } ?? "–")"],
                ["key": "wau", "value": count(latest?.wau ?? 0), "caption": "WAU (7 days)"],
                [
                    "key": "mau", "value": count(latest?.mau ?? 0),
                    "caption": latest?.mauComplete == false ? "MAU (30 days, partial)" : "MAU (30 days)",
                ],
                ["key": "stickiness", "value": percent(latest?.stickiness), "caption": "Stickiness DAU ÷ MAU"],
                [
                    "key": "churn", "value": percent(lastChurn?.churnRate),
                    "caption": "Weekly churn, week of \(lastChurn.map { DashboardPages.day($0.week) } ?? "–")",
                ],
            ],
            "period": "\(DashboardPages.day(report.firstDay)) to \(DashboardPages.day(report.lastDay)), \(days.count) days",
            "active": SVGChart.lines(
                [("DAU", series { Double($0.dau) }), ("WAU", series { Double($0.wau) }), ("MAU", series { Double($0.mau) })],
                xLabel: "day", yLabel: "distinct users", xTicks: ticks),
            "stickiness": SVGChart.lines(
                [("DAU ÷ MAU (%)", series { $0.stickiness * 100 })], xLabel: "day", yLabel: "%", xTicks: ticks),
            "newReturning": SVGChart.lines(
                [("new", series { Double($0.newUsers) }), ("returning", series { Double($0.returningUsers) })], xLabel: "day",
                yLabel: "users", xTicks: ticks),
            "churn": SVGChart.columns(
                churned.map { (DashboardPages.day($0.week), ($0.churnRate ?? 0) * 100) }, xLabel: "week", yLabel: "% churned next week"),
            "offsets": (0..<offsets).map { "\($0)" }, "heat": heat,
            "retention": report.retention.map {
                ["days": "\($0.days)", "share": percent($0.share), "retained": count($0.retained), "eligible": count($0.eligible)]
            },
            "rates": [
                ["name": "Views per user", "value": String(format: "%.1f", report.totals.viewsPerUser)],
                ["name": "Likes per user", "value": String(format: "%.2f", report.totals.likesPerUser)],
                ["name": "Comments per user", "value": String(format: "%.2f", report.totals.commentsPerUser)],
                ["name": "Shares per user", "value": String(format: "%.2f", report.totals.sharesPerUser)],
                ["name": "Watch time per user", "value": String(format: "%.0f min", report.totals.watchSecondsPerUser / 60)],
                ["name": "Revenue per user", "value": String(format: "%.2f", report.totals.revenuePerUser)],
                ["name": "Revenue per 1,000 views", "value": String(format: "%.2f", report.totals.revenuePerThousandViews)],
            ],
            "countries": users(report.byCountry), "devices": users(report.byDevice), "ages": users(report.byAgeBand),
            "plans": users(report.bySubscription), "categories": content(report.byCategory), "lengths": content(report.byLength),
            "categoryBars": SVGChart.bars(
                report.byCategory.map { ($0.name, ($0.engagementRate ?? 0) * 100) }, valueLabel: "engagement rate (%)"),
        ]
    }

    /// The table of one breakdown of users, over the context list named `list`.
    static func usersTable(_ list: String, _ heading: String) -> String {
        """
        <table><thead><tr><th>\(heading)</th><th class="n">Users</th><th class="n">Views</th><th class="n">Views per user</th><th class="n">Watch min per user</th></tr></thead>
        <tbody>{{#\(list)}}<tr><td>{{name}}</td><td class="n">{{count}}</td><td class="n">{{views}}</td><td class="n">{{perUser}}</td><td class="n">{{watch}}</td></tr>{{/\(list)}}</tbody></table>
        """
    }

    /// The table of content performance by category or length.
    static func contentTable(_ list: String, _ heading: String) -> String {
        """
        <table><thead><tr><th>\(heading)</th><th class="n">Videos</th><th class="n">Views</th><th class="n">Engagement</th><th class="n">Watched</th></tr></thead>
        <tbody>{{#\(list)}}<tr><td>{{name}}</td><td class="n">{{count}}</td><td class="n">{{views}}</td><td class="n">{{engagement}}</td><td class="n">{{watched}}</td></tr>{{/\(list)}}</tbody></table>
        """
    }

    static let template =
        DashboardTemplates.cards + """
            <p class="scope">Interaction events {{period}} · engage collect events, then engage audience build (or insights build)</p>
            <div class="grid">
            <figure id="active-users"><figcaption>Daily, weekly and monthly active users (rolling distinct; MAU sees a whole month from the log's 30th day)</figcaption>{{{active}}}</figure>
            <figure id="stickiness"><figcaption>Stickiness: DAU as a share of MAU</figcaption>{{{stickiness}}}</figure>
            <figure id="new-returning"><figcaption>New and returning users per day</figcaption>{{{newReturning}}}</figure>
            <figure id="churn"><figcaption>Weekly churn: active in a week, not in the next</figcaption>{{{churn}}}</figure>
            </div>
            <figure id="retention-heat" style="margin-top:14px"><figcaption>Weekly cohort retention: share of each signup week's users active N weeks later</figcaption>
            <table class="heat"><thead><tr><th>Cohort</th><th class="n">Users</th>{{#offsets}}<th class="n">+{{.}}</th>{{/offsets}}</tr></thead>
            <tbody>{{#heat}}<tr><th>{{cohort}}</th><td class="n">{{size}}</td>{{#cells}}<td class="n" style="{{style}}" title="{{title}}">{{text}}</td>{{/cells}}</tr>{{/heat}}</tbody></table></figure>
            <div class="grid" style="margin-top:14px">
            <figure id="n-day"><figcaption>N-day retention of users new in the log</figcaption>
            <table><thead><tr><th>Day</th><th class="n">Retained</th><th class="n">Of</th><th class="n">Share</th></tr></thead>
            <tbody>{{#retention}}<tr><td>day {{days}}</td><td class="n">{{retained}}</td><td class="n">{{eligible}}</td><td class="n">{{share}}</td></tr>{{/retention}}</tbody></table></figure>
            <figure id="rates"><figcaption>Engagement and monetization per user</figcaption>
            <table><tbody>{{#rates}}<tr><td>{{name}}</td><td class="n">{{value}}</td></tr>{{/rates}}</tbody></table></figure>
            <figure id="by-country"><figcaption>Users by country</figcaption>
            """ + usersTable("countries", "Country")
            + """
            </figure>
            <figure id="by-device"><figcaption>Users by device</figcaption>
            """ + usersTable("devices", "Device")
            + """
            </figure>
            <figure id="by-age"><figcaption>Users by age band</figcaption>
            """ + usersTable("ages", "Age band")
            + """
            </figure>
            <figure id="by-plan"><figcaption>Users by plan</figcaption>
            """ + usersTable("plans", "Plan")
            + """
            </figure>
            <figure id="content-category"><figcaption>What engages: content by category</figcaption>{{{categoryBars}}}
            """ + contentTable("categories", "Category")
            + """
            </figure>
            <figure id="content-length"><figcaption>What engages: content by length</figcaption>
            """ + contentTable("lengths", "Length")
            + """
            </figure>
            </div>
            """
}
