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
        subcommands: [TMDB.self, TikTok.self, Videos.self, Events.self, Users.self])

    /// Options every collector shares.
    struct Output: ParsableArguments {
        @Flag(help: "Print the summary as JSON (keys read, inserted, updated, unchanged, rejected) and no progress bar.")
        var json = false
        @Flag(help: "Read and validate every record, print the rejects, write nothing.") var dryRun = false

        func report(_ summary: IngestSummary) throws {
            if json { try printJSON(summary) } else { print(summary.text) }
        }

        /// The one skeleton of a file collector: with --dry-run, validates `input` and writes
        /// nothing; else ingests it into `collection` (with a progress bar unless --json), lets
        /// `finish` add to the run (side-input rejects), and prints the summary.
        func collect(
            _ input: FileInput, source: String, into collection: String, snapshots: String? = nil, label: String,
            connection: ConnectionOptions, finish: (Ingestor, inout IngestSummary) async throws -> Void = { _, _ in },
            observe: (NormalizedRecord) -> Void = { _ in }
        ) async throws {
            if dryRun { return try validateOnly(input, source: source) }
            try await connection.withDatabase { database in
                let ingestor = Ingestor(
                    database: database, collection: collection, snapshotCollection: snapshots, source: source,
                    logger: connection.logger("engage.collect"))
                var summary = try await ingestor.run(progress: ProgressBar(label: label, quiet: json), fraction: { input.fraction }) {
                    let item = try input.next()
                    if case .success(let record)? = item?.outcome { observe(record) }
                    return item
                }
                summary.layout = input.layout
                try await finish(ingestor, &summary)
                try report(summary)
            }
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
            if json {
                try printJSON(summary)
            } else {
                print("dry run of \(source): read \(summary.read) = valid \(summary.valid) + rejected \(summary.rejected); nothing written")
            }
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
        @Option(
            help: "A file of TMDB movie documents or the TMDB 5000 movies CSV.", completion: .file(extensions: ["json", "jsonl", "csv"]))
        var from: String?
        @Option(help: "The TMDB 5000 credits CSV to join by movie id.", completion: .file(extensions: ["csv"])) var credits: String?
        @Flag(help: "Collect from the API instead of a file.") var api = false
        @Option(help: "The API's base URL (http or https).") var baseURL = WebAddress.tmdbAPI
        @Option(help: "The list to walk.") var list = TMDBAPICollector.List.popular
        @Option(help: "List pages to collect (20 movies each).") var pages = 5
        @Option(help: "Seconds before a request times out.") var requestTimeout = 10.0
        @Flag(help: "Start from page 1 even if an earlier run was interrupted.") var restart = false

        func validate() throws {
            guard (from == nil) != !api else { throw ValidationError("give either --from FILE or --api") }
            guard pages >= 1 else { throw ValidationError("--pages must be at least 1") }
            guard !(api && output.dryRun) else { throw ValidationError("--dry-run reads files; it does not apply to --api") }
        }

        func run() async throws {
            guard let from else { return try await collectFromAPI() }
            let creditRows = try credits.map { try TMDB5000CSV.readCredits(path: $0) }
            let input = try FileInput.open(from, kind: .tmdb, credits: creditRows)
            try await output.collect(
                input, source: "tmdb-file:\(from)", into: TMDBMovie.collection, label: "tmdb", connection: connection
            ) { ingestor, summary in
                guard let credits, let creditRows else { return }
                try await ingestor.reject(side: "tmdb-credits:\(credits)", problems: creditRows.problems, into: &summary)
                try await ingestor.finish(summary)
            }
        }

        private func collectFromAPI() async throws {
            var collector = TMDBAPICollector(
                baseURL: baseURL.url, token: ProcessInfo.processInfo.environment["TMDB_API_TOKEN"],
                logger: connection.logger("engage.collect"))
            collector.list = list
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
                notebook JSON or CSV) and tiktok-scraper items (its {"headers": …, "collector": […]} output too).
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: Output
        @Option(help: "A file of TikTok video items.", completion: .file(extensions: ["json", "jsonl", "csv"])) var from: String
        @Option(
            help: ArgumentHelp(
                "When the file was crawled, in ISO 8601 (2026-11-08T00:00:00Z); default now.",
                discussion: "The time its stats snapshots in tiktok_stats carry, from which view velocity is measured."))
        var observedAt: String?

        func validate() throws {
            guard let observedAt else { return }
            guard let date = try? Date(observedAt, strategy: .iso8601) else {
                throw ValidationError("--observed-at expects an ISO 8601 time such as 2026-11-08T00:00:00Z, got \"\(observedAt)\"")
            }
            guard date <= Date().addingTimeInterval(86_400) else {
                throw ValidationError("--observed-at \(observedAt) is in the future: give the time the file was crawled")
            }
        }

        func run() async throws {
            let crawled = try observedAt.map { try Date($0, strategy: .iso8601) } ?? Date()
            let input = try FileInput.open(from, kind: .tiktok, observedAt: crawled)
            try await output.collect(
                input, source: "tiktok-file:\(from)", into: TikTokVideo.collection, snapshots: TikTokVideo.statsCollection,
                label: "tiktok", connection: connection)
        }
    }

    /// `engage collect videos`
    struct Videos: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "videos",
            abstract: "A one-row-per-video CSV into raw_videos, columns found by name or pattern.",
            discussion: """
                Columns are matched by name (views, view_count, play_count, …), then by pattern once prefixes \
                (video_, post_, stats_) and suffixes (_count, _id, _sec, _ms) are taken off; the mapping is \
                printed with how each column was found, and what stays ambiguous is left for --map. \
                A video on several rows keeps its newest (by an observed-at column, else its views); every \
                row's counts are a snapshot in video_stats. \
                Fields: \(VideoColumnMapping.Field.allCases.map(\.rawValue).joined(separator: ", ")).
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: Output
        @Option(help: "The CSV file.", completion: .file(extensions: ["csv"])) var from: String
        @Option(help: "The platform of every row (otherwise a platform column, or unknown).") var platform: String?
        @Option(name: .customLong("map"), help: "field=column, to override detection; repeatable.") var mappings: [KeyValue] = []

        func run() async throws {
            let overrides = Dictionary(mappings.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
            let mapping = try VideoColumnMapping(header: try FileInput.csvHeader(from), overrides: overrides)
            if !output.json { print("column mapping for \(from):\n\(mapping.description)") }
            let input = try FileInput.videos(from, mapping: mapping, platform: platform)
            try await output.collect(
                input, source: "videos-file:\(from)", into: "raw_videos", snapshots: VideoColumnMapping.snapshotCollection, label: "videos",
                connection: connection)
        }
    }
}

extension CollectCommand {
    /// `engage collect events`
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "events",
            abstract: "Per-user interaction events (CSV or JSON Lines) into raw_events, fields found by name or pattern.",
            discussion: """
                One interaction per record: a user, a time and an action (view, like, comment, share, login, \
                subscribe, ad_impression, …; other actions are kept and counted), and optionally a video, watch \
                time, revenue, device and country. An event is keyed by its event id, else by the hash of what \
                it says, so re-running a file stores nothing twice. \
                Fields: \(InteractionEvents.Field.allCases.map(\.rawValue).joined(separator: ", ")).
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: Output
        @OptionGroup var file: NamedFieldsFile

        func run() async throws {
            let from = file.from
            let overrides = file.overrides
            let mapping = try InteractionEvents(header: try FileInput.fieldNames(from), overrides: overrides)
            if !output.json { print("field mapping for \(from):\n\(mapping.description)") }
            let known = Set(InteractionEvents.knownActions)
            var unknown: [String: Int] = [:]
            try await output.collect(
                try FileInput.events(from, mapping: mapping), source: "events-file:\(from)", into: InteractionEvents.collection,
                label: "events", connection: connection, finish: { _, summary in summary.unknownActions = unknown },
                observe: { record in
                    if let action = record.document["action"]?.stringValue, !known.contains(action) { unknown[action, default: 0] += 1 }
                })
        }
    }

    /// `engage collect users`
    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users",
            abstract: "User attributes (signup date, country, age band, subscription) into raw_users, keyed by user id.",
            discussion: "Fields: \(UserProfiles.Field.allCases.map(\.rawValue).joined(separator: ", ")); an age is put in its band.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: Output
        @OptionGroup var file: NamedFieldsFile

        func run() async throws {
            let from = file.from
            let overrides = file.overrides
            let mapping = try UserProfiles(header: try FileInput.fieldNames(from), overrides: overrides)
            if !output.json { print("field mapping for \(from):\n\(mapping.description)") }
            try await output.collect(
                try FileInput.users(from, mapping: mapping), source: "users-file:\(from)", into: UserProfiles.collection, label: "users",
                connection: connection)
        }
    }
}

/// The file of a collector whose fields are found by name (events, users): its path and `--map` overrides.
struct NamedFieldsFile: ParsableArguments {
    @Option(help: "The CSV or JSON Lines file.", completion: .file(extensions: ["csv", "jsonl", "json"])) var from: String
    @Option(name: .customLong("map"), help: "field=column, to override detection; repeatable.") var mappings: [KeyValue] = []

    /// Field name → column name, the last `--map` of a field winning.
    var overrides: [String: String] { Dictionary(mappings.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }) }
}

extension TMDBAPICollector.List: ExpressibleByArgument {}

/// An http(s) address given on the command line, checked when parsed.
struct WebAddress: ExpressibleByArgument, CustomStringConvertible {
    let url: URL

    /// TMDB's API, version 3.
    static let tmdbAPI = WebAddress(url: URL(string: "https://api.themoviedb.org/3")!)

    private init(url: URL) {
        self.url = url
    }

    init?(argument: String) {
        guard let url = URL(string: argument), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            return nil
        }
        self.url = url
    }

    var description: String { url.absoluteString }
    var defaultValueDescription: String { url.absoluteString }
}

/// A `key=value` pair given on the command line (`--map views=Plays`, `--param max_depth=8`).
struct KeyValue: ExpressibleByArgument, Sendable {
    let key: String
    let value: String

    init?(argument: String) {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else { return nil }
        key = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
    }
}
