import DelimitedText

extension FeatureTable {
    /// Cells read as missing: empty, `NA`, `N/A`, `#N/A`, `NaN`, `null`, `None` (any case).
    static let missingMarkers: Set<String> = ["", "na", "n/a", "#n/a", "nan", "null", "none", "-"]

    /// Reads a CSV file with a header row. A column whose every present cell is a number is
    /// numeric (missing cells become `NaN`); any other column is categorical.
    /// Throws when a row's field count differs from the header's, naming the line.
    public init(csv path: String) throws {
        var header: [String] = []
        var cells: [[String]] = []
        var numbers: [[Double]] = []
        var numeric: [Bool] = []
        try CSVReader(path: path).forEachRecord { record in
            if header.isEmpty {
                header = record.strings.map { $0.trimmingCharacters(in: .whitespaces) }
                cells = Array(repeating: [], count: header.count)
                numbers = Array(repeating: [], count: header.count)
                numeric = Array(repeating: true, count: header.count)
                return
            }
            guard record.count == header.count else {
                throw CSVError(path: path, line: record.line, reason: "\(record.count) fields, the header has \(header.count)")
            }
            for j in 0..<header.count {
                if numeric[j] {
                    if let value = record.double(at: j) {
                        numbers[j].append(value)
                        continue
                    }
                    let text = record.string(at: j)
                    if Self.missingMarkers.contains(text.trimmingCharacters(in: .whitespaces).lowercased()) {
                        numbers[j].append(.nan)
                        continue
                    }
                    // The first text in a column so far numeric: earlier numbers become their text.
                    numeric[j] = false
                    cells[j] = numbers[j].map { $0.isNaN ? "" : Self.text(of: $0) }
                    numbers[j] = []
                }
                cells[j].append(record.string(at: j))
            }
        }
        guard !header.isEmpty else { throw MLError.emptyInput("\(path) has no header row") }
        let columns = (0..<header.count).map { j -> FeatureColumn in
            if numeric[j] { return .numeric(numbers[j]) }
            return .categorical(
                cells[j].map { Self.missingMarkers.contains($0.trimmingCharacters(in: .whitespaces).lowercased()) ? nil : $0 })
        }
        try self.init(names: header, columns: columns)
    }

    private static func text(of value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
