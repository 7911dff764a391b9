import EngageML
import Foundation
import Hummingbird
import Insights
import HummingbirdCore
import Logging
import MongoKit
import NIOCore
import Registry
import ServiceLifecycle

/// Settings of the prediction server, built once from flags and environment.
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host = "127.0.0.1"
    /// The port to listen on (0: any free one).
    public var port = 8080
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes = 1 << 20
    /// Most instances in one request (400 beyond).
    public var maxInstances = 1_000
    /// How often the registry is re-read for moved aliases.
    public var pollInterval: Duration = .seconds(5)
    /// When set, prediction and model routes require `Authorization: Bearer <token>` (`ENGAGE_API_TOKEN`).
    public var apiToken: String?
    /// The share of predict requests logged to the `predictions` collection (0: no log).
    public var predictionLogSampleRate = 0.0
    /// A connection with no request in progress, or a request whose head or body stops arriving,
    /// is closed after this long.
    public var idleTimeout: Duration = .seconds(30)
    /// The longest a request body may take to arrive in full (408 after).
    public var bodyTimeout: Duration = .seconds(30)
    /// The most connections open at once; further ones wait in the listen backlog until one closes.
    public var maxConnections = 256
    /// Where `engage evaluate` wrote its reports, shown on the dashboard's Models page.
    public var reportsFolder = "reports"

    /// The defaults: loopback port 8080, 1 MiB bodies, 1,000 instances, 5 s polls, 30 s timeouts, 256 connections, no token, no log.
    public init() {}
}

/// The HTTP face of the ``ModelStore``: health, model listing, row predictions and metrics.
///
/// Routes: `GET /v2/health/live`, `GET /v2/health/ready` (with reasons), `GET /metrics`, and
/// (behind the bearer token when one is set) `GET /v1/models`,
/// `POST /v1/models/{m}[/versions/{v}]/predict[?explain=true]` with `{"instances": [{feature: value}]}`
/// or `{"documents": [raw document]}`, and the
/// Open Inference Protocol V2: `GET /v2/models/{m}[/versions/{v}]`, `POST …/infer`. A version slot
/// may hold an alias; every answer names the concrete version.
public struct PredictionServer: Sendable {
    /// The models served.
    public let store: ModelStore
    /// The settings it runs with.
    public let configuration: ServerConfiguration
    /// Request counts and latency, rendered at `GET /metrics`.
    public let metrics = ServerMetrics()
    /// The sampled prediction log, when the sample rate is above 0.
    public let predictionLog: PredictionLog?
    /// The dashboard's summaries, read from the registry's database.
    public let insights: InsightsStore
    let logger: Logger

    /// A server answering with `store`'s models under `configuration`.
    public init(store: ModelStore, configuration: ServerConfiguration, logger: Logger = Logger(label: "engage.serve")) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        insights = InsightsStore(database: store.registry.database)
        predictionLog = configuration.predictionLogSampleRate > 0 ? PredictionLog(sampleRate: configuration.predictionLogSampleRate) : nil
    }

    /// The application: the same one `engage serve` runs and the tests start, with the prediction
    /// log's writer and any other `services` running beside it.
    public func application(services: [any Service] = [], onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestAccounting(metrics: metrics, store: store, logger: logger))
        router.add(middleware: MethodGuard())
        router.get("v2/health/live") { _, _ in
            Response(status: .ok, headers: Self.jsonHeaders, body: .init(byteBuffer: ByteBuffer(staticString: #"{"live":true}"#)))
        }
        router.get("v2/health/ready") { _, _ in try await ready() }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render(predictionLog: predictionLog?.totals))))
        }
        Dashboard(insights: insights, registry: store.registry, reportsFolder: configuration.reportsFolder, token: configuration.apiToken)
            .addRoutes(to: router)
        if let token = configuration.apiToken {
            addModelRoutes(to: router.group().add(middleware: BearerTokenMiddleware(token: token)))
        } else {
            addModelRoutes(to: router)
        }
        var application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: TimeAmount(configuration.idleTimeout))),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "engage",
                availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
        application.addServices(services)
        if let predictionLog {
            application.addServices(PredictionLogWriter(log: predictionLog, collection: store.registry.database.collection("predictions")))
        }
        return application
    }

    /// Runs the server until SIGTERM or SIGINT (in-flight requests finish, the prediction log is
    /// drained), re-reading the registry every poll interval.
    public func run() async throws {
        await store.refresh()
        try await application(services: [RegistryPoller(store: store, interval: configuration.pollInterval, logger: logger)]).runService()
    }

    private func addModelRoutes(to routes: some RouterMethods<BasicRequestContext>) {
        routes.get("v1/models") { _, _ in try await listModels() }
        routes.post("v1/models/:model/predict") { request, context in
            try await predict(request, model: context.parameters.get("model") ?? "", reference: nil)
        }
        routes.post("v1/models/:model/versions/:version/predict") { request, context in
            try await predict(request, model: context.parameters.get("model") ?? "", reference: context.parameters.get("version"))
        }
        routes.get("v2/models/:model") { _, context in
            try await modelMetadata(context.parameters.get("model") ?? "", reference: nil)
        }
        routes.get("v2/models/:model/versions/:version") { _, context in
            try await modelMetadata(context.parameters.get("model") ?? "", reference: context.parameters.get("version"))
        }
        routes.post("v2/models/:model/infer") { request, context in
            try await infer(request, model: context.parameters.get("model") ?? "", reference: nil)
        }
        routes.post("v2/models/:model/versions/:version/infer") { request, context in
            try await infer(request, model: context.parameters.get("model") ?? "", reference: context.parameters.get("version"))
        }
    }

    // MARK: Handlers

    private func modelMetadata(_ name: String, reference: String?) async throws -> Response {
        let served = try await store.model(name, reference: reference)
        var metadata: InferenceProtocol.ModelMetadata
        if reference != nil {
            metadata = InferenceProtocol.metadata(served, versions: [served.version])
        } else {
            let records: [ModelRecord]
            do {
                records = try await store.registry.list(name)
            } catch let error as MongoError {
                throw ServingError.database("listing the versions of \(name)", error)
            }
            metadata = InferenceProtocol.metadata(served, versions: records.filter { !$0.archived }.map(\.version).sorted())
        }
        return try json(metadata)
    }

    private func infer(_ request: Request, model name: String, reference: String?) async throws -> Response {
        let served = try await store.model(name, reference: reference)
        let bytes = try await collectBody(request)
        let decoded: InferenceProtocol.InferRequest
        do {
            decoded = try JSONDecoder().decode(InferenceProtocol.InferRequest.self, from: Data(bytes.readableBytesView))
        } catch {
            throw ServingError.malformed("expected {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}]}")
        }
        let table: FeatureTable
        do {
            table = try InferenceProtocol.rows(decoded, features: served.artifact.features, maxInstances: configuration.maxInstances)
        } catch {
            throw error.serving(summary: "invalid inputs")
        }
        let answers = try served.predictions(table)
        let outputs = InferenceProtocol.outputNames(served.artifact.task).map { output -> InferenceProtocol.Tensor in
            let data: [Double] = answers.map { answer in
                switch output {
                case "label": answer.label ?? .nan
                case "probability": answer.probability ?? .nan
                case "value": answer.value ?? .nan
                case "cluster": Double(answer.cluster ?? -1)
                default: answer.distance ?? .nan
                }
            }
            return .init(name: output, shape: [data.count], datatype: output == "cluster" ? "INT64" : "FP64", data: data)
        }
        return try json(
            InferenceProtocol.InferResponse(modelName: served.name, modelVersion: String(served.version), id: decoded.id, outputs: outputs))
    }

    /// The request body, at most `maxBodyBytes`, arriving within `bodyTimeout`. A declared
    /// `Content-Length` over the limit is refused from the head alone, before any body is read.
    ///
    /// The deadline is checked as each piece arrives, with no timer task per request: a body whose
    /// pieces stop coming is closed by the connection's idle timeout, and one that trickles in is
    /// answered 408 at its first piece past the deadline.
    private func collectBody(_ request: Request) async throws(ServingError) -> ByteBuffer {
        let limit = configuration.maxBodyBytes
        if let declared = request.headers[.contentLength], let length = Int(declared), length > limit {
            throw .bodyTooLarge(limit)
        }
        let deadline = ContinuousClock.now + configuration.bodyTimeout
        var body = ByteBuffer()
        do {
            for try await piece in request.body {
                guard ContinuousClock.now <= deadline else { throw ServingError.bodyTimeout(configuration.bodyTimeout) }
                guard body.readableBytes + piece.readableBytes <= limit else { throw ServingError.bodyTooLarge(limit) }
                if body.readableBytes == 0 {
                    body = piece
                } else {
                    var piece = piece
                    body.writeBuffer(&piece)
                }
            }
        } catch let error as ServingError {
            throw error
        } catch {
            throw .malformed("the body could not be read: \(error)")
        }
        return body
    }

    private func ready() async throws -> Response {
        let served = await store.served
        let problems = await store.problems
        let body = Readiness(ready: !served.isEmpty, models: served.map { "\($0.name)@\($0.version)" }, problems: problems)
        return try json(body, status: served.isEmpty ? .serviceUnavailable : .ok)
    }

    private func listModels() async throws -> Response {
        let records: [ModelRecord]
        do {
            records = try await store.registry.list()
        } catch let error as MongoError {
            throw ServingError.database("listing models", error)
        }
        let served = Dictionary(uniqueKeysWithValues: await store.served.map { ($0.name, $0.version) })
        let models = Dictionary(grouping: records, by: \.name).map { name, versions in
            ModelListing(
                name: name, served: served[name],
                versions: versions.map {
                    .init(version: $0.version, algorithm: $0.algorithm, aliases: $0.aliases, archived: $0.archived, metrics: $0.metrics)
                })
        }.sorted { $0.name < $1.name }
        return try json(["models": models])
    }

    private func predict(_ request: Request, model name: String, reference: String?) async throws -> Response {
        let start = ContinuousClock.now
        let served = if let reference { try await store.model(name, reference: reference) } else { try store.served(name) }
        let bytes = try await collectBody(request)
        let explain = request.uri.queryParameters.get("explain").map { ["true", "1", "yes"].contains($0.lowercased()) } ?? false
        let parsed: PredictionRequest
        do {
            parsed = try bytes.readableBytesView.withUnsafeBytes { body throws(RequestFailure) in
                try PredictionRequest.parse(body, features: served.keys, maxInstances: configuration.maxInstances)
            }
        } catch {
            throw error.serving(summary: "invalid instances")
        }
        let table: FeatureTable
        var computed: [[String: Double?]]?
        switch parsed {
        case .instances(let rows):
            table = rows.table
        case .documents(let documents):
            let rows = try await DocumentRows.compute(documents, for: served, database: store.registry.database)
            table = rows.table
            computed = rows.features
        }
        let answers = try served.predictions(table)
        let explanations: [Explanation]?
        do {
            explanations = explain ? try served.artifact.pipeline.explain(table) : nil
        } catch {
            throw ServingError.malformed(error.description)
        }
        if let predictionLog, predictionLog.samples() {
            bytes.readableBytesView.withUnsafeBytes { body in
                predictionLog.record(
                    model: served.name, version: served.version, body: body, rows: answers.count, outputs: answers.map(\.document),
                    latency: ContinuousClock.now - start)
            }
        }
        return Response(
            status: .ok, headers: Self.jsonHeaders,
            body: .init(byteBuffer: PredictionBody.write(served, answers, explanations: explanations, features: computed)))
    }

    private static let jsonHeaders: HTTPFields = [.contentType: "application/json"]
}

// MARK: Bodies

struct Readiness: Encodable {
    var ready: Bool
    var models: [String]
    var problems: [String: String]
}

struct ModelListing: Encodable {
    struct Version: Encodable {
        var version: Int
        var algorithm: AlgorithmSpec.Family
        var aliases: [String]
        var archived: Bool
        var metrics: [String: Double]
    }

    var name: String
    var served: Int?
    var versions: [Version]
}

struct ErrorBody: Encodable {
    var error: String
    var fields: [FieldProblem]?
}

/// The answer of `POST …/predict`: `{"model": {"name", "version"}, "predictions": [...]}`, each
/// prediction with its explanation (`explain=true`) and, for documents, the features computed.
enum PredictionBody {
    static func write(_ served: ServedModel, _ answers: [Prediction], explanations: [Explanation]?, features: [[String: Double?]]?)
        -> ByteBuffer
    {
        var writer = JSONWriter(capacity: 64 + answers.count * (explanations == nil ? 48 : 48 + 32 * served.keys.count))
        writer.raw("{\"model\":{\"name\":")
        writer.string(served.name)
        writer.raw(",\"version\":")
        writer.number(served.version)
        writer.raw("},\"predictions\":[")
        for (i, answer) in answers.enumerated() {
            if i > 0 { writer.raw(",") }
            writer.raw("{")
            if let label = answer.label {
                writer.raw("\"label\":")
                if served.artifact.classLabels != nil { writer.string(served.labelText(label)) } else { writer.number(label) }
                writer.raw(",\"probability\":")
                writer.optionalNumber(answer.probability)
                if let probabilities = answer.probabilities {
                    writer.raw(",\"probabilities\":")
                    writer.numberObject(served.classNames, values: probabilities)
                }
            } else if let cluster = answer.cluster {
                writer.raw("\"cluster\":")
                writer.number(cluster)
                writer.raw(",\"distance\":")
                writer.optionalNumber(answer.distance)
            } else {
                writer.raw("\"value\":")
                writer.optionalNumber(answer.value)
            }
            if let explanation = explanations?[i] {
                writer.raw(",\"explanation\":{\"unit\":")
                writer.string(explanation.unit)
                writer.raw(",\"baseline\":")
                writer.number(explanation.baseline)
                writer.raw(",\"contributions\":")
                writer.numberObject(served.keys.names) { explanation.contributions[$0] }
                writer.raw("}")
            }
            if let computed = features?[i] {
                writer.raw(",\"features\":")
                writer.numberObject(served.keys.names) { computed[$0] ?? nil }
            }
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.buffer
    }
}

/// Re-reads the registry every `interval` and swaps in models whose alias moved.
struct RegistryPoller: Service {
    let store: ModelStore
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var reported = await store.problems
        report(reported, since: [:])
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard !Task.isShuttingDownGracefully else { return }
            let swapped = await store.refresh()
            if !swapped.isEmpty { logger.info("models swapped in", metadata: ["models": "\(swapped)"]) }
            let problems = await store.problems
            report(problems, since: reported)
            reported = problems
        }
    }

    /// Logs each problem that is new or changed at warning (a refused artifact, a database outage),
    /// and each one that went away at info.
    private func report(_ problems: [String: String], since earlier: [String: String]) {
        for (model, problem) in problems.sorted(by: { $0.key < $1.key }) where earlier[model] != problem {
            logger.warning("model not served as wanted", metadata: ["model.name": "\(model)", "problem": "\(problem)"])
        }
        for model in earlier.keys.sorted() where problems[model] == nil {
            logger.info("model problem resolved", metadata: ["model.name": "\(model)"])
        }
    }
}

func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(bytes: try JSONCoding.encoder().encode(value))))
}
