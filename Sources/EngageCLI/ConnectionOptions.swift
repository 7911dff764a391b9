import ArgumentParser
import Foundation
import Logging
import MongoKit

/// Options every command that talks to MongoDB shares.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .customLong("mongodb-uri"),
        help: "MongoDB connection string (default: $ENGAGE_MONGODB_URI, else mongodb://127.0.0.1:27017).")
    var uri: String?

    @Option(help: "Database name (default: the URI's database, else 'engage').")
    var database: String?

    @Option(help: "Seconds to wait for a reachable server before failing.")
    var timeout: Double = 5

    @Option(help: "Log level: trace, debug, info, warning, error.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds.") }
    }

    /// The validated MongoDB configuration from the flag or environment.
    func configuration() throws -> MongoConfiguration {
        let text = uri ?? ProcessInfo.processInfo.environment["ENGAGE_MONGODB_URI"] ?? MongoConfiguration.defaultURI
        return try MongoConfiguration(uri: text, serverSelectionTimeout: .milliseconds(Int(timeout * 1000)))
    }

    /// The database name to use with a configuration.
    func databaseName(_ configuration: MongoConfiguration) -> String {
        database ?? configuration.databaseInURI ?? "engage"
    }

    /// A logger at the requested level.
    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }

    /// Runs `body` with a connected database; an unreachable server's error says what to do here.
    func withDatabase<T>(_ body: (MongoDatabase) async throws -> T) async throws -> T {
        let configuration = try configuration()
        let name = databaseName(configuration)
        do {
            return try await MongoClient.withClient(configuration, logger: logger("engage.mongo")) { client in
                try await body(client.database(name))
            }
        } catch let error as MongoError where error.code == .serverUnreachable {
            throw DatabaseUnreachable(error: error)
        }
    }
}

/// An unreachable database as the command line reports it: the driver's error, then the advice
/// that belongs to this tool (MongoKit itself knows nothing of `make`).
struct DatabaseUnreachable: Error, CustomStringConvertible {
    let error: MongoError

    var description: String {
        "\(error). Start one (`make db-start`) or point --mongodb-uri / ENGAGE_MONGODB_URI at a running server"
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
