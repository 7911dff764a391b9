/// What one collection run did. Always `read = inserted + updated + unchanged + rejected`.
public struct IngestSummary: Sendable, Equatable, Codable {
    public var runID: String
    public var source: String
    public var collection: String
    public var read = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    /// Stats snapshots appended (TikTok).
    public var snapshots = 0
    /// Problems in a side input (the TMDB credits file), reported as rejects but not counted in `read`.
    public var sideInputRejected = 0
    public var seconds = 0.0

    public init(runID: String, source: String, collection: String) {
        self.runID = runID
        self.source = source
        self.collection = collection
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", source, collection, read, inserted, updated, unchanged, rejected, snapshots
        case sideInputRejected = "side_input_rejected", seconds
    }

    /// One line for people.
    public var text: String {
        var line = "\(source) → \(collection): read \(read) = inserted \(inserted) + updated \(updated) + unchanged \(unchanged) + rejected \(rejected)"
        if snapshots > 0 { line += "; \(snapshots) stats snapshots" }
        if sideInputRejected > 0 { line += "; \(sideInputRejected) side-input rows rejected" }
        if rejected + sideInputRejected > 0 { line += " (see the rejects collection, run \(runID))" }
        return line + String(format: " in %.1f s", seconds)
    }
}
