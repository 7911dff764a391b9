import ArgumentParser
import Foundation
import Registry
import Serving

/// `engage serve`: the prediction server, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer predictions over HTTP with the registry's models (alias production, else the newest).",
        discussion: """
            Routes: GET /v2/health/live, GET /v2/health/ready, GET /metrics; GET /v1/models, \
            POST /v1/models/{m}[/versions/{v}]/predict[?explain=true] with {"instances": [{feature: value}]} \
            or {"documents": [raw TikTok or TMDB document]}, \
            GET /v2/models/{m}[/versions/{v}], POST /v2/models/{m}[/versions/{v}]/infer (Open Inference Protocol V2). \
            With ENGAGE_API_TOKEN set, the model routes require Authorization: Bearer <token>, and the dashboard at / \
            a sign-in (/sign-in) or that header. \
            The registry is re-read every --poll-seconds; a moved alias swaps the new version in.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "The folder of `engage evaluate`'s reports, shown on the dashboard's Models page.") var reports = "reports"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Folder of local model artifacts.") var models = "models"
    @Option(help: "The alias each model is served at.") var alias = "production"
    @Option(help: "Seconds between registry checks.") var pollSeconds = 5.0
    @Option(help: "Largest request body in bytes.") var maxBodyBytes = 1 << 20
    @Option(help: "Most instances per request.") var maxInstances = 1_000
    @Option(help: "Share of predict requests logged to the predictions collection, 0–1 (0: off).") var logSample = 0.0
    @Option(help: "Seconds before an idle connection, or a request that stops arriving, is closed.") var idleTimeout = 30.0
    @Option(help: "Seconds a request body may take to arrive in full (408 after).") var bodyTimeout = 30.0
    @Option(help: "Most connections open at once; more wait in the listen backlog.") var maxConnections = 256

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1–65535, got \(port)") }
        guard (0.1...86_400).contains(pollSeconds) else {
            throw ValidationError("--poll-seconds must be between 0.1 and 86400, got \(pollSeconds)")
        }
        guard (0...1).contains(logSample) else { throw ValidationError("--log-sample must be between 0 and 1, got \(logSample)") }
        guard (64...(1 << 30)).contains(maxBodyBytes) else {
            throw ValidationError("--max-body-bytes must be between 64 and 1073741824, got \(maxBodyBytes)")
        }
        guard (1...100_000).contains(maxInstances) else {
            throw ValidationError("--max-instances must be between 1 and 100000, got \(maxInstances)")
        }
        for (flag, seconds) in [("--idle-timeout", idleTimeout), ("--body-timeout", bodyTimeout)] where !(0.1...3_600).contains(seconds) {
            throw ValidationError("\(flag) must be between 0.1 and 3600 seconds, got \(seconds)")
        }
        guard (1...65_536).contains(maxConnections) else {
            throw ValidationError("--max-connections must be between 1 and 65536, got \(maxConnections)")
        }
    }

    func run() async throws {
        var settings = ServerConfiguration()
        settings.host = host
        settings.port = port
        settings.maxBodyBytes = maxBodyBytes
        settings.maxInstances = maxInstances
        settings.predictionLogSampleRate = logSample
        settings.apiToken = ProcessInfo.processInfo.environment["ENGAGE_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        settings.pollInterval = .milliseconds(Int64(pollSeconds * 1000))
        settings.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        settings.bodyTimeout = .milliseconds(Int64(bodyTimeout * 1000))
        settings.maxConnections = maxConnections
        settings.reportsFolder = reports
        try await connection.withDatabase { database in
            let store = ModelStore(registry: ModelRegistry(database: database, folder: models), alias: alias)
            try await PredictionServer(store: store, configuration: settings, logger: connection.logger("engage.serve")).run()
        }
    }
}
