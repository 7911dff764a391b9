import ArgumentParser
import Foundation
import MongoKit

/// `engage-bench`: the Swift side of `make bench`, measured against the peers in `../shared/bench`.
@main
struct EngageBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engage-bench",
        abstract: "EngageML benchmarks; scripts/bench-*.sh run them beside their Python peers.",
        subcommands: [StoreBenchmark.self, MLBenchmark.self]
    )
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
