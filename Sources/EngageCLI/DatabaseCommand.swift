import ArgumentParser
import EngageML
import Foundation
import MongoKit

/// `engage db …`: check and inspect the database.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check and inspect the MongoDB database.",
        subcommands: [Ping.self, Stats.self]
    )

    /// `engage db ping`
    struct Ping: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that the server answers, and how fast.")

        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            let configuration = try connection.configuration()
            let roundTrip = try await connection.withDatabase { database in try await database.client.ping() }
            let milliseconds = roundTrip / .milliseconds(1)
            if json {
                try printJSON(PingResult(ok: true, server: configuration.redactedURI, milliseconds: milliseconds))
            } else {
                print("ok: \(configuration.redactedURI) answered ping in \(String(format: "%.1f", milliseconds)) ms")
            }
        }
    }

    /// `engage db stats`
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the database's collections, document counts and size.")

        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            let statistics = try await connection.withDatabase { try await $0.statistics() }
            if json {
                try printJSON(statistics)
                return
            }
            print(
                "database \(statistics.name): \(statistics.collections.count) collections, "
                    + "\(statistics.dataSize) bytes of data, \(statistics.indexes) indexes")
            let width = max(10, statistics.collections.map(\.name.count).max() ?? 0)
            for collection in statistics.collections {
                print("  " + collection.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(collection.documents)")
            }
        }
    }
}

/// What `engage db ping --json` prints.
struct PingResult: Encodable {
    var ok: Bool
    var server: String
    var milliseconds: Double
}

/// Prints a value as pretty, key-sorted JSON on standard output.
func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try JSONCoding.readableEncoder().encode(value), as: UTF8.self))
}
