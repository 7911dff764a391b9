import Foundation
import MongoKit
import SourceSchemas

/// What the Movies page shows: releases, budgets and revenue by year and by genre, the ROI
/// distribution, budget against revenue, the correlation matrix of the numeric fields, the
/// biggest hits and flops, and the top companies and directors. One `$facet` over
/// `raw_tmdb_movies` as TMDB's `/movie/{id}` answers them (the TMDB 5000 CSV is collected into
/// the same shape), stored by `engage insights build` or run live for a date range or a genre.
///
/// TMDB writes an unknown budget or revenue as 0: both are read as missing, and ROI (revenue
/// over budget) exists only where both are known.
public struct MovieSummary: Sendable, Codable, Equatable {
    /// `all` or `live`.
    public var scope: String
    /// True when computed for this request.
    public var live: Bool
    /// The most movies a live summary reads; nil for the stored one.
    public var rowCap: Int?
    /// When it was built or computed (ISO 8601, UTC).
    public var computedAt: String
    /// Movies in scope, with a known budget, and with budget and revenue both known.
    public var movies: Int, withBudget: Int, withBoth: Int
    /// Summed known revenue, median known budget, median ROI.
    public var totalRevenue: Double, medianBudget: Double?, medianROI: Double?
    /// Per release year, oldest first.
    public var years: [Group]
    /// Per genre, most movies first.
    public var genres: [Group]
    /// ROI histogram: bins of 0.25 in log10(ROI) (0 is break-even).
    public var roiBins: [Bin]
    /// Up to 400 sampled movies with both known, for the log-log scatter.
    public var sample: [Point]
    /// ``correlationFields`` × ``correlationFields`` Pearson correlations (nil where fewer than 3 pairs).
    public var correlation: [[Double?]]
    /// The highest and the lowest ROI among movies with a budget of at least $1M.
    public var hits: [Outlier], flops: [Outlier]
    /// The production companies and directors with the most revenue.
    public var companies: [Group], directors: [Group]

    /// One year, genre, company or director.
    public struct Group: Sendable, Codable, Equatable {
        /// Its name (a year as text).
        public var name: String
        /// Movies.
        public var movies: Int
        /// Summed known revenue.
        public var revenue: Double
        /// Medians of the known values.
        public var medianBudget: Double?, medianRevenue: Double?, medianROI: Double?
    }

    /// A histogram bin.
    public struct Bin: Sendable, Codable, Equatable {
        /// Lower edge in log10(ROI).
        public var from: Double
        /// Movies in `[from, from + 0.25)`.
        public var movies: Int
    }

    /// A sampled movie.
    public struct Point: Sendable, Codable, Equatable {
        /// Budget and revenue in dollars.
        public var budget: Double, revenue: Double
    }

    /// A hit or a flop.
    public struct Outlier: Sendable, Codable, Equatable {
        /// Title and release year.
        public var title: String, year: Int?
        /// Budget, revenue and their ratio.
        public var budget: Double, revenue: Double, roi: Double
    }

    /// The fields of the correlation matrix, and the labels the page gives them. Heavy-tailed
    /// counts enter as log10, so that a few blockbusters do not make the whole matrix.
    public static let correlationFields: [(field: String, label: String)] = [
        ("log_budget", "log budget"), ("log_revenue", "log revenue"), ("runtime", "runtime"), ("vote_average", "vote average"),
        ("log_votes", "log vote count"), ("log_popularity", "log popularity"),
    ]
    /// Width of the ROI histogram's bins, in log10.
    public static let roiBinWidth = 0.25

    /// The aggregation over `raw_tmdb_movies`: an optional row cap, one `$project` to the
    /// columns used, the filter's `$match` on them, then one `$facet`.
    static func pipeline(match: Document, rowCap: Int?) -> [Document] {
        func known(_ field: String) -> BSONValue { ["$and": [["$isNumber": .string("$" + field)], ["$gt": [.string("$" + field), 0]]]] }
        func positive(_ field: String) -> BSONValue { ["$cond": [known(field), .string("$" + field), .null]] }
        func log10(_ field: String) -> BSONValue { ["$cond": [known(field), ["$log10": .string("$" + field)], .null]] }
        // Each name once per movie: a list that names a company twice counts the movie once.
        func names(_ field: String) -> BSONValue {
            [
                "$setUnion": [
                    [
                        "$map": [
                            "input": ["$cond": [["$isArray": .string("$" + field)], .string("$" + field), []]], "as": "e", "in": "$$e.name",
                        ]
                    ],
                    [],
                ]
            ]
        }
        let released: BSONValue = ["$convert": ["input": "$release_date", "to": "date", "onError": .null, "onNull": .null]]
        let directors: BSONValue = [
            "$filter": [
                "input": ["$cond": [["$isArray": "$credits.crew"], "$credits.crew", []]], "cond": ["$eq": ["$$this.job", "Director"]],
            ]
        ]
        var stages: [Document] = rowCap.map { [["$limit": BSONValue($0)]] } ?? []
        stages += [
            [
                "$project": [
                    "_id": 0, "title": 1, "released": released, "budget": positive("budget"), "revenue": positive("revenue"),
                    "runtime": positive("runtime"), "vote_average": ["$cond": [["$isNumber": "$vote_average"], "$vote_average", .null]],
                    "log_budget": log10("budget"), "log_revenue": log10("revenue"), "log_votes": log10("vote_count"),
                    "log_popularity": log10("popularity"), "genres": names("genres"), "companies": names("production_companies"),
                    // The director's name, or an empty list: null and missing mean the same here.
                    "director": ["$setUnion": [["$map": ["input": directors, "as": "d", "in": "$$d.name"]], []]],
                ]
            ],
            [
                "$set": [
                    "year": ["$cond": [["$eq": [["$type": "$released"], "date"]], ["$year": "$released"], .null]],
                    "roi": [
                        "$cond": [
                            ["$and": [["$isNumber": "$budget"], ["$isNumber": "$revenue"]]], ["$divide": ["$revenue", "$budget"]], .null,
                        ]
                    ],
                ]
            ],
        ]
        if !match.isEmpty { stages.append(["$match": .document(match)]) }
        func median(_ field: String) -> BSONValue { ["$median": ["input": .string("$" + field), "method": "approximate"]] }
        func groupBy(_ key: BSONValue) -> BSONValue {
            [
                "$group": [
                    "_id": key, "movies": ["$sum": 1], "revenue": ["$sum": "$revenue"], "budget": median("budget"),
                    "median_revenue": median("revenue"), "roi": median("roi"),
                ]
            ]
        }
        let named: BSONValue = ["$match": ["_id": ["$type": "string"]]]
        var sums: Document = ["_id": .null]
        let fields = correlationFields.map(\.field)
        for (i, a) in fields.enumerated() {
            for b in fields[(i + 1)...] {
                let both: BSONValue = ["$and": [["$isNumber": .string("$" + a)], ["$isNumber": .string("$" + b)]]]
                func sum(_ value: BSONValue) -> BSONValue { ["$sum": ["$cond": [both, value, 0]]] }
                let key = "\(a)|\(b)"
                sums["n|" + key] = sum(1)
                sums["a|" + key] = sum(.string("$" + a))
                sums["b|" + key] = sum(.string("$" + b))
                sums["aa|" + key] = sum(["$multiply": [.string("$" + a), .string("$" + a)]])
                sums["bb|" + key] = sum(["$multiply": [.string("$" + b), .string("$" + b)]])
                sums["ab|" + key] = sum(["$multiply": [.string("$" + a), .string("$" + b)]])
            }
        }
        let outlier: Document = ["_id": 0, "title": 1, "year": 1, "budget": 1, "revenue": 1, "roi": 1]
        let bigEnough: BSONValue = ["$match": ["roi": ["$type": "number"], "budget": ["$gte": 1_000_000]]]
        stages.append([
            "$facet": [
                "head": [
                    [
                        "$group": [
                            "_id": .null, "movies": ["$sum": 1], "budget_known": ["$sum": ["$cond": [["$isNumber": "$budget"], 1, 0]]],
                            "both": ["$sum": ["$cond": [["$isNumber": "$roi"], 1, 0]]], "revenue": ["$sum": "$revenue"],
                            "budget": median("budget"), "roi": median("roi"),
                        ]
                    ]
                ],
                "years": [groupBy("$year"), ["$match": ["_id": ["$type": "number"]]], ["$sort": ["_id": 1]]],
                "genres": [["$unwind": "$genres"], groupBy("$genres"), named, ["$sort": ["movies": -1, "_id": 1]]],
                "roi": [
                    ["$match": ["roi": ["$gt": 0]]],
                    [
                        "$group": [
                            "_id": [
                                "$multiply": [["$floor": ["$divide": [["$log10": "$roi"], .double(roiBinWidth)]]], .double(roiBinWidth)]
                            ],
                            "movies": ["$sum": 1],
                        ]
                    ],
                    ["$sort": ["_id": 1]],
                ],
                "sample": [
                    ["$match": ["roi": ["$type": "number"]]], ["$sample": ["size": 400]],
                    ["$project": ["_id": 0, "budget": 1, "revenue": 1]],
                ],
                "correlation": [["$group": .document(sums)]],
                "hits": [bigEnough, ["$sort": ["roi": -1, "title": 1]], ["$limit": 10], ["$project": .document(outlier)]],
                "flops": [bigEnough, ["$sort": ["roi": 1, "title": 1]], ["$limit": 10], ["$project": .document(outlier)]],
                "companies": [
                    ["$unwind": "$companies"], groupBy("$companies"), named, ["$sort": ["revenue": -1, "_id": 1]], ["$limit": 20],
                ],
                "directors": [
                    ["$unwind": "$director"], groupBy("$director"), named, ["$sort": ["revenue": -1, "_id": 1]], ["$limit": 20],
                ],
            ]
        ])
        return stages
    }

    /// Reads the `$facet` answer.
    init(facets: Document, scope: String, live: Bool, rowCap: Int?, computedAt: Date) {
        func rows(_ name: String) -> [Document] { facets[name]?.arrayValue?.compactMap(\.documentValue) ?? [] }
        func count(_ document: Document, _ key: String = "movies") -> Int { Int(document[key]?.int64Value ?? 0) }
        func group(_ row: Document) -> Group {
            let name: String =
                switch row["_id"] {
                case .string(let text)?: text
                case let value?: value.int64Value.map { String($0) } ?? "unknown"
                case nil: "unknown"
                }
            return Group(
                name: name, movies: count(row), revenue: row["revenue"]?.doubleValue ?? 0, medianBudget: row["budget"]?.doubleValue,
                medianRevenue: row["median_revenue"]?.doubleValue, medianROI: row["roi"]?.doubleValue)
        }
        let head = rows("head").first ?? [:]
        self.scope = scope
        self.live = live
        self.rowCap = rowCap
        self.computedAt = computedAt.formatted(.iso8601)
        movies = count(head)
        withBudget = count(head, "budget_known")
        withBoth = count(head, "both")
        totalRevenue = head["revenue"]?.doubleValue ?? 0
        medianBudget = head["budget"]?.doubleValue
        medianROI = head["roi"]?.doubleValue
        years = rows("years").map(group)
        genres = rows("genres").map(group)
        companies = rows("companies").map(group)
        directors = rows("directors").map(group)
        roiBins = rows("roi").map { Bin(from: $0["_id"]?.doubleValue ?? 0, movies: count($0)) }
        sample = rows("sample").compactMap { row in
            guard let budget = row["budget"]?.doubleValue, let revenue = row["revenue"]?.doubleValue else { return nil }
            return Point(budget: budget, revenue: revenue)
        }
        func outliers(_ name: String) -> [Outlier] {
            rows(name).map {
                Outlier(
                    title: $0["title"]?.stringValue ?? "", year: $0["year"]?.int64Value.map { Int($0) },
                    budget: $0["budget"]?.doubleValue ?? 0,
                    revenue: $0["revenue"]?.doubleValue ?? 0, roi: $0["roi"]?.doubleValue ?? 0)
            }
        }
        hits = outliers("hits")
        flops = outliers("flops")
        let sums = rows("correlation").first ?? [:]
        let fields = Self.correlationFields.map(\.field)
        correlation = fields.indices.map { i in
            fields.indices.map { j -> Double? in
                if i == j { return 1 }
                // Sums are stored once per pair, in field order; x is the earlier field.
                let (x, y) = (min(i, j), max(i, j))
                func s(_ prefix: String) -> Double { sums["\(prefix)|\(fields[x])|\(fields[y])"]?.doubleValue ?? 0 }
                let n = s("n")
                guard n >= 3 else { return nil }
                let covariance = s("ab") - s("a") * s("b") / n
                let spread = (s("aa") - s("a") * s("a") / n) * (s("bb") - s("b") * s("b") / n)
                guard spread > 0 else { return nil }
                return covariance / spread.squareRoot()
            }
        }
    }
}

/// The Movies page's filter: release dates and a genre. Values are data (each an `$eq` or a
/// date range); a genre no movie has is refused by name.
public struct MovieFilter: Sendable, Equatable {
    /// First release day included.
    public var from: Date?
    /// Last release day included.
    public var to: Date?
    /// A genre name as TMDB writes it.
    public var genre: String?

    /// No filter: every movie.
    public init() {}

    /// Reads `from`, `to` (YYYY-MM-DD) and `genre` from query parameters.
    public init(query: [String: String]) throws(InsightsError) {
        genre = InsightsFilter.value(query, "genre")
        (from, to) = try InsightsFilter.days(query)
    }

    /// True for no filter: the stored summary answers it.
    public var isEmpty: Bool { from == nil && to == nil && genre == nil }

    /// The `$match` on the projected movie rows.
    var match: Document {
        var match: Document = [:]
        if let genre { match["genres"] = ["$eq": .string(genre)] }
        if let range = InsightsFilter.dayRange(from: from, to: to) { match["released"] = range }
        return match
    }

    /// The filter as query parameters.
    public var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let from { items.append(("from", InsightsFilter.dayText(from))) }
        if let to { items.append(("to", InsightsFilter.dayText(to))) }
        if let genre { items.append(("genre", genre)) }
        return items
    }
}
