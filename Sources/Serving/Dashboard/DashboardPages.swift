import Charts
import Foundation
import Insights

/// Turns a ``VideoSummary`` into the values each page's template shows. Pure: no database, no
/// HTTP, so what a page says is testable from a summary alone.
enum DashboardPages {
    /// A page of the dashboard: its path, its name in the navigation, and its template.
    struct Page: Sendable {
        var path: String
        var name: String
        var template: String
    }

    static let overview = Page(path: "/", name: "Overview", template: "overview")
    static let growth = Page(path: "/growth", name: "Growth & timing", template: "growth")
    static let creators = Page(path: "/creators", name: "Creators & content", template: "creators")
    static let virality = Page(path: "/virality", name: "Virality lab", template: "virality")
    static let segments = Page(path: "/segments", name: "Segments", template: "segments")
    static let explorer = Page(path: "/explorer", name: "Data explorer", template: "explorer")
    static let trends = Page(path: "/trends", name: "TikTok trends", template: "trends")
    static let movies = Page(path: "/movies", name: "Movies", template: "movies")
    static let all = [overview, growth, creators, virality, segments, explorer, trends, movies, AudiencePage.page, ModelsPage.page]

    /// What the scope line under a page's title says: how many videos, and whether the numbers
    /// are a stored summary or computed for this request.
    struct Scope {
        var videos: Int
        var live: Bool
        var rowCap: Int?
        var computedAt: String
        /// What is counted: videos, or movies.
        var noun = "videos"

        /// The line itself: how many, under which filter, stored or live.
        func line(_ filter: [(String, String)]) -> String {
            let described = filter.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            return "\(count(videos)) \(noun) · \(described.isEmpty ? "all data" : described) · "
                + (live ? "computed now" : "built \(computedAt)")
        }

        init(_ summary: VideoSummary) {
            self.init(videos: summary.kpis.videos, live: summary.live, rowCap: summary.rowCap, computedAt: summary.computedAt)
        }

        init(_ movies: MovieSummary) {
            self.init(videos: movies.movies, live: movies.live, rowCap: movies.rowCap, computedAt: movies.computedAt)
            noun = "movies"
        }

        init(_ trends: TrendSummary) {
            self.init(videos: trends.videos, live: trends.live, rowCap: trends.rowCap, computedAt: trends.computedAt)
        }

        init(_ explorer: ExplorerSummary) {
            self.init(videos: explorer.rows, live: explorer.live, rowCap: explorer.rowCap, computedAt: explorer.computedAt)
        }

        init(videos: Int, live: Bool, rowCap: Int?, computedAt: String) {
            self.videos = videos
            self.live = live
            self.rowCap = rowCap
            self.computedAt = computedAt
        }
    }

    /// The TikTok trends page: hashtags and sounds ranked by `ranking`, with their weekly series
    /// and phase; the fastest growing videos; the top authors.
    static func trends(_ trends: TrendSummary, ranking: String) -> [String: Any] {
        func value(_ trend: TrendSummary.Trend) -> Double {
            switch ranking {
            case "likes": trend.likes
            case "shares": trend.shares
            case "comments": trend.comments
            case "videos": Double(trend.videos)
            default: trend.views
            }
        }
        let label = ranking == "views" ? "plays" : ranking
        func table(_ list: [TrendSummary.Trend]) -> [[String: Any]] {
            list.sorted { value($0) > value($1) }.prefix(50).enumerated().map { index, trend in
                [
                    "rank": "\(index + 1)", "name": trend.name, "videos": count(trend.videos), "views": SVGChart.short(trend.views),
                    "likes": SVGChart.short(trend.likes), "shares": SVGChart.short(trend.shares),
                    "comments": SVGChart.short(trend.comments), "phase": trend.phase,
                    "spark": SVGChart.sparkline(trend.weekly.suffix(16).map(Double.init)), "weeks": "\(trend.weekly.count)",
                ]
            }
        }
        func bars(_ list: [TrendSummary.Trend], _ empty: String) -> String {
            list.isEmpty
                ? "<p>\(empty)</p>"
                : SVGChart.bars(list.sorted { value($0) > value($1) }.prefix(15).map { ($0.name, value($0)) }, valueLabel: label)
        }
        let phases = Dictionary(grouping: trends.hashtags.prefix(50), by: \.phase).mapValues(\.count)
        return [
            "cards": [
                [
                    "key": "hashtags", "value": count(trends.hashtags.count),
                    "caption": "Hashtags (most played, up to \(TrendSummary.trendLimit))",
                ],
                ["key": "sounds", "value": count(trends.sounds.count), "caption": "Sounds"],
                ["key": "rising", "value": "\(phases["rising"] ?? 0)", "caption": "Rising among the top 50 hashtags"],
                ["key": "measured", "value": count(trends.measuredVideos), "caption": "Videos seen by two crawls or more"],
                [
                    "key": "velocity", "value": trends.medianVelocity.map { SVGChart.short($0) } ?? "–",
                    "caption": "Median views gained per day between crawls",
                ],
            ],
            "rankings": TrendSummary.rankings.map {
                ["value": $0, "label": $0 == "views" ? "plays" : $0, "selected": $0 == ranking] as [String: Any]
            },
            "label": label, "lastWeek": trends.lastWeek ?? "–",
            "hashtagBars": bars(trends.hashtags, "No video in scope carries a hashtag."),
            "soundBars": bars(trends.sounds, "No video in scope names its sound (only TikTok items do)."),
            "hashtags": table(trends.hashtags), "sounds": table(trends.sounds),
            "fastest": trends.fastest.enumerated().map { index, video in
                [
                    "rank": "\(index + 1)", "title": video.title, "creator": video.creator, "views": SVGChart.short(video.views),
                    "perDay": SVGChart.short(video.viewsPerDay), "perDayRaw": SVGChart.number(video.viewsPerDay),
                    "crawls": "\(video.crawls)",
                ]
            },
            "noVelocity": trends.fastest.isEmpty,
            "authors": trends.authors.enumerated().map { index, author in
                [
                    "rank": "\(index + 1)", "creator": author.creator, "followers": author.followers.map(SVGChart.short) ?? "–",
                    "likes": SVGChart.short(author.likes), "views": SVGChart.short(author.views), "videos": count(author.videos),
                ]
            },
        ]
    }

    /// The Movies page: releases, budgets and revenue by year and genre, ROI, budget against
    /// revenue, correlations, hits and flops, companies and directors.
    static func movies(_ movies: MovieSummary, filter: MovieFilter) -> [String: Any] {
        func money(_ value: Double?) -> String { value.map { "$" + SVGChart.short($0) } ?? "–" }
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.2f×", $0) } ?? "–" }
        func groups(_ list: [MovieSummary.Group]) -> [[String: String]] {
            list.map {
                [
                    "name": $0.name, "movies": count($0.movies), "revenue": money($0.revenue), "budget": money($0.medianBudget),
                    "medianRevenue": money($0.medianRevenue), "roi": ratio($0.medianROI),
                ]
            }
        }
        func outliers(_ list: [MovieSummary.Outlier]) -> [[String: String]] {
            list.map {
                [
                    "title": $0.title, "year": $0.year.map(String.init) ?? "–", "budget": money($0.budget), "revenue": money($0.revenue),
                    "roi": ratio($0.roi),
                ]
            }
        }
        let labels = MovieSummary.correlationFields.map(\.label)
        let correlation: [[String: Any]] = movies.correlation.enumerated().map { index, row in
            [
                "label": labels[index],
                "cells": row.map { value -> [String: String] in
                    guard let value else { return ["text": "–", "style": ""] }
                    // Blue for positive, red for negative, stronger for larger |r|: numbers only.
                    let color = value >= 0 ? "59,130,246" : "239,68,68"
                    return [
                        "text": String(format: "%.2f", value),
                        "style": "background: rgba(\(color),\(String(format: "%.2f", abs(value) * 0.8)))",
                    ]
                },
            ]
        }
        let years = movies.years
        let yearTicks = stride(from: 0, to: years.count, by: max(1, years.count / 6)).map { (Double($0), years[$0].name) }
        return [
            "cards": [
                ["key": "movies", "value": count(movies.movies), "caption": "Movies in scope"],
                ["key": "both_known", "value": count(movies.withBoth), "caption": "With budget and revenue known"],
                ["key": "total_revenue", "value": money(movies.totalRevenue), "caption": "Known revenue, summed"],
                ["key": "median_budget", "value": money(movies.medianBudget), "caption": "Median known budget"],
                ["key": "median_roi", "value": ratio(movies.medianROI), "caption": "Median ROI (revenue ÷ budget)"],
            ],
            "from": filter.from.map(InsightsFilter.dayText) ?? "", "to": filter.to.map(InsightsFilter.dayText) ?? "",
            "genreOptions": movies.genres.map { ["value": $0.name, "selected": $0.name == filter.genre] as [String: Any] },
            "releases": SVGChart.columns(years.map { ($0.name, Double($0.movies)) }, xLabel: "release year", yLabel: "movies"),
            "money": SVGChart.lines(
                [
                    ("median budget", years.enumerated().compactMap { i, y in y.medianBudget.map { (Double(i), $0 / 1e6) } }),
                    ("median revenue", years.enumerated().compactMap { i, y in y.medianRevenue.map { (Double(i), $0 / 1e6) } }),
                ], xLabel: "release year", yLabel: "$ millions", xTicks: yearTicks),
            "genreBars": SVGChart.bars(movies.genres.prefix(15).map { ($0.name, Double($0.movies)) }, valueLabel: "movies"),
            "roi": SVGChart.columns(
                movies.roiBins.map { (String(format: "%.2g×", pow(10, $0.from)), Double($0.movies)) }, xLabel: "ROI (log scale bins)",
                yLabel: "movies", highlightFrom: 0, positions: movies.roiBins.map { $0.from + 1e-9 }),
            "scatter": SVGChart.scatter(
                movies.sample.map { (log10($0.budget), log10($0.revenue)) }, xLabel: "log10 budget", yLabel: "log10 revenue", diagonal: true
            ),
            "sampled": "\(movies.sample.count)",
            "correlationLabels": labels, "correlation": correlation,
            "genres": groups(movies.genres), "companies": groups(movies.companies), "directors": groups(movies.directors),
            "hits": outliers(movies.hits), "flops": outliers(movies.flops),
        ]
    }

    /// The Data explorer: the column profile, the preview, and the link to the CSV of the same rows.
    static func explorer(_ explorer: ExplorerSummary, filter: InsightsFilter) -> [String: Any] {
        func number(_ value: Double) -> String { SVGChart.short(value) }
        return [
            "cards": [
                ["key": "rows", "value": count(explorer.rows), "caption": "Rows in scope"],
                ["key": "columns", "value": "\(explorer.columns.count)", "caption": "Columns"],
                [
                    "key": "complete", "value": "\(explorer.columns.filter { $0.nulls == 0 }.count)",
                    "caption": "Columns without a null",
                ],
            ],
            "download": "/v1/insights/rows.csv" + queryString(filter.queryItems), "rows": count(explorer.rows),
            "columns": explorer.columns.map { column -> [String: Any] in
                var row: [String: Any] = [
                    "name": column.name, "type": column.type, "values": count(column.values), "nulls": count(column.nulls),
                    "nullShare": explorer.rows > 0 ? percent(Double(column.nulls) / Double(explorer.rows)) : "–",
                ]
                if let n = column.numeric {
                    row["numeric"] = [
                        "mean": number(n.mean), "std": number(n.std), "min": number(n.min), "p25": number(n.p25),
                        "median": number(n.median), "p75": number(n.p75), "max": number(n.max),
                    ]
                }
                return row
            },
            "previewColumns": explorer.previewColumns, "previewCount": "\(explorer.preview.count)",
            "preview": explorer.preview.map { cells in
                ["cells": cells.map { $0.count > 80 ? String($0.prefix(79)) + "…" : $0 }]
            },
        ]
    }

    /// The Segments page's choices: dimension, metric and statistic.
    static let segmentDimensions: [(value: String, label: String)] = [
        ("platform", "Platform"), ("country", "Country"), ("category", "Category"), ("duration_bucket", "Duration"), ("tier", "Tier"),
    ]
    static let statistics = ["median", "mean", "sum"]

    static func segments(_ summary: VideoSummary, by dimension: String, metric: String, statistic: String) -> [String: Any] {
        let rows = summary.segments[dimension] ?? []
        func value(_ row: VideoSummary.SegmentStats) -> Double {
            (statistic == "sum" ? row.sum : statistic == "mean" ? row.mean : row.median)[metric] ?? 0
        }
        let ranked = rows.sorted { value($0) > value($1) }
        let metricLabel = metrics.first { $0.value == metric }?.label ?? metric
        func shown(_ number: Double) -> String {
            metric == "engagement_rate" && statistic != "sum" ? percent(number) : SVGChart.short(number)
        }
        return [
            "dimensions": segmentDimensions.map {
                ["value": $0.value, "label": $0.label, "selected": $0.value == dimension] as [String: Any]
            },
            "metrics": metrics.map { ["value": $0.value, "label": $0.label, "selected": $0.value == metric] as [String: Any] },
            "statistics": statistics.map { ["value": $0, "selected": $0 == statistic] as [String: Any] },
            "title":
                "\(statistic.capitalized) \(metricLabel.lowercased()) by \(segmentDimensions.first { $0.value == dimension }?.label.lowercased() ?? dimension)",
            "bars": rows.isEmpty
                ? "<p>No video carries this dimension (TikTok items have no country or category).</p>"
                : SVGChart.bars(ranked.prefix(15).map { ($0.name, value($0)) }, valueLabel: "\(statistic) \(metricLabel.lowercased())"),
            "rows": ranked.map { ["name": $0.name, "videos": count($0.videos), "value": shown(value($0))] },
        ]
    }

    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// The page around `body`: navigation keeping the filter, the filter form, the scope line.
    static func layout(
        page: Page, body: String, filter: InsightsFilter, known: KnownValues?, scope: Scope?, extraQuery: [(String, String)] = []
    ) -> [String: Any] {
        let query = queryString(filter.queryItems)
        var context: [String: Any] = [
            "title": page.name, "body": body,
            "pages": all.map { ["path": $0.path, "name": $0.name, "query": query, "current": $0.path == page.path] as [String: Any] },
        ]
        if let known {
            func options(_ values: [String], _ selected: String?) -> [[String: Any]] {
                values.map { ["value": $0, "selected": $0 == selected] }
            }
            context["filters"] =
                [
                    "action": page.path, "hidden": extraQuery.map { ["name": $0.0, "value": $0.1] },
                    "platforms": options(known.platforms, filter.platform), "categories": options(known.categories, filter.category),
                    "countries": options(known.countries, filter.country), "from": filter.from.map(InsightsFilter.dayText) ?? "",
                    "to": filter.to.map(InsightsFilter.dayText) ?? "", "creator": filter.creator ?? "",
                ] as [String: Any]
        }
        if let scope {
            context["scope"] = scope.line(filter.queryItems)
            if scope.live {
                context["live"] = true
                context["rowCap"] = count(scope.rowCap ?? 0)
            }
        }
        return context
    }

    static func kpiCards(_ summary: VideoSummary) -> [[String: String]] {
        let k = summary.kpis
        return [
            ["key": "videos", "value": count(k.videos), "caption": "Videos in scope"],
            ["key": "total_views", "value": SVGChart.short(k.totalViews), "caption": "Total views"],
            ["key": "median_engagement", "value": percent(k.medianEngagementRate), "caption": "Median engagement rate"],
            ["key": "platforms", "value": "\(k.platforms.count)", "caption": k.platforms.joined(separator: ", ")],
            ["key": "average_views", "value": SVGChart.short(k.averageViews), "caption": "Average views per video"],
            ["key": "median_duration", "value": k.medianDuration.map { "\(SVGChart.short($0)) s" } ?? "–", "caption": "Median duration"],
            ["key": "high_potential", "value": percent(k.highPotentialShare), "caption": "Share with High viral potential"],
        ]
    }

    static func overview(_ summary: VideoSummary) -> [String: Any] {
        [
            "cards": kpiCards(summary),
            "tiers": SVGChart.logBoxes(summary.tiers.map { ($0.tier, $0.quantiles, $0.videos) }, yLabel: "views"),
            "potential": SVGChart.donut(summary.potential.map { ($0.name, Double($0.videos)) }),
        ]
    }

    /// The growth metrics, their labels, and how a period's value is formed from daily totals.
    static let metrics: [(value: String, label: String)] = [
        ("views", "Views"), ("likes", "Likes"), ("comments", "Comments"), ("shares", "Shares"), ("engagement_rate", "Engagement rate"),
    ]
    static let periods = ["day", "week", "month"]

    /// A metric's value per period: sums, or for the engagement rate the ratio of summed
    /// engagements to summed views (which, unlike a median, adds up across days).
    static func series(_ daily: [VideoSummary.DayTotals], metric: String, period: String) -> [(String, Double)] {
        var order: [String] = []
        var totals: [String: (views: Double, likes: Double, comments: Double, shares: Double)] = [:]
        for day in daily {
            let key = periodKey(day.day, period)
            if totals[key] == nil { order.append(key) }
            var total = totals[key] ?? (0, 0, 0, 0)
            total.views += day.views
            total.likes += day.likes
            total.comments += day.comments
            total.shares += day.shares
            totals[key] = total
        }
        return order.map { key in
            let t = totals[key]!
            let value: Double =
                switch metric {
                case "likes": t.likes
                case "comments": t.comments
                case "shares": t.shares
                case "engagement_rate": t.views > 0 ? min(1, (t.likes + t.comments + t.shares) / t.views) : 0
                default: t.views
                }
            return (key, value)
        }
    }

    /// The period a `YYYY-MM-DD` day belongs to: itself, its ISO week's Monday, or `YYYY-MM`.
    static func periodKey(_ day: String, _ period: String) -> String {
        switch period {
        case "month": return String(day.prefix(7))
        case "week":
            var calendar = Calendar(identifier: .iso8601)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            guard let date = try? InsightsFilter.day(day, parameter: "day"),
                let monday = calendar.dateInterval(of: .weekOfYear, for: date)?.start
            else { return day }
            return InsightsFilter.dayText(monday)
        default: return day
        }
    }

    static func growth(_ summary: VideoSummary, metric: String, period: String) -> [String: Any] {
        let points = series(summary.daily, metric: metric, period: period)
        let label = metrics.first { $0.value == metric }?.label ?? "Views"
        var cards: [[String: String]] = [["key": "periods", "value": "\(points.count)", "caption": "\(period.capitalized)s with videos"]]
        if points.count >= 2 {
            let last = points[points.count - 1].1, previous = points[points.count - 2].1
            let growth = previous > 0 ? (last - previous) / previous : nil
            cards.append([
                "key": "growth", "value": growth.map { String(format: "%+.1f%%", $0 * 100) } ?? "–",
                "caption": "\(label), \(points[points.count - 1].0) against \(points[points.count - 2].0)",
            ])
        }
        if let peak = points.max(by: { $0.1 < $1.1 }) {
            cards.append([
                "key": "peak", "value": peak.0,
                "caption": "Peak \(period): \(metric == "engagement_rate" ? percent(peak.1) : SVGChart.short(peak.1))",
            ])
        }
        var grid = [[Double?]](repeating: [Double?](repeating: nil, count: 24), count: 7)
        for cell in summary.timing where (1...7).contains(cell.weekday) && (0..<24).contains(cell.hour) {
            grid[cell.weekday - 1][cell.hour] = cell.medianViews
        }
        let best = summary.timing.filter { $0.videos >= 3 }.max { $0.medianViews < $1.medianViews }
        let xTicks = stride(from: 0, to: points.count, by: max(1, points.count / 5)).map { (Double($0), points[$0].0) }
        return [
            "cards": cards,
            "metrics": metrics.map { ["value": $0.value, "label": $0.label, "selected": $0.value == metric] as [String: Any] },
            "periods": periods.map { ["value": $0, "selected": $0 == period] as [String: Any] },
            "metricLabel": label, "period": period,
            "series": SVGChart.lines(
                [(label, points.enumerated().map { (Double($0.offset), $0.element.1) })], xLabel: period, yLabel: label, xTicks: xTicks),
            "heat": SVGChart.heatMap(rows: weekdays, columns: (0..<24).map { "\($0)h" }, values: grid, valueLabel: "median views"),
            "bestTime": best.map {
                "Best slot with at least 3 videos: \(weekdays[$0.weekday - 1]) \($0.hour):00 UTC, median \(SVGChart.short($0.medianViews)) views over \($0.videos) videos."
            } ?? "Too few dated videos for a best time.",
        ]
    }

    static func creators(_ summary: VideoSummary) -> [String: Any] {
        [
            "topBars": SVGChart.bars(summary.creators.prefix(10).map { ($0.creator, $0.views) }, valueLabel: "total views"),
            "durations": SVGChart.bars(summary.durations.map { ($0.name, $0.medianViews) }, valueLabel: "median views"),
            "categories": summary.categories.isEmpty
                ? "<p>No categories in these videos (TikTok items carry none).</p>"
                : SVGChart.bars(summary.categories.prefix(15).map { ($0.name, $0.medianViews) }, valueLabel: "median views"),
            "leaders": summary.creators.enumerated().map { index, row in
                [
                    "rank": "\(index + 1)", "creator": row.creator, "videos": count(row.videos), "views": SVGChart.short(row.views),
                    "viewsRaw": SVGChart.number(row.views), "engagement": percent(row.medianEngagementRate),
                    "shares": SVGChart.short(row.shares), "comments": SVGChart.short(row.comments),
                    "virality": row.medianViralityScore.map { String(format: "%.2f", $0) } ?? "–",
                ]
            },
        ]
    }

    /// The threshold the slider starts at: the High-potential cut of the whole scope, rounded to a bin.
    static func defaultThreshold(_ summary: VideoSummary) -> Double {
        let total = summary.virality.map(\.videos).reduce(0, +)
        var seen = 0
        for bin in summary.virality.reversed() {
            seen += bin.videos
            if Double(seen) >= 0.1 * Double(total) { return bin.from }
        }
        return 0
    }

    static func virality(_ summary: VideoSummary, threshold: Double) -> [String: Any] {
        let above = summary.videos(scoringAtLeast: threshold)
        let total = summary.virality.map(\.videos).reduce(0, +)
        let platforms = summary.kpis.platforms
        let maxScore = ((summary.virality.last?.from ?? 0) + VideoSummary.viralityBinWidth)
        return [
            "cards": [
                ["key": "above", "value": count(above), "caption": "Videos scoring ≥ \(String(format: "%.2f", threshold))"],
                [
                    "key": "above_share", "value": percent(total > 0 ? Double(above) / Double(total) : nil),
                    "caption": "Share above the threshold",
                ],
                ["key": "scored", "value": count(total), "caption": "Videos with a score"],
            ],
            "threshold": String(format: "%.2f", threshold), "step": "\(VideoSummary.viralityBinWidth)",
            "maxScore": String(format: "%.2f", maxScore),
            "histogram": SVGChart.columns(
                summary.virality.map { (String(format: "%.2f", $0.from), Double($0.videos)) }, xLabel: "virality score", yLabel: "videos",
                highlightFrom: threshold, positions: summary.virality.map { $0.from + 1e-9 }),
            "platforms": SVGChart.bars(
                summary.platforms.map { ($0.platform, $0.medianViralityScore ?? 0) }, valueLabel: "median virality score"),
            "scatter": SVGChart.scatter(
                summary.sample.map { (log10(max($0.views, 1)), $0.engagementRate) },
                groups: summary.sample.map { platforms.firstIndex(of: $0.platform) ?? 0 }, legend: platforms, xLabel: "log10 views",
                yLabel: "engagement rate"),
            "sampled": "\(summary.sample.count)", "candidateCount": "\(summary.candidates.count)",
            "candidates": summary.candidates.enumerated().map { index, row in
                [
                    "rank": "\(index + 1)", "title": row.title, "creator": row.creator, "platform": row.platform,
                    "views": SVGChart.short(row.views), "engagement": percent(row.engagementRate),
                    "score": String(format: "%.2f", row.viralityScore),
                ]
            },
        ]
    }

    static func queryString(_ items: [(String, String)]) -> String {
        guard !items.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return "?" + items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    static func count(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: value)) ?? "\(value)"
    }

    /// A day as the pages show it: `YYYY-MM-DD` (UTC).
    static func day(_ date: Date) -> String { String(dayTime(date).prefix(10)) }

    /// A moment as the pages show it: `YYYY-MM-DD HH:MM` UTC.
    static func dayTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return String(formatter.string(from: date).prefix(16))
    }

    static func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "–" }
}
