import CMongoC
import Logging
import NIOPosix
import Synchronization

/// A pool of MongoDB connections shared by concurrent tasks.
///
/// libmongoc's calls block, so every operation runs on a dedicated thread pool, never on
/// Swift's cooperative pool: a connection is popped from `mongoc_client_pool_t`, used and
/// pushed back inside one thread-pool job, and results leave that job as `Sendable` values.
/// No connection is ever held across an `await`.
///
/// The client lives inside a scope:
/// ```swift
/// let configuration = try MongoConfiguration(uri: "mongodb://127.0.0.1:27017")
/// let count = try await MongoClient.withClient(configuration, logger: logger) { client in
///     try await client.database("engage").collection("raw_tiktok_videos").countDocuments()
/// }
/// ```
public final class MongoClient: @unchecked Sendable {
    // @unchecked: the only mutable state is behind `pool`, a mongoc_client_pool_t, which libmongoc
    // documents as thread-safe, and `leases`, a Mutex; every other stored property is an immutable
    // Sendable value.
    private let pool: OpaquePointer
    private let leases = Mutex(ConnectionLeases())
    private let threadPool: NIOThreadPool
    /// The settings this client was made with.
    public let configuration: MongoConfiguration
    let logger: Logger

    private init(_ configuration: MongoConfiguration, threadPool: NIOThreadPool, logger: Logger) throws(MongoError) {
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(configuration.uri, &error) else {
            throw MongoError(.invalidURI, operation: "connect", message: MongoError.message(of: error))
        }
        defer { mongoc_uri_destroy(uri) }
        if !mongoc_uri_has_option(uri, "serverselectiontimeoutms") {
            let milliseconds = configuration.serverSelectionTimeout / .milliseconds(1)
            mongoc_uri_set_option_as_int32(uri, "serverselectiontimeoutms", Int32(clamping: Int64(milliseconds.rounded())))
        }
        if !mongoc_uri_has_option(uri, "appname") { mongoc_uri_set_appname(uri, "engage") }
        guard let pool = mongoc_client_pool_new_with_error(uri, &error) else {
            throw MongoError(.invalidURI, operation: "connect to \(configuration.redactedURI)", message: MongoError.message(of: error))
        }
        mongoc_client_pool_set_error_api(pool, 2)
        mongoc_client_pool_max_size(pool, UInt32(configuration.maxConnections))
        self.pool = pool
        self.threadPool = threadPool
        self.configuration = configuration
        self.logger = logger
    }

    deinit { mongoc_client_pool_destroy(pool) }

    /// Runs `body` with a connected client, then shuts the client's worker threads down.
    ///
    /// Nothing connects until the first operation; an unreachable server fails that operation
    /// after ``MongoConfiguration/serverSelectionTimeout`` with ``MongoError/Code/serverUnreachable``.
    public static func withClient<Result>(
        _ configuration: MongoConfiguration,
        logger: Logger = Logger(label: "engage.mongo"),
        _ body: (MongoClient) async throws -> Result
    ) async throws -> Result {
        let threadPool = NIOThreadPool(numberOfThreads: configuration.maxConnections)
        threadPool.start()
        do {
            let client = try MongoClient(configuration, threadPool: threadPool, logger: logger)
            let result = try await body(client)
            try await threadPool.shutdownGracefully()
            return result
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    /// A handle to a database; cheap, no I/O.
    public func database(_ name: String) -> MongoDatabase {
        MongoDatabase(client: self, name: name)
    }

    /// Sends `ping` to the server and returns the round-trip time.
    public func ping() async throws(MongoError) -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await database("admin").runCommand(["ping": 1])
        return clock.now - start
    }

    /// How many pooled connections are leased now, and the most that were at once since the client
    /// was made: never more than ``MongoConfiguration/maxConnections``.
    public var connectionLeases: ConnectionLeases { leases.withLock { $0 } }

    /// Runs a blocking libmongoc call on a worker thread with a connection leased from the pool.
    ///
    /// `body` must not let the `mongoc_client_t *` escape; it is returned to the pool when `body` ends.
    func withConnection<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (_ connection: OpaquePointer) throws(MongoError) -> T
    ) async throws(MongoError) -> T {
        logger.debug("mongo operation", metadata: ["mongo.operation": "\(operation)"])
        do {
            return try await threadPool.runIfActive { [self] in
                let connection = mongoc_client_pool_pop(pool)!
                leases.withLock { $0.lease() }
                defer {
                    leases.withLock { $0.inUse -= 1 }
                    mongoc_client_pool_push(pool, connection)
                }
                return try body(connection)
            }
        } catch let error as MongoError {
            throw error
        } catch {
            throw MongoError(
                .clientClosed, operation: operation,
                message: "the MongoClient was used after its withClient scope ended (\(error))")
        }
    }
}

/// Pooled connections in use: now and at the most.
public struct ConnectionLeases: Sendable, Equatable {
    /// Connections leased right now.
    public var inUse = 0
    /// The most leased at once.
    public var peak = 0

    mutating func lease() {
        inUse += 1
        peak = max(peak, inUse)
    }
}
