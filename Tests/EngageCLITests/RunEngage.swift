@testable import EngageCLI
import ArgumentParser
import MongoKit

/// Runs `engage ARGUMENTS --database NAME` in-process, as a user types it, against `database`.
func runEngage(_ arguments: [String], on database: MongoDatabase) async throws {
    var command = try Engage.parseAsRoot(arguments + ["--database", database.name])
    if var asynchronous = command as? AsyncParsableCommand {
        try await asynchronous.run()
    } else {
        try command.run()
    }
}
