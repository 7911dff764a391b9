import Foundation
import Synchronization

/// Request counts and latency by route, model and status, rendered in Prometheus' text format.
/// Recording takes a short lock instead of an actor hop, so it adds no task switch to a request.
public final class ServerMetrics: Sendable {
    private struct Key: Hashable {
        var route: String
        var model: String
        var status: Int
    }

    private struct Totals {
        var counts: [Key: Int] = [:]
        var seconds: [Key: Double] = [:]
    }

    private let totals = Mutex(Totals())

    public init() {}

    func record(route: String, model: String, status: Int, duration: Duration) {
        let key = Key(route: route, model: model, status: status)
        totals.withLock {
            $0.counts[key, default: 0] += 1
            $0.seconds[key, default: 0] += duration / .seconds(1)
        }
    }

    /// The exposition text, with the prediction log's counts when there is one.
    public func render(predictionLog: PredictionLog.Counts? = nil) -> String {
        let (counts, seconds) = totals.withLock { ($0.counts, $0.seconds) }
        var lines = [
            "# HELP engage_requests_total Requests answered, by route, model and status.",
            "# TYPE engage_requests_total counter",
        ]
        let keys = counts.keys.sorted { ($0.route, $0.model, $0.status) < ($1.route, $1.model, $1.status) }
        for key in keys { lines.append("engage_requests_total\(labels(key)) \(counts[key]!)") }
        lines += [
            "# HELP engage_request_duration_seconds Time to answer, by route, model and status.",
            "# TYPE engage_request_duration_seconds summary",
        ]
        for key in keys {
            lines.append("engage_request_duration_seconds_sum\(labels(key)) \(seconds[key]!)")
            lines.append("engage_request_duration_seconds_count\(labels(key)) \(counts[key]!)")
        }
        if let predictionLog {
            lines += [
                "# HELP engage_prediction_log_entries_total Sampled predictions written to MongoDB, dropped (queue full) or lost (failed write).",
                "# TYPE engage_prediction_log_entries_total counter",
                "engage_prediction_log_entries_total{outcome=\"written\"} \(predictionLog.written)",
                "engage_prediction_log_entries_total{outcome=\"dropped\"} \(predictionLog.dropped)",
                "engage_prediction_log_entries_total{outcome=\"failed\"} \(predictionLog.failed)",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func labels(_ key: Key) -> String {
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
        return "{route=\"\(escape(key.route))\",model=\"\(escape(key.model))\",status=\"\(key.status)\"}"
    }
}
