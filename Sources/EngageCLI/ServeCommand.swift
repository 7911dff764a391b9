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
            With ENGAGE_API_TOKEN set, the model routes require Authorization: Bearer <token>. \
            The registry is re-read every --poll-seconds; a moved alias swaps the new version in.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Folder of local model artifacts.") var models = "models"
    @Option(help: "The alias each model is served at.") var alias = "production"
    @Option(help: "Seconds between registry checks.") var pollSeconds = 5.0
    @Option(help: "Largest request body in bytes.") var maxBodyBytes = 1 << 20
    @Option(help: "Most instances per request.") var maxInstances = 1_000
    @Option(help: "Share of predict requests logged to the predictions collection, 0–1 (0: off).") var logSample = 0.0

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1–65535, got \(port)") }
        guard pollSeconds >= 0.1 else { throw ValidationError("--poll-seconds must be at least 0.1") }
        guard (0...1).contains(logSample) else { throw ValidationError("--log-sample must be between 0 and 1, got \(logSample)") }
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
        try await connection.withDatabase { database in
            let store = ModelStore(registry: ModelRegistry(database: database, folder: models), alias: alias)
            try await PredictionServer(store: store, configuration: settings, logger: connection.logger("engage.serve")).run()
        }
    }
}
