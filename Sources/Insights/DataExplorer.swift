import Foundation
import MongoKit

/// What the Data explorer shows for one filter, as pandas' `info()` and `describe()` would: the
/// row count, each column's type, how many rows hold a value of that type and how many do not,
/// a numeric summary of number columns, and a preview of the newest rows. One `$group` and one
/// sorted `$limit` inside a `$facet`, stored per scope by `engage insights build` or run live
/// with a row cap, like ``VideoSummary``.
public struct ExplorerSummary: Sendable, Codable, Equatable {
    /// `all`, `platform:NAME`, or `live`.
    public var scope: String
    /// True when computed for this request.
    public var live: Bool
    /// The most rows a live summary reads; nil for stored ones.
    public var rowCap: Int?
    /// When the stored profile was built, or the live one computed (ISO 8601, UTC).
    public var computedAt: String
    /// Rows in scope.
    public var rows: Int
    /// Every column of `insights_videos`, in ``VideoRows/columns`` order.
    public var columns: [Column]
    /// The column names of ``preview``'s cells.
    public var previewColumns: [String]
    /// The newest rows (by publish time), each cell as the CSV download writes it.
    public var preview: [[String]]

    /// One column's profile.
    public struct Column: Sendable, Codable, Equatable {
        /// Column name.
        public var name: String
        /// Its declared type: text, number, date or list.
        public var type: String
        /// Rows holding a value of that type.
        public var values: Int
        /// Rows holding nothing (null or missing) or a value of another type.
        public var nulls: Int
        /// For number columns with values: count, mean, standard deviation and the quantiles.
        public var numeric: NumericSummary?
    }

    /// `describe()` for one number column.
    public struct NumericSummary: Sendable, Codable, Equatable {
        /// Mean and population standard deviation.
        public var mean: Double, std: Double
        /// Minimum, quartiles (approximate, as `$percentile` computes them) and maximum.
        public var min: Double, p25: Double, median: Double, p75: Double, max: Double
    }

    /// Rows shown in the preview.
    public static let previewRows = 20

    /// The aggregation over `insights_videos`: the filter's `$match`, an optional cap, one `$facet`.
    static func pipeline(match: Document, rowCap: Int?) -> [Document] {
        var stages: [Document] = []
        if !match.isEmpty { stages.append(["$match": .document(match)]) }
        if let rowCap { stages.append(["$limit": BSONValue(rowCap)]) }
        var group: Document = ["_id": .null, "rows": ["$sum": 1]]
        for column in VideoRows.columns {
            let field = BSONValue.string("$" + column.name)
            group["n_" + column.name] = ["$sum": ["$cond": [column.type.holds(field), 1, 0]]]
            guard column.type == .number else { continue }
            group["mean_" + column.name] = ["$avg": field]
            group["std_" + column.name] = ["$stdDevPop": field]
            group["min_" + column.name] = ["$min": field]
            group["max_" + column.name] = ["$max": field]
            group["q_" + column.name] = ["$percentile": ["input": field, "p": [0.25, 0.5, 0.75], "method": "approximate"]]
        }
        var preview: Document = ["_id": 0]
        for column in VideoRows.columns { preview[column.name] = 1 }
        stages.append([
            "$facet": [
                "profile": [["$group": .document(group)]],
                "preview": [
                    ["$sort": ["published_at": -1, "_id": 1]], ["$limit": BSONValue(previewRows)], ["$project": .document(preview)],
                ],
            ]
        ])
        return stages
    }

    /// Reads the `$facet` answer.
    init(facets: Document, scope: String, live: Bool, rowCap: Int?, computedAt: Date) {
        let profile = facets["profile"]?.arrayValue?.first?.documentValue ?? [:]
        let rows = Int(profile["rows"]?.int64Value ?? 0)
        self.scope = scope
        self.live = live
        self.rowCap = rowCap
        self.computedAt = computedAt.formatted(.iso8601)
        self.rows = rows
        columns = VideoRows.columns.map { column in
            let values = Int(profile["n_" + column.name]?.int64Value ?? 0)
            var numeric: NumericSummary?
            let quantiles = (profile["q_" + column.name]?.arrayValue ?? []).compactMap(\.doubleValue)
            if column.type == .number, values > 0, quantiles.count == 3, let mean = profile["mean_" + column.name]?.doubleValue,
                let low = profile["min_" + column.name]?.doubleValue, let high = profile["max_" + column.name]?.doubleValue
            {
                numeric = NumericSummary(
                    mean: mean, std: profile["std_" + column.name]?.doubleValue ?? 0, min: low, p25: quantiles[0],
                    median: quantiles[1], p75: quantiles[2], max: high)
            }
            return Column(name: column.name, type: column.type.rawValue, values: values, nulls: rows - values, numeric: numeric)
        }
        previewColumns = VideoRows.columns.map(\.name)
        preview = (facets["preview"]?.arrayValue ?? []).compactMap(\.documentValue).map { row in
            VideoRows.columns.map { VideoRows.cellText(row[$0.name], type: $0.type) ?? "" }
        }
    }
}
