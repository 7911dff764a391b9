import ArgumentParser
import EngageML
import Foundation
import MongoKit

/// `engage db …`: check and inspect the database.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check and inspect the MongoDB database.",
        subcommands: [Ping.self, Stats.self, Shard.self]
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

extension DatabaseCommand {
    /// `engage db shard`
    struct Shard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Shard engage's large collections on a sharded cluster (run through mongos; see SCALING.md).",
            discussion: """
                Enables sharding for the database and shards the raw, feature, per-video insight and \
                prediction collections by hashed _id; audience and summary collections stay on the \
                primary shard. Safe to re-run. --dry-run prints the commands instead.
                """)

        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print the plan and its commands; send nothing.") var dryRun = false
        @Flag(help: "Print JSON instead of text.") var json = false

        func run() async throws {
            let plan = ShardPlan.engage()
            let name = connection.databaseName(try connection.configuration())
            let commands = plan.commands(database: name)
            if dryRun {
                if json {
                    print("[" + (try commands.map { try $0.extendedJSON(.relaxed) }.joined(separator: ",\n ")) + "]")
                    return
                }
                for entry in plan.sharded {
                    print("shard \(entry.collection) by \((try? entry.key.extendedJSON(.relaxed)) ?? ""): \(entry.why)")
                }
                for entry in plan.unsharded { print("keep \(entry.collection) on the primary shard: \(entry.why)") }
                return
            }
            let answers = try await connection.withDatabase { database in
                var answers: [String] = []
                let admin = database.client.database("admin")
                for command in commands {
                    _ = try await admin.runCommand(command)
                    let verb = command.keys.first ?? ""
                    let target = command[verb]?.stringValue ?? ""
                    answers.append("\(verb) \(target)")
                }
                return answers
            }
            if json { try printJSON(answers) } else { answers.forEach { print("ok: \($0)") } }
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
