/// Why a collection run could not go on (as opposed to a bad record, which is a ``RecordError``).
public enum CollectError: Error, Sendable, CustomStringConvertible {
    /// The input file cannot be opened or read.
    case unreadable(path: String, reason: String)
    /// A column mapping names a column the file does not have, or a required field has no column.
    case invalidMapping(String)
    /// The file's format is not one this collector reads.
    case unsupportedFormat(String)
    /// An HTTP source kept failing after its retries.
    case http(url: String, status: Int?, reason: String)

    /// The problem, with what to do about it.
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidMapping(let message): "column mapping: \(message)"
        case .unsupportedFormat(let message): "unsupported format: \(message)"
        case .http(let url, let status, let reason): "GET \(url) failed\(status.map { " with status \($0)" } ?? ""): \(reason)"
        }
    }
}
