import Foundation

extension BSONDateTime {
    /// The datetime of `date`, rounded to the millisecond.
    public init(_ date: Date) {
        self.init(secondsSinceEpoch: date.timeIntervalSince1970)
    }

    /// The same instant as a Foundation date.
    public var date: Date { Date(timeIntervalSince1970: secondsSinceEpoch) }
}

extension BSONValue {
    /// A BSON datetime holding `date`, rounded to the millisecond.
    public static func date(_ date: Date) -> BSONValue { .datetime(BSONDateTime(date)) }
}
