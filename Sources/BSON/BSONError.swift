/// Why a document could not be turned into or read from BSON or extended JSON.
public enum BSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a well-formed BSON document (truncated, bad length, missing terminator).
    case malformed(offset: Int, reason: String)
    /// A field holds a deprecated BSON type that this library does not model.
    case unsupportedType(UInt8, key: String)
    /// A key contains a NUL byte, which BSON cannot store.
    case invalidKey(String)
    /// The text is not valid MongoDB extended JSON.
    case invalidJSON(String)

    /// The problem and where it is.
    public var description: String {
        switch self {
        case .malformed(let offset, let reason):
            "malformed BSON at byte \(offset): \(reason)"
        case .unsupportedType(let type, let key):
            "field '\(key)' has deprecated BSON type 0x\(String(type, radix: 16)); convert it before storing"
        case .invalidKey(let key):
            "key \(key.debugDescription) contains a NUL byte, which BSON cannot store"
        case .invalidJSON(let message):
            "invalid extended JSON: \(message)"
        }
    }
}
