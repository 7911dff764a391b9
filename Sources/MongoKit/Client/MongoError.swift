import CMongoC

/// A failed MongoDB operation: what was attempted, what the server or driver said, and what to do.
///
/// `description` reads like
/// `insertMany engage.raw_tiktok_videos failed [server 11000]: duplicate key … (document _id="123")`
/// and never contains a password: URIs are shown through ``MongoConfiguration/redactedURI``.
public struct MongoError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, as errors print it.
        public let name: String
        /// The code's name.
        public var description: String { name }

        /// The connection string could not be parsed.
        public static let invalidURI = Code(name: "invalidURI")
        /// No server answered within the server selection timeout.
        public static let serverUnreachable = Code(name: "serverUnreachable")
        /// The connection to the server broke while an operation was on it (a network error).
        public static let connectionLost = Code(name: "connectionLost")
        /// A write broke a unique index (server code 11000).
        public static let duplicateKey = Code(name: "duplicateKey")
        /// The server rejected an aggregation pipeline as malformed.
        public static let invalidPipeline = Code(name: "invalidPipeline")
        /// Authentication or authorisation failed.
        public static let unauthorized = Code(name: "unauthorized")
        /// One or more documents of a write were rejected (see ``MongoError/writeErrors``).
        public static let writeFailed = Code(name: "writeFailed")
        /// A command or cursor failed on the server or in the driver.
        public static let commandFailed = Code(name: "commandFailed")
        /// A document could not be encoded or decoded.
        public static let invalidDocument = Code(name: "invalidDocument")
        /// The client was used after its scope ended.
        public static let clientClosed = Code(name: "clientClosed")
    }

    /// One document a bulk or multi-document write rejected.
    public struct WriteError: Sendable, Equatable, CustomStringConvertible {
        /// Position of the document or operation in the batch sent.
        public var index: Int
        /// The server's error code (11000 for a duplicate key).
        public var code: Int
        /// The server's message.
        public var message: String
        /// The rejected document's `_id` as extended JSON, when known.
        public var documentID: String?

        /// `#INDEX [CODE] MESSAGE (document _id=…)`.
        public var description: String {
            "#\(index) [\(code)] \(message)" + (documentID.map { " (document _id=\($0))" } ?? "")
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The operation and namespace, e.g. `insertMany engage.raw_tiktok_videos`.
    public var operation: String
    /// The server's numeric error code, when the server answered.
    public var serverCode: Int?
    /// What went wrong, in the server's or driver's words, plus advice where we have some.
    public var message: String
    /// Per-document failures of a write; empty for other errors.
    public var writeErrors: [WriteError] = []
    /// For a failed write: how many documents it did write before or around the failures.
    public var writtenCount: Int = 0

    /// An error of `code` in `operation`, with the server's code when it answered.
    public init(_ code: Code, operation: String, serverCode: Int? = nil, message: String) {
        self.code = code
        self.operation = operation
        self.serverCode = serverCode
        self.message = message
    }

    /// `OPERATION failed [server CODE]: MESSAGE — N document(s) rejected…`; never a password.
    public var description: String {
        var text = "\(operation) failed"
        if let serverCode { text += " [server \(serverCode)]" }
        text += ": \(message)"
        if !writeErrors.isEmpty {
            let shown = writeErrors.prefix(5).map(\.description).joined(separator: "; ")
            text += " — \(writeErrors.count) document(s) rejected, \(writtenCount) written: \(shown)"
            if writeErrors.count > 5 { text += "; …" }
        }
        return text
    }
}

extension MongoError {
    /// Builds an error from libmongoc's `bson_error_t`, classifying it by domain and code.
    init(_ error: bson_error_t, operation: String, hosts: String) {
        let message = Self.message(of: error)
        let domain = error.domain
        let code = Int(error.code)
        if domain == MONGOC_ERROR_SERVER_SELECTION.rawValue {
            self.init(
                .serverUnreachable, operation: operation,
                message: "no MongoDB server reachable at \(hosts): \(message)")
        } else if domain == MONGOC_ERROR_SERVER.rawValue || domain == MONGOC_ERROR_WRITE_CONCERN.rawValue {
            self.init(
                Self.classify(serverCode: code, operation: operation), operation: operation,
                serverCode: code, message: message)
        } else if domain == MONGOC_ERROR_STREAM.rawValue {
            self.init(.connectionLost, operation: operation, message: "the connection to \(hosts) broke: \(message)")
        } else if domain == MONGOC_ERROR_BSON.rawValue {
            self.init(.invalidDocument, operation: operation, message: message)
        } else if domain == MONGOC_ERROR_CLIENT.rawValue && error.code == MONGOC_ERROR_CLIENT_AUTHENTICATE.rawValue {
            self.init(.unauthorized, operation: operation, message: "\(message); check the user and password in the URI")
        } else {
            self.init(.commandFailed, operation: operation, message: message)
        }
    }

    /// Server codes that mean the pipeline itself is wrong (unknown stage or operator, bad stage shape).
    private static let pipelineCodes: Set<Int> = [
        9, 14, 15, 16, 28, 168, 15952, 15955, 15983, 16410, 16436, 17276, 28769, 31325, 40234, 40323, 40324, 40352,
        40600, 40601, 51173,
    ]

    static func classify(serverCode: Int, operation: String) -> Code {
        switch serverCode {
        case 11000, 11001: return .duplicateKey
        case 13, 18: return .unauthorized
        case _ where operation.hasPrefix("aggregate") && pipelineCodes.contains(serverCode): return .invalidPipeline
        default: return .commandFailed
        }
    }

    /// The text of a `bson_error_t`.
    static func message(of error: bson_error_t) -> String {
        withUnsafeBytes(of: error.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Wraps a BSON encoding or decoding failure in the operation that hit it.
    init(_ error: BSONError, operation: String) {
        self.init(.invalidDocument, operation: operation, message: error.description)
    }
}
