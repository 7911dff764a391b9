import Foundation

/// A one-line progress bar on standard error, redrawn at most ten times a second, shown only when
/// standard error is a terminal and the caller did not ask for quiet (`--json`) output. A value
/// the one loop that draws it owns and updates; nothing about it is shared.
public struct ProgressBar: Sendable {
    private let label: String
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)

    /// A bar labelled `label`, drawn unless `quiet` or standard error is not a terminal.
    public init(label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && isatty(STDERR_FILENO) != 0
    }

    /// Redraws with how far through the input (nil when unknown) and the ingest counts so far.
    public mutating func update(fraction: Double?, summary: IngestSummary, force: Bool = false) {
        update(
            fraction: fraction, done: summary.read,
            counts: "\(summary.read) read · \(summary.inserted) new · \(summary.updated) updated · \(summary.unchanged) same · "
                + "\(summary.rejected) rejected",
            force: force)
    }

    /// Redraws with how far through the input (nil when unknown), `counts` as text, and the rate
    /// of `done` units a second.
    public mutating func update(fraction: Double?, done: Int, counts: String, force: Bool = false) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard force || now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        let elapsed = max((now - start) / .seconds(1), 0.001)
        let width = 24
        let filled = Int((fraction ?? 0).clamped(0, 1) * Double(width))
        let bar = fraction == nil ? "" : "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
        let rate = Double(done) / elapsed
        FileHandle.standardError.write(Data("\r\(label) \(bar)\(counts) · \(Int(rate))/s ".utf8))
    }

    /// Ends the bar's line.
    public mutating func finish(summary: IngestSummary) {
        guard enabled else { return }
        update(fraction: 1, summary: summary, force: true)
        finish()
    }

    /// Ends the bar's line, as last drawn.
    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

extension Double {
    func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}
