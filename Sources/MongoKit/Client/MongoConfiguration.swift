import CMongoC
import Logging

/// How to reach MongoDB: a validated connection string and client settings.
///
/// Built once at the edge (CLI flag `--mongodb-uri`, environment `ENGAGE_MONGODB_URI`) and passed in.
/// The URI's password is never printed: use ``redactedURI`` in messages.
public struct MongoConfiguration: Sendable {
    /// The connection string as given. Holds secrets: never print it.
    let uri: String
    /// Hosts as `host:port`, comma-separated, for messages.
    public let hosts: String
    /// The URI with any password replaced by `****` and options dropped.
    public let redactedURI: String
    /// The database named in the URI path, if any.
    public let databaseInURI: String?
    /// How long an operation waits for a reachable server before failing (unless the URI sets it).
    public var serverSelectionTimeout: Duration
    /// The most connections (and blocking worker threads) the client uses at once.
    public var maxConnections: Int

    /// The connection string used when none is configured.
    public static let defaultURI = "mongodb://127.0.0.1:27017"

    /// Parses and validates a connection string.
    /// - Throws: ``MongoError`` with code ``MongoError/Code/invalidURI`` naming what is wrong (never the password).
    public init(uri: String, serverSelectionTimeout: Duration = .seconds(5), maxConnections: Int = 8) throws(MongoError) {
        MongoLibrary.initialize()
        var error = bson_error_t()
        guard let parsed = mongoc_uri_new_with_error(uri, &error) else {
            throw MongoError(
                .invalidURI, operation: "parse connection string",
                message: "\(Self.redact(uri)) is not a valid MongoDB URI: \(MongoError.message(of: error)). "
                    + "Expected mongodb://host[:port][/database][?options]")
        }
        defer { mongoc_uri_destroy(parsed) }
        var hostList: [String] = []
        var host = mongoc_uri_get_hosts(parsed)
        while let current = host {
            hostList.append(withUnsafeBytes(of: current.pointee.host_and_port) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            })
            host = UnsafePointer(current.pointee.next)
        }
        let user = mongoc_uri_get_username(parsed).map { String(cString: $0) }
        let database = mongoc_uri_get_database(parsed).map { String(cString: $0) }
        self.uri = uri
        self.hosts = hostList.isEmpty ? "(no hosts)" : hostList.joined(separator: ",")
        self.databaseInURI = database
        self.redactedURI = "mongodb://" + (user.map { "\($0):****@" } ?? "") + hosts + "/" + (database ?? "")
        self.serverSelectionTimeout = serverSelectionTimeout
        self.maxConnections = max(1, maxConnections)
    }

    /// A best-effort redaction for text that did not even parse: drops everything between `://` and `@`.
    static func redact(_ uri: String) -> String {
        guard let scheme = uri.firstRange(of: "://"), let at = uri[scheme.upperBound...].lastIndex(of: "@") else {
            return uri
        }
        return String(uri[..<scheme.upperBound]) + "****" + String(uri[at...])
    }
}

/// One-time libmongoc set-up: `mongoc_init` and routing the driver's log through swift-log.
enum MongoLibrary {
    private static let once: Void = {
        mongoc_init()
        mongoc_log_set_handler({ level, domain, message, _ in
            let text = message.map { String(cString: $0) } ?? ""
            let domainName = domain.map { String(cString: $0) } ?? "mongoc"
            MongoLibrary.log(level: level, domain: domainName, text)
        }, nil)
    }()

    static func initialize() { once }

    /// libmongoc calls its log handler from any thread with no context pointer we own, so the
    /// logger it forwards to is a process-wide constant. Every failure libmongoc logs also comes back
    /// to the caller as a `bson_error_t`, which MongoKit turns into a ``MongoError``; so its messages
    /// go out at debug (critical ones at error) instead of repeating that error without context.
    private static let logger = Logger(label: "mongoc")

    private static func log(level: mongoc_log_level_t, domain: String, _ text: String) {
        let swiftLevel: Logger.Level = level == MONGOC_LOG_LEVEL_CRITICAL ? .error : .debug
        logger.log(level: swiftLevel, "\(text)", metadata: ["mongoc.domain": "\(domain)"])
    }
}
