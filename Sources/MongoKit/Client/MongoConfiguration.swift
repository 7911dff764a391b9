import CMongoC
import Foundation
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
                message: "\(Self.redact(uri)) is not a valid MongoDB URI: \(Self.redact(MongoError.message(of: error), secretsOf: uri)). "
                    + "Expected mongodb://host[:port][/database][?options]")
        }
        defer { mongoc_uri_destroy(parsed) }
        var hostList: [String] = []
        var host = mongoc_uri_get_hosts(parsed)
        while let current = host {
            hostList.append(
                withUnsafeBytes(of: current.pointee.host_and_port) { raw in
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

    /// URI options whose values are credentials (compared without case).
    static let secretOptions: Set<String> = [
        "password", "tlscertificatekeyfilepassword", "sslclientcertificatekeypassword", "sslcertificatekeyfilepassword",
        "authmechanismproperties", "awssessiontoken", "aws_session_token",
    ]

    /// A best-effort redaction for text that did not even parse: the user information between
    /// `://` and `@`, and the value of every credential-bearing option, become `****`.
    static func redact(_ uri: String) -> String {
        var text = uri
        if let scheme = text.firstRange(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@"),
            !text[scheme.upperBound..<at].contains("/")
        {
            text = String(text[..<scheme.upperBound]) + "****" + String(text[at...])
        }
        guard let question = text.firstIndex(of: "?") else { return text }
        let options = text[text.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { option in
            guard let equals = option.firstIndex(of: "="), secretOptions.contains(option[..<equals].lowercased()) else {
                return String(option)
            }
            return option[..<equals] + "=****"
        }
        return text[...question] + options.joined(separator: "&")
    }

    /// `message` with every secret of `uri` (the password, credential options' values and their
    /// parts, raw and percent-decoded) replaced by `****`: libmongoc's parse errors can quote them.
    static func redact(_ message: String, secretsOf uri: String) -> String {
        var secrets: [String] = []
        if let scheme = uri.firstRange(of: "://"), let at = uri[scheme.upperBound...].lastIndex(of: "@") {
            let userInfo = uri[scheme.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") { secrets.append(String(userInfo[userInfo.index(after: colon)...])) }
        }
        if let question = uri.firstIndex(of: "?") {
            for option in uri[uri.index(after: question)...].split(separator: "&") {
                guard let equals = option.firstIndex(of: "="), secretOptions.contains(option[..<equals].lowercased()) else { continue }
                let value = String(option[option.index(after: equals)...])
                secrets.append(value)
                secrets += value.split(whereSeparator: { $0 == "," || $0 == ":" }).map(String.init)
            }
        }
        var text = message
        let candidates = secrets + secrets.compactMap { $0.removingPercentEncoding }
        for secret in Set(candidates).sorted(by: { $0.count > $1.count }) where secret.count >= 3 {
            text = text.replacingOccurrences(of: secret, with: "****")
        }
        return text
    }
}

/// One-time libmongoc set-up: `mongoc_init` and routing the driver's log through swift-log.
enum MongoLibrary {
    private static let once: Void = {
        mongoc_init()
        mongoc_log_set_handler(
            { level, domain, message, _ in
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
