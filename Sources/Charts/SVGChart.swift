import Foundation

/// Small self-contained SVG charts for reports and dashboards: no scripts, no external fetches.
///
/// Text and axes are drawn in `currentColor`, so a page's CSS decides light or dark; series use
/// ``palette``. Every label passes through ``escape(_:)``. Each data mark carries `data-label`
/// and `data-value` attributes, so a browser test can read the numbers a chart shows.
public enum SVGChart {
    /// The default width of a chart, in pixels.
    public static let width = 420.0
    static let height = 280.0
    static let margin = 40.0
    /// The series colors, in order.
    public static let palette = ["#3b82f6", "#ef4444", "#22c55e", "#a855f7", "#f97316", "#06b6d4", "#9ca3af", "#eab308"]

    /// Lines through `series` (name, points) over fixed or data axes; `diagonal` draws y = x.
    public static func lines(
        _ series: [(String, [(Double, Double)])], xLabel: String, yLabel: String, xRange: ClosedRange<Double>? = nil,
        yRange: ClosedRange<Double>? = nil, diagonal: Bool = false, xTicks: [(Double, String)]? = nil
    ) -> String {
        let all = series.flatMap(\.1)
        let xs = xRange ?? range(all.map(\.0))
        let ys = yRange ?? range(all.map(\.1))
        var body = axes(xs, ys, xLabel: xLabel, yLabel: yLabel, xTicks: xTicks)
        if diagonal {
            body +=
                "<line x1='\(px(xs.lowerBound, xs))' y1='\(py(ys.lowerBound, ys))' x2='\(px(xs.upperBound, xs))' y2='\(py(ys.upperBound, ys))' stroke='#9ca3af' stroke-dasharray='4 4'/>"
        }
        for (index, (name, points)) in series.enumerated() {
            let color = palette[index % palette.count]
            let path = points.map { "\(fmt(px($0.0, xs))),\(fmt(py($0.1, ys)))" }.joined(separator: " ")
            body += "<polyline fill='none' stroke='\(color)' stroke-width='2' points='\(path)'/>"
            if points.count <= 120 {
                for point in points {
                    body +=
                        "<circle cx='\(fmt(px(point.0, xs)))' cy='\(fmt(py(point.1, ys)))' r='2.5' fill='\(color)' data-label='\(fmt(point.0))' data-value='\(number(point.1))'/>"
                }
            }
            body +=
                "<text x='\(fmt(margin + 8))' y='\(fmt(margin - 20 + Double(index) * 14))' font-size='11' fill='\(color)'>\(escape(name))</text>"
        }
        return svg(body)
    }

    /// A word-sized line of `values` (oldest first) for a table cell: no axes, the last point
    /// marked, each point's value in its `data-value`.
    public static func sparkline(_ values: [Double], width: Double = 96, height: Double = 22) -> String {
        guard !values.isEmpty else { return "" }
        let top = max(values.max() ?? 0, 1e-9)
        let step = values.count > 1 ? (width - 4) / Double(values.count - 1) : 0
        let points = values.enumerated().map { (2 + Double($0.offset) * step, height - 2 - ($0.element / top) * (height - 4)) }
        var body =
            "<polyline fill='none' stroke='\(palette[0])' stroke-width='1.5' points='\(points.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " "))'/>"
        for (index, point) in points.enumerated() {
            let last = index == points.count - 1
            body +=
                "<circle cx='\(fmt(point.0))' cy='\(fmt(point.1))' r='\(last ? 2.5 : 0.8)' fill='\(palette[last ? 1 : 0])' data-label='\(index)' data-value='\(number(values[index]))'/>"
        }
        return
            "<svg xmlns='http://www.w3.org/2000/svg' class='sparkline' width='\(fmt(width))' height='\(fmt(height))' viewBox='0 0 \(fmt(width)) \(fmt(height))' role='img'>\(body)</svg>"
    }

    /// Points, optionally colored by group; `legend` names the groups (one entry per group index).
    public static func scatter(
        _ points: [(Double, Double)], groups: [Int]? = nil, legend: [String] = [], xLabel: String, yLabel: String,
        diagonal: Bool = false
    ) -> String {
        let xs = range(points.map(\.0)), ys = range(points.map(\.1))
        var body = axes(xs, ys, xLabel: xLabel, yLabel: yLabel)
        if diagonal {
            let low = max(xs.lowerBound, ys.lowerBound), high = min(xs.upperBound, ys.upperBound)
            body +=
                "<line x1='\(fmt(px(low, xs)))' y1='\(fmt(py(low, ys)))' x2='\(fmt(px(high, xs)))' y2='\(fmt(py(high, ys)))' stroke='#9ca3af' stroke-dasharray='4 4'/>"
        }
        for (index, point) in points.enumerated() where point.0.isFinite && point.1.isFinite {
            let color = palette[(groups?[index] ?? 0) % palette.count]
            body += "<circle cx='\(fmt(px(point.0, xs)))' cy='\(fmt(py(point.1, ys)))' r='2' fill='\(color)' fill-opacity='0.6'/>"
        }
        for (index, name) in legend.enumerated() {
            let x = margin + 8 + Double(index % 4) * 90, y = 10 + Double(index / 4) * 13
            body += "<rect x='\(fmt(x))' y='\(fmt(y - 8))' width='9' height='9' fill='\(palette[index % palette.count])'/>"
            body += "<text x='\(fmt(x + 13))' y='\(fmt(y))' font-size='10'>\(escape(String(name.prefix(14))))</text>"
        }
        return svg(body)
    }

    /// Horizontal bars in the order given. The label column is as wide as the longest label
    /// needs (up to 32 characters), so no name is clipped at the left edge.
    public static func bars(_ values: [(String, Double)], valueLabel: String, width: Double = width) -> String {
        let top = max(values.map { abs($0.1) }.max() ?? 1, 1e-12)
        let rowHeight = 18.0
        let chartHeight = max(120, Double(values.count) * rowHeight + 50)
        let labels = values.map { String($0.0.prefix(32)) }
        let labelWidth = min(width * 0.5, Double(labels.map(\.count).max() ?? 4) * 6.2 + 10)
        var body = ""
        for (index, (_, value)) in values.enumerated() {
            let y = 20 + Double(index) * rowHeight
            let length = max(0, value / top) * (width - labelWidth - 60)
            body += "<text x='\(fmt(labelWidth))' y='\(fmt(y + 12))' font-size='11' text-anchor='end'>\(escape(labels[index]))</text>"
            body +=
                "<rect x='\(fmt(labelWidth + 6))' y='\(fmt(y + 2))' width='\(fmt(length))' height='\(fmt(rowHeight - 5))' fill='\(palette[0])' data-label='\(escape(values[index].0))' data-value='\(number(value))'/>"
            body += "<text x='\(fmt(labelWidth + 10 + length))' y='\(fmt(y + 12))' font-size='10'>\(short(value))</text>"
        }
        body += "<text x='\(fmt(width / 2))' y='\(fmt(chartHeight - 6))' font-size='11' text-anchor='middle'>\(escape(valueLabel))</text>"
        return svg(body, width: width, height: chartHeight)
    }

    /// Vertical columns with a label under each; `highlight` colors columns at or above a value.
    public static func columns(
        _ values: [(String, Double)], xLabel: String, yLabel: String, highlightFrom: Double? = nil, positions: [Double]? = nil
    ) -> String {
        let ys = 0...max(values.map(\.1).max() ?? 1, 1e-12)
        let xs = 0...Double(max(values.count, 1))
        var body = axes(xs, ys, xLabel: xLabel, yLabel: yLabel, xTicks: [])
        let step = (width - margin * 1.5) / Double(max(values.count, 1))
        let labelEvery = max(1, values.count / 8)
        for (index, (label, value)) in values.enumerated() {
            let x = margin + Double(index) * step
            let highlighted = highlightFrom.map { (positions?[index] ?? 0) >= $0 } ?? false
            body +=
                "<rect x='\(fmt(x + 1))' y='\(fmt(py(value, ys)))' width='\(fmt(max(0.5, step - 2)))' height='\(fmt(py(0, ys) - py(value, ys)))' fill='\(highlighted ? palette[1] : palette[0])' data-label='\(escape(label))' data-value='\(number(value))'/>"
            if index % labelEvery == 0 {
                body +=
                    "<text x='\(fmt(x + step / 2))' y='\(fmt(height - margin + 14))' font-size='10' text-anchor='middle'>\(escape(String(label.prefix(10))))</text>"
            }
        }
        return svg(body)
    }

    /// One box per group over a log10 axis: whiskers at p5 and p95, the box from p25 to p75, a
    /// line at the median. `boxes` holds (name, [p5, p25, p50, p75, p95], count).
    public static func logBoxes(_ boxes: [(String, [Double], Int)], yLabel: String) -> String {
        let positives = boxes.flatMap(\.1).filter { $0 > 0 }
        let low = floor(log10(positives.min() ?? 1)), high = ceil(log10(positives.max() ?? 10))
        let ys = low...(high > low ? high : low + 1)
        var body = axes(0...Double(max(boxes.count, 1)), ys, xLabel: "", yLabel: yLabel, xTicks: [], yFormat: { short(pow(10, $0)) })
        let step = (width - margin * 1.5) / Double(max(boxes.count, 1))
        func y(_ value: Double) -> Double { py(log10(max(value, pow(10, ys.lowerBound))), ys) }
        for (index, (name, q, count)) in boxes.enumerated() where q.count == 5 {
            let center = margin + (Double(index) + 0.5) * step, half = min(28, step * 0.3)
            let color = palette[index % palette.count]
            body += "<line x1='\(fmt(center))' y1='\(fmt(y(q[0])))' x2='\(fmt(center))' y2='\(fmt(y(q[4])))' stroke='currentColor'/>"
            body +=
                "<rect x='\(fmt(center - half))' y='\(fmt(y(q[3])))' width='\(fmt(half * 2))' height='\(fmt(max(1, y(q[1]) - y(q[3]))))' fill='\(color)' fill-opacity='0.7' data-label='\(escape(name))' data-value='\(number(q[2]))'/>"
            body +=
                "<line x1='\(fmt(center - half))' y1='\(fmt(y(q[2])))' x2='\(fmt(center + half))' y2='\(fmt(y(q[2])))' stroke='currentColor' stroke-width='2'/>"
            body +=
                "<text x='\(fmt(center))' y='\(fmt(height - margin + 14))' font-size='10' text-anchor='middle'>\(escape(name))</text>"
            body +=
                "<text x='\(fmt(center))' y='\(fmt(height - margin + 26))' font-size='9' text-anchor='middle' opacity='0.7'>n=\(count)</text>"
        }
        return svg(body)
    }

    /// A donut of shares, with a legend giving each slice's count and percentage.
    public static func donut(_ slices: [(String, Double)]) -> String {
        let total = slices.map(\.1).reduce(0, +)
        guard total > 0 else { return svg("<text x='20' y='40' font-size='12'>no data</text>") }
        let cx = 110.0, cy = 140.0, radius = 95.0, inner = 55.0
        var angle = -Double.pi / 2, body = ""
        for (index, (name, value)) in slices.enumerated() where value > 0 {
            let sweep = value / total * 2 * .pi
            let end = angle + min(sweep, 2 * .pi - 1e-6)
            let large = sweep > .pi ? 1 : 0
            func point(_ r: Double, _ a: Double) -> String { "\(fmt(cx + r * cos(a))),\(fmt(cy + r * sin(a)))" }
            body +=
                "<path d='M\(point(radius, angle)) A\(fmt(radius)),\(fmt(radius)) 0 \(large) 1 \(point(radius, end)) L\(point(inner, end)) A\(fmt(inner)),\(fmt(inner)) 0 \(large) 0 \(point(inner, angle)) Z' fill='\(palette[index % palette.count])' data-label='\(escape(name))' data-value='\(number(value))'/>"
            angle = end
        }
        for (index, (name, value)) in slices.enumerated() {
            let y = 60 + Double(index) * 20
            body += "<rect x='230' y='\(fmt(y - 10))' width='12' height='12' fill='\(palette[index % palette.count])'/>"
            body +=
                "<text x='248' y='\(fmt(y))' font-size='12'>\(escape(name)) · \(short(value)) (\(String(format: "%.1f", value / total * 100))%)</text>"
        }
        return svg(body)
    }

    /// A grid of cells colored by value (darker is higher); nil cells are left empty.
    public static func heatMap(rows: [String], columns: [String], values: [[Double?]], valueLabel: String) -> String {
        let left = 44.0, top = 16.0
        let cell = min((width - left - 10) / Double(max(columns.count, 1)), 26)
        let all = values.flatMap { $0 }.compactMap { $0 }
        let low = all.min() ?? 0, high = all.max() ?? 1
        var body = ""
        for (r, name) in rows.enumerated() {
            body +=
                "<text x='\(fmt(left - 4))' y='\(fmt(top + Double(r) * cell + cell * 0.65))' font-size='10' text-anchor='end'>\(escape(name))</text>"
            for (c, value) in values[r].enumerated() {
                guard let value else { continue }
                let strength = high > low ? (value - low) / (high - low) : 1
                body +=
                    "<rect x='\(fmt(left + Double(c) * cell))' y='\(fmt(top + Double(r) * cell))' width='\(fmt(cell - 1))' height='\(fmt(cell - 1))' fill='\(palette[0])' fill-opacity='\(fmt2(0.12 + 0.88 * strength))' data-label='\(escape(name)) \(escape(columns[c]))' data-value='\(number(value))'><title>\(escape(name)) \(escape(columns[c])): \(short(value))</title></rect>"
            }
        }
        for (c, name) in columns.enumerated() where c % 3 == 0 {
            body +=
                "<text x='\(fmt(left + Double(c) * cell + cell / 2))' y='\(fmt(top + Double(rows.count) * cell + 12))' font-size='10' text-anchor='middle'>\(escape(name))</text>"
        }
        let chartHeight = top + Double(rows.count) * cell + 34
        body +=
            "<text x='\(fmt(left))' y='\(fmt(chartHeight - 4))' font-size='11'>\(escape(valueLabel)): \(short(low)) (light) to \(short(high)) (dark)</text>"
        return svg(body, height: chartHeight)
    }

    /// A histogram of `values` in `bins` bins.
    public static func histogram(_ values: [Double], bins: Int = 30, xLabel: String) -> String {
        let xs = range(values)
        var counts = [Int](repeating: 0, count: bins)
        for value in values where value.isFinite {
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

    private static func svg(_ body: String, width: Double = width, height: Double = height) -> String {
        "<svg xmlns='http://www.w3.org/2000/svg' width='\(fmt(width))' height='\(fmt(height))' viewBox='0 0 \(fmt(width)) \(fmt(height))' font-family='sans-serif' fill='currentColor'>\(body)</svg>"
    }

    private static func axes(
        _ xs: ClosedRange<Double>, _ ys: ClosedRange<Double>, xLabel: String, yLabel: String, xTicks: [(Double, String)]? = nil,
        yFormat: (Double) -> String = short
    ) -> String {
        var out =
            "<rect x='\(fmt(margin))' y='\(fmt(margin / 2))' width='\(fmt(width - margin * 1.5))' height='\(fmt(height - margin * 1.5))' fill='none' stroke='currentColor' stroke-opacity='0.3'/>"
        let ticks =
            xTicks
            ?? (0...4).map { tick in
                let x = xs.lowerBound + Double(tick) / 4 * (xs.upperBound - xs.lowerBound)
                return (x, short(x))
            }
        for (x, label) in ticks {
            out +=
                "<text x='\(fmt(px(x, xs)))' y='\(fmt(height - margin + 14))' font-size='10' text-anchor='middle'>\(escape(label))</text>"
        }
        for tick in 0...4 {
            let y = ys.lowerBound + Double(tick) / 4 * (ys.upperBound - ys.lowerBound)
            out += "<text x='\(fmt(margin - 4))' y='\(fmt(py(y, ys) + 3))' font-size='10' text-anchor='end'>\(yFormat(y))</text>"
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
    static func fmt2(_ value: Double) -> String { String(format: "%.2f", value) }

    /// A value as an attribute carries it: shortest round-trip text, so tests can compare.
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// A value as a label shows it: three significant digits, with k/M/B for large magnitudes and
    /// no negative zero.
    public static func short(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        let magnitude = abs(value)
        let text: String
        switch magnitude {
        case 1e9...: text = String(format: "%.3gB", value / 1e9)
        case 1e6...: text = String(format: "%.3gM", value / 1e6)
        case 1e4...: text = String(format: "%.3gk", value / 1e3)
        case 1e3...: text = String(format: "%.0f", value)
        default: text = String(format: "%.3g", value)
        }
        return text.hasPrefix("-") && Double(text.filter { $0.isNumber || $0 == "." }) == 0 ? String(text.dropFirst()) : text
    }

    /// Text made safe inside HTML or SVG, in element content and in quoted attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'": out += "&#39;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
