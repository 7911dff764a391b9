/// What a feature column holds.
public enum FeatureKind: String, Sendable, Codable {
    /// Numbers; `NaN` marks a missing value.
    case numeric
    /// Labels from a finite set; `nil` marks a missing value.
    case categorical
}

/// One named column of a ``FeatureTable``.
public enum FeatureColumn: Sendable, Equatable {
    case numeric([Double])
    case categorical([String?])

    /// Number of values.
    public var count: Int {
        switch self {
        case .numeric(let values): values.count
        case .categorical(let values): values.count
        }
    }

    /// Whether the column is numeric or categorical.
    public var kind: FeatureKind {
        switch self {
        case .numeric: .numeric
        case .categorical: .categorical
        }
    }
}

/// Named columns of mixed kinds, before preprocessing turns them into a numeric ``Matrix``.
public struct FeatureTable: Sendable, Equatable {
    /// Column names, in order.
    public let names: [String]
    /// Columns, aligned with ``names``.
    public let columns: [FeatureColumn]
    /// Rows (every column has this many values).
    public let rows: Int

    /// A table over equally long columns with distinct names.
    public init(names: [String], columns: [FeatureColumn]) throws(MLError) {
        guard names.count == columns.count else {
            throw .shapeMismatch("\(names.count) names for \(columns.count) columns")
        }
        if let duplicate = Self.firstDuplicate(names) {
            throw .invalidParameter("the column name \(duplicate) appears twice")
        }
        let rows = columns.first?.count ?? 0
        if let bad = columns.indices.first(where: { columns[$0].count != rows }) {
            throw .shapeMismatch("column \(names[bad]) has \(columns[bad].count) values, \(names[0]) has \(rows)")
        }
        self.names = names
        self.columns = columns
        self.rows = rows
    }

    /// A name that appears twice, if any. Few names (a request's table) are compared pairwise,
    /// which is cheaper than hashing them.
    private static func firstDuplicate(_ names: [String]) -> String? {
        guard names.count > 32 else {
            for i in names.indices where names[(i + 1)...].contains(names[i]) { return names[i] }
            return nil
        }
        var seen = Set<String>(minimumCapacity: names.count)
        return names.first { !seen.insert($0).inserted }
    }

    /// The column named `name`, or nil.
    public func column(named name: String) -> FeatureColumn? {
        names.firstIndex(of: name).map { columns[$0] }
    }

    /// The same table without the named columns.
    public func removing(_ removed: Set<String>) -> FeatureTable {
        let kept = names.indices.filter { !removed.contains(names[$0]) }
        return FeatureTable(unchecked: kept.map { names[$0] }, kept.map { columns[$0] }, rows)
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> FeatureTable {
        let selected = columns.map { column -> FeatureColumn in
            switch column {
            case .numeric(let values): .numeric(indices.map { values[$0] })
            case .categorical(let values): .categorical(indices.map { values[$0] })
            }
        }
        return FeatureTable(unchecked: names, selected, indices.count)
    }

    init(unchecked names: [String], _ columns: [FeatureColumn], _ rows: Int) {
        self.names = names
        self.columns = columns
        self.rows = rows
    }
}
