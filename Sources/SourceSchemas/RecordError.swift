/// A record refused by validation: where it is, which field, why, and its raw text. Stored in the
/// `rejects` collection and counted; the records around it are kept.
public struct RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault (dotted path), or `(record)` when the record itself is unreadable.
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
