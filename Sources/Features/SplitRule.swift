import Foundation
import Hashing

/// How rows are held out for evaluation: by time (everything from `cutoff` on is test, the honest
/// split for forecasting) or by a stable hash of the entity id (the same entity is always on the
/// same side, whatever else changes).
public enum SplitRule: Sendable, Equatable, CustomStringConvertible {
    case time(cutoff: Date)
    case hash(testFraction: Double)

    /// Parses `time:YYYY-MM-DD` or `hash:0.2`.
    public init(parsing text: String) throws(FeatureDefinitionError) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        if parts.count == 2, parts[0] == "time", let date = formatter.date(from: parts[1]) {
            self = .time(cutoff: date)
        } else if parts.count == 2, parts[0] == "hash", let fraction = Double(parts[1]), fraction > 0, fraction < 1 {
            self = .hash(testFraction: fraction)
        } else {
            throw .invalidSplit(text)
        }
    }

    /// Whether the row with this entity key and time is held out.
    public func isTest(key: String, time: Date?) -> Bool {
        switch self {
        case .time(let cutoff):
            guard let time else { return false }
            return time >= cutoff
        case .hash(let fraction):
            var hasher = SHA256()
            hasher.update(Array(key.utf8))
            let bytes = hasher.finalize()
            let value = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return Double(value) / 0x1p64 < fraction
        }
    }

    /// `time:YYYY-MM-DD` or `hash:FRACTION`, as parsed.
    public var description: String {
        switch self {
        case .time(let cutoff):
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            return "time:\(formatter.string(from: cutoff))"
        case .hash(let fraction): return "hash:\(fraction)"
        }
    }
}
