import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// Request counts and latency by route template, served model and status, recorded through
/// swift-metrics into a Prometheus registry of this server's own and rendered in Prometheus' text
/// format at `GET /metrics`.
///
/// Labels come only from a bounded set: the route's template (`/v1/models/{model}/predict`, never
/// the path as sent), a model name only when the server serves that model (anything else counts
/// under ``unknownModel``), and the status code. A client choosing names cannot grow the series.
public final class ServerMetrics: Sendable {
    /// The model label of requests for names the server does not serve.
    public static let unknownModel = "(unknown)"

    private struct Key: Hashable {
        var route: String
        var model: String
        var status: Int
    }

    private struct Series {
        var requests: CoreMetrics.Counter
        var duration: CoreMetrics.Timer
    }

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let series = Mutex<[Key: Series]>([:])

    /// Metrics in a registry of their own, with latency buckets from 250 µs to 5 s.
    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        self.factory = factory
    }

    /// Counts one answered request. `model` must already be a bounded label (a served model's name,
    /// ``unknownModel`` or empty for routes without one).
    func record(route: String, model: String, status: Int, duration: Duration) {
        let key = Key(route: route, model: model, status: status)
        let entry = series.withLock { cached in
            if let entry = cached[key] { return entry }
            let dimensions = [("route", route), ("model", model), ("status", String(status))]
            let entry = Series(
                requests: CoreMetrics.Counter(label: "engage_requests_total", dimensions: dimensions, factory: factory),
                duration: CoreMetrics.Timer(label: "engage_request_duration_seconds", dimensions: dimensions, factory: factory))
            cached[key] = entry
            return entry
        }
        entry.requests.increment()
        entry.duration.recordNanoseconds(Int64(duration / .nanoseconds(1)))
    }

    /// The exposition text, with the prediction log's counts when there is one.
    public func render(predictionLog: PredictionLog.Counts? = nil) -> String {
        var text = registry.emitToString()
        if let predictionLog {
            text += """
                # HELP engage_prediction_log_entries_total Sampled predictions written to MongoDB, dropped (queue full) or lost (failed write).
                # TYPE engage_prediction_log_entries_total counter
                engage_prediction_log_entries_total{outcome="written"} \(predictionLog.written)
                engage_prediction_log_entries_total{outcome="dropped"} \(predictionLog.dropped)
                engage_prediction_log_entries_total{outcome="failed"} \(predictionLog.failed)

                """
        }
        return text
    }
}
