import Charts
import EngageML
import Foundation

/// Writes an ``EvaluationReport`` as a self-contained HTML page (inline CSS and SVG, no scripts,
/// no external fetches), as Markdown and as JSON, named `NAME-vVERSION.{html,md,json}`.
public enum ReportWriter {
    /// Writes the three files into `folder`; returns their paths.
    public static func write(_ report: EvaluationReport, to folder: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let base = "\(folder)/\(report.model)-v\(report.version)"
        try JSONCoding.readableEncoder().encode(report).write(to: URL(fileURLWithPath: base + ".json"))
        try Data(markdown(report).utf8).write(to: URL(fileURLWithPath: base + ".md"))
        try Data(html(report).utf8).write(to: URL(fileURLWithPath: base + ".html"))
        return [base + ".html", base + ".md", base + ".json"]
    }

    /// The fewest rows a calibration bin needs to be drawn on the curve.
    static let calibrationMinimumRows = 10

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: abs(value) >= 1000 ? "%.4g" : "%.4f", value == 0 ? 0 : value)
    }

    /// Metric rows: this version, baseline, production and the deltas.
    static func metricRows(_ report: EvaluationReport) -> [[String]] {
        report.metrics.keys.sorted().map { key in
            let value = report.metrics[key]
            let base = report.baseline[key]
            let production = report.production?.metrics[key]
            let cv = report.crossValidation?[key].map { "\(number($0.mean)) ± \(number($0.standardDeviation))" } ?? "–"
            return [
                key, number(value), number(base), (value != nil && base != nil) ? String(format: "%+.4f", value! - base!) : "–",
                number(production), (value != nil && production != nil) ? String(format: "%+.4f", value! - production!) : "–", cv,
            ]
        }
    }

    static func markdown(_ report: EvaluationReport) -> String {
        var lines = [
            "# \(report.model) v\(report.version)", "",
            "\(report.task.rawValue), \(report.algorithm.rawValue) \(report.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) on \(report.featureSet); "
                + "\(report.trainingRows) training rows, \(report.testRows) held-out rows (split \(report.split)).", "",
            "| metric | this version | baseline | Δ baseline | production\(report.production.map { " (v\($0.version))" } ?? "") | Δ production | CV mean ± sd |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += metricRows(report).map { "| " + $0.joined(separator: " | ") + " |" }
        if let confusion = report.confusion, let classes = report.classes {
            lines += [
                "", "Confusion matrix (rows: truth, columns: predicted)", "",
                "| | " + classes.map { String(format: "%g", $0) }.joined(separator: " | ") + " |",
                "|---|" + classes.map { _ in "---|" }.joined(),
            ]
            for (row, label) in zip(confusion, classes) {
                lines.append("| \(String(format: "%g", label)) | " + row.map(String.init).joined(separator: " | ") + " |")
            }
        }
        if let thresholds = report.thresholds {
            lines += ["", "| threshold | precision | recall | F1 | predicted positive |", "|---|---|---|---|---|"]
            lines += thresholds.map {
                "| \(String(format: "%.1f", $0.threshold)) | \(number($0.precision)) | \(number($0.recall)) | \(number($0.f1)) | \(number($0.positiveRate)) |"
            }
        }
        if let segments = report.errorsBySegment {
            lines += ["", "| segment | rows | MAE | RMSE |", "|---|---|---|---|"]
            lines += segments.map { "| \($0.segment) | \($0.rows) | \(number($0.mae)) | \(number($0.rmse)) |" }
        }
        if let importances = report.permutationImportances {
            lines += ["", "Permutation importance (score drop when a feature is shuffled):", ""]
            lines += importances.sorted { $0.value > $1.value }.prefix(12).map { "- \($0.key): \(number($0.value))" }
        }
        if let sizes = report.clusterSizes { lines += ["", "Cluster sizes: " + sizes.map(String.init).joined(separator: ", ")] }
        return lines.joined(separator: "\n") + "\n"
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(SVGChart.escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\(SVGChart.escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }

    /// The whole page: the header, then one section after another.
    static func html(_ report: EvaluationReport) -> String {
        let sections = [metricsSection(report), chartsSection(report)] + tableSections(report) + [dataSection(report)]
        return page(report, sections)
    }

    /// Metrics beside the baseline, the production version and cross-validation.
    static func metricsSection(_ report: EvaluationReport) -> String {
        "<h2>Metrics</h2>"
            + table(
                [
                    "metric", "this version", "baseline", "Δ baseline",
                    "production" + (report.production.map { " v\($0.version)" } ?? ""), "Δ production", "CV mean ± sd",
                ],
                metricRows(report))
    }

    /// Every chart the report has data for, in a grid.
    static func chartsSection(_ report: EvaluationReport) -> String {
        let charts = classifierCharts(report) + regressorCharts(report) + clusterCharts(report) + importanceCharts(report)
        return "<h2>Charts</h2><div class='grid'>" + charts.joined() + "</div>"
    }

    /// ROC, precision–recall and calibration curves.
    static func classifierCharts(_ report: EvaluationReport) -> [String] {
        var charts: [String] = []
        if let roc = report.roc {
            charts.append(
                figure(
                    "ROC curve",
                    SVGChart.lines(
                        [("ROC (AUC \(number(report.metrics["roc_auc"])))", roc.map { ($0[0], $0[1]) })],
                        xLabel: "false positive rate", yLabel: "true positive rate", xRange: 0...1, yRange: 0...1, diagonal: true)))
        }
        if let pr = report.precisionRecall {
            charts.append(
                figure(
                    "Precision–recall",
                    SVGChart.lines(
                        [("PR (AP \(number(report.metrics["pr_auc"])))", pr.map { ($0[0], $0[1]) })],
                        xLabel: "recall", yLabel: "precision", xRange: 0...1, yRange: 0...1)))
        }
        if let calibration = report.calibration {
            // A bin of a handful of rows is all noise (one positive row plots at 1.0): the curve
            // keeps the bins of at least `calibrationMinimumRows`; the table under it shows all.
            let kept = calibration.filter { $0.count >= calibrationMinimumRows }
            charts.append(
                figure(
                    "Calibration (bins of \(calibrationMinimumRows) rows or more)",
                    SVGChart.lines(
                        [("observed", kept.map { ($0.meanPredicted, $0.fractionPositive) })],
                        xLabel: "mean predicted probability", yLabel: "fraction positive", xRange: 0...1, yRange: 0...1, diagonal: true)
                        + table(
                            ["predicted", "rows", "mean predicted", "fraction positive"],
                            calibration.map {
                                [
                                    String(format: "%.1f–%.1f", $0.lower, $0.upper), String($0.count), number($0.meanPredicted),
                                    number($0.fractionPositive),
                                ]
                            })))
        }
        return charts
    }

    /// Predicted against actual, and the residuals.
    static func regressorCharts(_ report: EvaluationReport) -> [String] {
        var charts: [String] = []
        if let points = report.predictedVsActual {
            charts.append(
                figure(
                    "Predicted vs actual",
                    SVGChart.scatter(points.map { ($0[0], $0[1]) }, xLabel: "actual", yLabel: "predicted", diagonal: true)))
        }
        if let residuals = report.residuals {
            charts.append(figure("Residuals", SVGChart.histogram(residuals, xLabel: "actual − predicted")))
        }
        return charts
    }

    /// The 2-D projection and the cluster sizes.
    static func clusterCharts(_ report: EvaluationReport) -> [String] {
        var charts: [String] = []
        if let projection = report.projection {
            charts.append(
                figure(
                    "Clusters on the first two principal components",
                    SVGChart.scatter(
                        projection.map { ($0[0], $0[1]) }, groups: projection.map { Int($0[2]) },
                        legend: (0...(projection.map { Int($0[2]) }.max() ?? 0)).map { "cluster \($0)" }, xLabel: "PC 1", yLabel: "PC 2")))
        }
        if let sizes = report.clusterSizes {
            charts.append(
                figure(
                    "Cluster sizes",
                    SVGChart.bars(sizes.enumerated().map { ("cluster \($0.offset)", Double($0.element)) }, valueLabel: "rows")))
        }
        return charts
    }

    /// Impurity (or coefficient) and permutation importances, the top 15 of each.
    static func importanceCharts(_ report: EvaluationReport) -> [String] {
        var charts: [String] = []
        if let importances = report.impurityImportances, !importances.isEmpty {
            let top = importances.sorted { $0.value > $1.value }.prefix(15).map { ($0.key, $0.value) }
            charts.append(
                figure(
                    report.algorithm == .tree ? "Impurity importance" : "|coefficient| (standardized)",
                    SVGChart.bars(top, valueLabel: "importance")))
        }
        if let importances = report.permutationImportances {
            let top = importances.sorted { $0.value > $1.value }.prefix(15).map { ($0.key, max(0, $0.value)) }
            charts.append(figure("Permutation importance", SVGChart.bars(top, valueLabel: "score drop when shuffled")))
        }
        return charts
    }

    /// The confusion matrix, thresholds, per-class metrics, errors by segment and cluster profiles.
    static func tableSections(_ report: EvaluationReport) -> [String] {
        var sections: [String] = []
        if let confusion = report.confusion, let classes = report.classes {
            sections.append(
                "<h2>Confusion matrix</h2>"
                    + table(
                        ["truth \\ predicted"] + classes.map { String(format: "%g", $0) },
                        zip(classes, confusion).map { [String(format: "%g", $0)] + $1.map(String.init) }))
        }
        if let thresholds = report.thresholds {
            sections.append(
                "<h2>Thresholds</h2>"
                    + table(
                        ["threshold", "precision", "recall", "F1", "predicted positive"],
                        thresholds.map {
                            [
                                String(format: "%.1f", $0.threshold), number($0.precision), number($0.recall), number($0.f1),
                                number($0.positiveRate),
                            ]
                        }))
        }
        if let perClass = report.perClass {
            sections.append(
                "<h2>Per class</h2>"
                    + table(
                        ["class", "precision", "recall", "F1", "support"],
                        perClass.map {
                            [String(format: "%g", $0.label), number($0.precision), number($0.recall), number($0.f1), String($0.support)]
                        }))
        }
        if let segments = report.errorsBySegment {
            sections.append(
                "<h2>Errors by segment</h2>"
                    + table(
                        ["segment", "rows", "MAE", "RMSE"], segments.map { [$0.segment, String($0.rows), number($0.mae), number($0.rmse)] })
            )
        }
        if let centroids = report.centroids, let names = report.centroidFeatures {
            // A feature without a single value has a centroid of its fill value, not a measurement.
            let empty = Set(report.features.filter { $0.nullRate >= 1 }.map(\.name))
            sections.append(
                "<h2>Cluster profiles (centroids in original units)</h2>"
                    + table(
                        ["cluster", "rows"] + names,
                        centroids.enumerated().map { index, centre in
                            ["\(index)", String(report.clusterSizes?[index] ?? 0)]
                                + zip(names, centre).map { empty.contains($0.0) ? "–" : number($0.1) }
                        })
                    + (empty.isEmpty
                        ? "" : "<p>– : no value in the held-out rows (\(SVGChart.escape(empty.sorted().joined(separator: ", ")))).</p>"))
        }
        return sections
    }

    /// The held-out class balance and each feature's distribution.
    static func dataSection(_ report: EvaluationReport) -> String {
        var sections: [String] = []
        if let balance = report.classBalance {
            sections.append(
                "<h2>Data</h2><p>Held-out class balance: "
                    + balance.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "</p>")
        } else {
            sections.append("<h2>Data</h2>")
        }
        sections.append(
            table(
                ["feature", "missing %", "min", "median", "max"],
                report.features.map {
                    [$0.name, String(format: "%.1f", $0.nullRate * 100), number($0.min), number($0.median), number($0.max)]
                }))
        return sections.joined()
    }

    /// The HTML document around `sections`: inline CSS, the title and the version's facts.
    static func page(_ report: EvaluationReport, _ sections: [String]) -> String {
        let parameters = report.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(SVGChart.escape(report.model)) v\(report.version)</title>
            <style>body{font-family:system-ui,sans-serif;margin:24px;color:#111827;max-width:1400px}table{border-collapse:collapse;margin:8px 0 16px}
            td,th{border:1px solid #e5e7eb;padding:3px 8px;font-size:13px;text-align:right}th{background:#f3f4f6}td:first-child,th:first-child{text-align:left}
            .grid{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;border:1px solid #e5e7eb;padding:8px}figcaption{font-size:13px;font-weight:600}
            .meta{color:#4b5563;font-size:14px}</style></head><body>
            <h1>\(SVGChart.escape(report.model)) v\(report.version)</h1>
            <p class="meta">\(report.task.rawValue) · \(SVGChart.escape(report.algorithm.rawValue)) \(SVGChart.escape(parameters)) · \(SVGChart.escape(report.featureSet)) ·
            \(report.trainingRows) training rows · \(report.testRows) held-out rows (split \(SVGChart.escape(report.split)))</p>
            \(sections.joined(separator: "\n"))
            </body></html>
            """
    }

    static func figure(_ title: String, _ svg: String) -> String {
        "<figure><figcaption>\(SVGChart.escape(title))</figcaption>\(svg)</figure>"
    }
}
