import Foundation

/// Small self-contained SVG charts for reports: no scripts, no external fetches.
enum SVGChart {
    static let width = 420.0
    static let height = 280.0
    static let margin = 40.0
    static let palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"]

    /// Lines through `series` (name, points) over fixed or data axes; `diagonal` draws y = x.
    static func lines(
        _ series: [(String, [(Double, Double)])], xLabel: String, yLabel: String, xRange: ClosedRange<Double>? = nil,
        yRange: ClosedRange<Double>? = nil, diagonal: Bool = false
    ) -> String {
        let all = series.flatMap(\.1)
        let xs = xRange ?? range(all.map(\.0))
        let ys = yRange ?? range(all.map(\.1))
        var body = axes(xs, ys, xLabel: xLabel, yLabel: yLabel)
        if diagonal {
            body +=
                "<line x1='\(px(xs.lowerBound, xs))' y1='\(py(ys.lowerBound, ys))' x2='\(px(xs.upperBound, xs))' y2='\(py(ys.upperBound, ys))' stroke='#9ca3af' stroke-dasharray='4 4'/>"
        }
        for (index, (name, points)) in series.enumerated() {
            let path = points.map { "\(fmt(px($0.0, xs))),\(fmt(py($0.1, ys)))" }.joined(separator: " ")
            body += "<polyline fill='none' stroke='\(palette[index % palette.count])' stroke-width='2' points='\(path)'/>"
            body +=
                "<text x='\(fmt(margin + 8))' y='\(fmt(margin - 20 + Double(index) * 14))' font-size='11' fill='\(palette[index % palette.count])'>\(escape(name))</text>"
        }
        return svg(body)
    }

    /// Points, optionally colored by group.
    static func scatter(_ points: [(Double, Double)], groups: [Int]? = nil, xLabel: String, yLabel: String, diagonal: Bool = false)
        -> String
    {
        let xs = range(points.map(\.0)), ys = range(points.map(\.1))
        var body = axes(xs, ys, xLabel: xLabel, yLabel: yLabel)
        if diagonal {
            let low = max(xs.lowerBound, ys.lowerBound), high = min(xs.upperBound, ys.upperBound)
            body +=
                "<line x1='\(fmt(px(low, xs)))' y1='\(fmt(py(low, ys)))' x2='\(fmt(px(high, xs)))' y2='\(fmt(py(high, ys)))' stroke='#9ca3af' stroke-dasharray='4 4'/>"
        }
        for (index, point) in points.enumerated() {
            let color = palette[(groups?[index] ?? 0) % palette.count]
            body += "<circle cx='\(fmt(px(point.0, xs)))' cy='\(fmt(py(point.1, ys)))' r='2' fill='\(color)' fill-opacity='0.55'/>"
        }
        return svg(body)
    }

    /// Horizontal bars, largest first as given.
    static func bars(_ values: [(String, Double)], valueLabel: String) -> String {
        let top = max(values.map(\.1).max() ?? 1, 1e-12)
        let rowHeight = 18.0
        let chartHeight = max(height, Double(values.count) * rowHeight + 50)
        var body = ""
        for (index, (name, value)) in values.enumerated() {
            let y = 20 + Double(index) * rowHeight
            let length = max(0, value / top) * (width - 215)
            body += "<text x='160' y='\(fmt(y + 12))' font-size='11' text-anchor='end'>\(escape(String(name.prefix(30))))</text>"
            body += "<rect x='166' y='\(fmt(y + 2))' width='\(fmt(length))' height='\(fmt(rowHeight - 5))' fill='\(palette[0])'/>"
            body += "<text x='\(fmt(170 + length))' y='\(fmt(y + 12))' font-size='10'>\(String(format: "%.3g", value))</text>"
        }
        body += "<text x='\(fmt(width / 2))' y='\(fmt(chartHeight - 6))' font-size='11' text-anchor='middle'>\(escape(valueLabel))</text>"
        return
            "<svg xmlns='http://www.w3.org/2000/svg' width='\(fmt(width))' height='\(fmt(chartHeight))' viewBox='0 0 \(fmt(width)) \(fmt(chartHeight))'>\(body)</svg>"
    }

    /// A histogram of `values` in `bins` bins.
    static func histogram(_ values: [Double], bins: Int = 30, xLabel: String) -> String {
        let xs = range(values)
        var counts = [Int](repeating: 0, count: bins)
        for value in values {
            counts[min(bins - 1, max(0, Int((value - xs.lowerBound) / (xs.upperBound - xs.lowerBound) * Double(bins))))] += 1
        }
        let ys = 0...Double(max(counts.max() ?? 1, 1))
        var body = axes(xs, ys, xLabel: xLabel, yLabel: "rows")
        let step = (xs.upperBound - xs.lowerBound) / Double(bins)
        for (index, count) in counts.enumerated() {
            let x0 = px(xs.lowerBound + Double(index) * step, xs), x1 = px(xs.lowerBound + Double(index + 1) * step, xs)
            body +=
                "<rect x='\(fmt(x0))' y='\(fmt(py(Double(count), ys)))' width='\(fmt(max(0.5, x1 - x0 - 1)))' height='\(fmt(py(0, ys) - py(Double(count), ys)))' fill='\(palette[0])'/>"
        }
        return svg(body)
    }

    private static func svg(_ body: String) -> String {
        "<svg xmlns='http://www.w3.org/2000/svg' width='\(fmt(width))' height='\(fmt(height))' viewBox='0 0 \(fmt(width)) \(fmt(height))' font-family='sans-serif'>\(body)</svg>"
    }

    private static func axes(_ xs: ClosedRange<Double>, _ ys: ClosedRange<Double>, xLabel: String, yLabel: String) -> String {
        var out =
            "<rect x='\(fmt(margin))' y='\(fmt(margin / 2))' width='\(fmt(width - margin * 1.5))' height='\(fmt(height - margin * 1.5))' fill='none' stroke='#d1d5db'/>"
        for tick in 0...4 {
            let fraction = Double(tick) / 4
            let x = xs.lowerBound + fraction * (xs.upperBound - xs.lowerBound)
            let y = ys.lowerBound + fraction * (ys.upperBound - ys.lowerBound)
            out +=
                "<text x='\(fmt(px(x, xs)))' y='\(fmt(height - margin + 14))' font-size='10' text-anchor='middle'>\(String(format: "%.3g", x))</text>"
            out +=
                "<text x='\(fmt(margin - 4))' y='\(fmt(py(y, ys) + 3))' font-size='10' text-anchor='end'>\(String(format: "%.3g", y))</text>"
        }
        out += "<text x='\(fmt(width / 2))' y='\(fmt(height - 4))' font-size='11' text-anchor='middle'>\(escape(xLabel))</text>"
        out +=
            "<text x='12' y='\(fmt(height / 2))' font-size='11' text-anchor='middle' transform='rotate(-90 12 \(fmt(height / 2)))'>\(escape(yLabel))</text>"
        return out
    }

    private static func range(_ values: [Double]) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return 0...1 }
        return low == high ? (low - 0.5)...(high + 0.5) : low...high
    }

    private static func px(_ x: Double, _ xs: ClosedRange<Double>) -> Double {
        margin + (x - xs.lowerBound) / (xs.upperBound - xs.lowerBound) * (width - margin * 1.5)
    }

    private static func py(_ y: Double, _ ys: ClosedRange<Double>) -> Double {
        height - margin - (y - ys.lowerBound) / (ys.upperBound - ys.lowerBound) * (height - margin * 1.5)
    }

    static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "'", with: "&#39;")
    }
}
