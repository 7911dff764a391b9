import Foundation
import Registry

/// The registry as MLflow's model page shows it: each model's versions with their aliases,
/// algorithm, feature set and held-out metrics side by side, two versions compared metric by
/// metric, and each version's evaluation report (written by `engage evaluate`) in the page.
enum ModelsPage {
    static let page = DashboardPages.Page(path: "/models", name: "Models", template: "models")

    /// The report file of a version in `folder`, when `engage evaluate` wrote one. The name was
    /// validated by the registry (no separators), the version is a number.
    static func reportFile(folder: String, name: String, version: Int) -> String? {
        guard (try? ModelName.validate(name)) != nil else { return nil }
        let path = "\(folder)/\(name)-v\(version).html"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The page's values; `compare` names a model and two of its versions.
    static func context(_ records: [ModelRecord], reportsFolder: String, compare: (name: String, a: Int, b: Int)?) -> [String: Any] {
        let byName = Dictionary(grouping: records, by: \.name)
        let models: [[String: Any]] = byName.keys.sorted().map { name in
            let versions = byName[name]!.sorted { $0.version > $1.version }
            let metricNames = Array(Set(versions.flatMap(\.metrics.keys))).sorted()
            // Each version's report link, looked up on disk once.
            var reports: [Int: String] = [:]
            for record in versions where reportFile(folder: reportsFolder, name: name, version: record.version) != nil {
                reports[record.version] = "/models/\(name)/versions/\(record.version)/report"
            }
            let rows: [[String: Any]] = versions.map { record in
                var row: [String: Any] = [
                    "version": "\(record.version)", "aliases": record.aliases.sorted().joined(separator: ", "),
                    "algorithm": record.algorithm.rawValue, "featureSet": record.featureSet,
                    "created": DashboardPages.dayTime(record.createdAt), "archived": record.archived,
                    "metrics": metricNames.map { record.metrics[$0].map(metric) ?? "–" },
                ]
                row["report"] = reports[record.version]
                return row
            }
            var model: [String: Any] = [
                "name": name, "task": versions.first?.task.rawValue ?? "", "metricNames": metricNames, "versions": rows,
                "versionNumbers": versions.map { ["value": "\($0.version)"] },
            ]
            if let compare, compare.name == name,
                let left = versions.first(where: { $0.version == compare.a }),
                let right = versions.first(where: { $0.version == compare.b })
            {
                var comparison: [String: Any] = [
                    "a": "\(left.version)", "b": "\(right.version)",
                    "rows": metricNames.map { key -> [String: String] in
                        let l = left.metrics[key], r = right.metrics[key]
                        let difference = l.flatMap { l in r.map { $0 - l } }
                        return [
                            "metric": key, "a": l.map(metric) ?? "–", "b": r.map(metric) ?? "–",
                            "difference": difference.map { String(format: "%+.4f", $0 == 0 ? 0 : $0) } ?? "–",
                        ]
                    },
                ]
                // A version without a report shows none (an empty key would still open the section).
                comparison["reportA"] = reports[left.version]
                comparison["reportB"] = reports[right.version]
                model["comparison"] = comparison
            }
            return model
        }
        return ["models": models, "empty": models.isEmpty]
    }

    static func metric(_ value: Double) -> String { String(format: "%.4f", value == 0 ? 0 : value) }
}
