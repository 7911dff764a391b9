import ArgumentParser
import Collectors
import Foundation
import MongoKit
import SourceSchemas

/// `engage collect …`: raw documents from files (and the TMDB API) into MongoDB.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Load TMDB, TikTok and per-video CSV data into raw collections, idempotently.",
        discussion: """
            Every run prints read = inserted + updated + unchanged + rejected. Rejected records are \
            stored in the rejects collection with their line, field, reason and raw text; the records \
            around them are kept. Re-running a file inserts nothing new.
            """,
        subcommands: [TMDB.self, TikTok.self, Videos.self])

    /// Options every collector shares.
    struct Output: ParsableArguments {
        @Flag(help: "Print the summary as JSON (keys read, inserted, updated, unchanged, rejected) and no progress bar.")
        var json = false
        @Flag(help: "Read and validate every record, print the rejects, write nothing.") var dryRun = false

        func report(_ summary: IngestSummary) throws {
            if json { try printJSON(summary) } else { print(summary.text) }
        }

        /// Validates every record of `input` without a database: what a run would accept and reject.
        func validateOnly(_ input: FileInput, source: String) throws {
            var summary = DryRunSummary(source: source)
            while let item = try input.next() {
                summary.read += 1
                switch item.outcome {
                case .success: summary.valid += 1
                case .failure(let error):
                    summary.rejected += 1
                    if !json { print("  reject \(item.position): \(error)") }
                }
            }
            if json { try printJSON(summary) } else { print("dry run of \(source): read \(summary.read) = valid \(summary.valid) + rejected \(summary.rejected); nothing written") }
        }
    }

    /// What a dry run found.
    struct DryRunSummary: Encodable {
        var source: String
        var read = 0
        var valid = 0
        var rejected = 0
    }

    /// `engage collect tmdb`
    struct TMDB: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tmdb",
            abstract: "TMDB movies into raw_tmdb_movies, keyed by TMDB id.",
            discussion: """
                --from reads /movie/{id} answers (JSON array, JSON Lines, or an object keyed by id), \
                /movie/popular pages, or the TMDB 5000 movies CSV (with --credits for its credits CSV).
                --api reads list pages and then each movie's details (credits and keywords appended) from \
                --base-url with the token in TMDB_API_TOKEN; it retries 429 (honouring Retry-After), 5xx \
                and timeouts, and resumes at the first unfinished page after an interruption.
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: Output
        @Option(help: "A file of TMDB movie documents or the TMDB 5000 movies CSV.") var from: String?
        @Option(help: "The TMDB 5000 credits CSV to join by movie id.") var credits: String?
        @Flag(help: "Collect from the API instead of a file.") var api = false
        @Option(help: "The API's base URL.") var baseURL = "https://api.themoviedb.org/3"
        @Option(help: "popular or discover.") var list = "popular"
        @Option(help: "List pages to collect (20 movies each).") var pages = 5
        @Option(help: "Seconds before a request times out.") var requestTimeout = 10.0
        @Flag(help: "Start from page 1 even if an earlier run was interrupted.") var restart = false

        func validate() throws {
            guard (from == nil) != !api else { throw ValidationError("give either --from FILE or --api") }
            guard TMDBAPICollector.List(rawValue: list) != nil else { throw ValidationError("--list must be popular or discover, got \(list)") }
            guard URL(string: baseURL)?.scheme != nil else { throw ValidationError("--base-url must be a URL, got \(baseURL)") }
            guard pages >= 1 else { throw ValidationError("--pages must be at least 1") }
            guard !(api && output.dryRun) else { throw ValidationError("--dry-run reads files; it does not apply to --api") }
        }

        func run() async throws {
            guard let from else { return try await collectFromAPI() }
            let creditRows = try credits.map { try TMDB5000CSV.readCredits(path: $0) }
            let input = try FileInput.open(from, kind: .tmdb, credits: creditRows)
            if output.dryRun { return try output.validateOnly(input, source: "tmdb-file:\(from)") }
            try await connection.withDatabase { database in
                let ingestor = Ingestor(
                    database: database, collection: TMDBMovie.collection, source: "tmdb-file:\(from)", logger: connection.logger("engage.collect"))
                var summary = try await ingestor.run(
                    progress: ProgressBar(label: "tmdb", quiet: output.json), fraction: { input.fraction }, next: input.next)
                if let credits, let creditRows {
                    try await ingestor.reject(side: "tmdb-credits:\(credits)", problems: creditRows.problems, into: &summary)
                    try await ingestor.finish(summary)
                }
                try output.report(summary)
            }
        }

        private func collectFromAPI() async throws {
            var collector = TMDBAPICollector(
                baseURL: URL(string: baseURL)!, token: ProcessInfo.processInfo.environment["TMDB_API_TOKEN"],
                logger: connection.logger("engage.collect"))
            collector.list = TMDBAPICollector.List(rawValue: list)!
            collector.pages = pages
            collector.policy.timeout = .milliseconds(Int64(requestTimeout * 1000))
            try await connection.withDatabase { database in
                let summary = try await collector.run(
                    database: database, restart: restart, progress: ProgressBar(label: "tmdb api", quiet: output.json))
                try output.report(summary)
            }
        }
    }

    /// `engage collect tiktok`
    struct TikTok: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tiktok",
            abstract: "TikTok items into raw_tiktok_videos (one schema); changed stats append to tiktok_stats.",
            discussion: """
                --from reads TikTok-Api items (JSON array, JSON Lines, {itemList: […]}, flattened \
                notebook JSON or CSV) and tiktok-scraper items.
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: Output
        @Option(help: "A file of TikTok video items.") var from: String

        func run() async throws {
            let observedAt = Date()
            let input = try FileInput.open(from, kind: .tiktok, observedAt: observedAt)
            if output.dryRun { return try output.validateOnly(input, source: "tiktok-file:\(from)") }
            try await connection.withDatabase { database in
                let ingestor = Ingestor(
                    database: database, collection: TikTokVideo.collection, snapshotCollection: TikTokVideo.statsCollection,
                    source: "tiktok-file:\(from)", fetchedAt: observedAt, logger: connection.logger("engage.collect"))
                let summary = try await ingestor.run(
                    progress: ProgressBar(label: "tiktok", quiet: output.json), fraction: { input.fraction }, next: input.next)
                try output.report(summary)
            }
        }
    }

    /// `engage collect videos`
    struct Videos: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "videos",
            abstract: "A one-row-per-video CSV into raw_videos, columns found by name.",
            discussion: """
                Columns are matched by name patterns (views, view_count, play_count, video_view_count, …); \
                the mapping chosen is printed. Fields: \(VideoColumnMapping.Field.allCases.map(\.rawValue).joined(separator: ", ")).
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: Output
        @Option(help: "The CSV file.") var from: String
        @Option(help: "The platform of every row (otherwise a platform column, or unknown).") var platform: String?
        @Option(name: .customLong("map"), help: "field=column, to override detection; repeatable.") var mappings: [String] = []

        func validate() throws {
            for mapping in mappings where !mapping.contains("=") { throw ValidationError("--map takes field=column, got \(mapping)") }
        }

        func run() async throws {
            let overrides = Dictionary(mappings.map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), String(parts[1]))
            }, uniquingKeysWith: { _, last in last })
            let mapping = try VideoColumnMapping(header: try FileInput.csvHeader(from), overrides: overrides)
            if !output.json { print("column mapping for \(from):\n\(mapping.description)") }
            let input = try FileInput.videos(from, mapping: mapping, platform: platform)
            if output.dryRun { return try output.validateOnly(input, source: "videos-file:\(from)") }
            try await connection.withDatabase { database in
                let ingestor = Ingestor(
                    database: database, collection: "raw_videos", source: "videos-file:\(from)", logger: connection.logger("engage.collect"))
                let summary = try await ingestor.run(progress: ProgressBar(label: "videos", quiet: output.json), next: input.next)
                try output.report(summary)
            }
        }
    }
}
