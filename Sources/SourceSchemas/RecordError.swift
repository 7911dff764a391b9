/// A record refused by validation: where it is, which field, why, and its raw text. Stored in the
/// `rejects` collection and counted; the records around it are kept.
public struct RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault (dotted path), or `(record)` when the record itself is unreadable.
    public var field: String
    /// Why it was refused, for a person to act on.
    public var reason: String

    /// A refusal of `field` for `reason`.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `FIELD: REASON`.
    public var description: String { "\(field): \(reason)" }
}
