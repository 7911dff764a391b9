/// Writes CSV records (RFC 4180): a field holding the delimiter, a quote, or a line break is
/// quoted, with quotes doubled; records end with CRLF, as the RFC and spreadsheets expect.
///
/// Text that a spreadsheet would run as a formula (a cell starting with `=`, `+`, `-`, `@`, tab
/// or carriage return) is written with a leading `'`, so a title such as `=HYPERLINK(…)` in
/// collected data stays text when the file is opened (OWASP's advice on CSV injection). Numbers
/// are passed as ``Field/number(_:)`` and written as they are.
///
/// ```swift
/// var csv = CSVWriter()
/// csv.write(["title", "views"].map(CSVWriter.Field.text))
/// csv.write([.text("=1+1"), .number("1200")])
/// csv.text   // "title,views\r\n'=1+1,1200\r\n"
/// ```
public struct CSVWriter: Sendable {
    /// One cell to write.
    public enum Field: Sendable, Equatable {
        /// Text from data: quoted when needed, neutralized when it would start a formula.
        case text(String)
        /// A number already formatted: written unchanged.
        case number(String)
        /// An empty cell (a missing value).
        case empty
    }

    /// The field separator.
    public let delimiter: Character
    /// What has been written so far.
    public private(set) var text = ""

    /// A writer separating fields with `delimiter`.
    public init(delimiter: Character = ",") {
        self.delimiter = delimiter
    }

    /// Appends one record.
    public mutating func write(_ fields: [Field]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { text.append(delimiter) }
            switch field {
            case .empty: break
            case .number(let value): text += value
            case .text(let value): text += escaped(value)
            }
        }
        text += "\r\n"
    }

    /// Takes what has been written, leaving the writer empty (for writing in chunks).
    public mutating func take() -> String {
        defer { text = "" }
        return text
    }

    private func escaped(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == delimiter || $0 == "\"" || $0.isNewline }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
