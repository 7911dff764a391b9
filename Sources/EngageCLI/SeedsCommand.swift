import ArgumentParser
import Foundation
import SeedData

/// `engage seeds generate`: writes the deterministic sample data that `make demo` loads.
struct SeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seeds",
        abstract: "Sample data made by EngageML's own deterministic generator.",
        subcommands: [Generate.self])

    /// `engage seeds generate`
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write TMDB movies, TikTok items (and a re-crawl) and a per-video CSV; see seeds/README.md.")

        @Option(help: "The seed; the same seed writes the same bytes.") var seed: UInt64 = 42
        @Option(help: "Folder to write into.") var out = "seeds"
        @Option(help: "Fraction of the documented sizes (1 = 3,000 movies, 8,000 items, 5,000 rows).") var scale = 1.0
        @Flag(help: "Print what was written as JSON.") var json = false

        func validate() throws {
            guard scale > 0, scale <= 10 else { throw ValidationError("--scale must be in (0, 10], got \(scale)") }
        }

        func run() throws {
            let files = try SeedGenerator(seed: seed, scale: scale).write(to: out)
            if json {
                try printJSON(files)
            } else {
                for file in files { print("\(out)/\(file.name): \(file.records) records, sha256 \(file.sha256)") }
            }
        }
    }
}
