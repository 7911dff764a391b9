/// What one collection run did. Always `read = inserted + updated + unchanged + rejected`.
public struct IngestSummary: Sendable, Equatable, Codable {
    /// The run's id in `ingest_runs`.
    public var runID: String
    /// What was read (`tiktok-file:PATH`, `tmdb-api:popular`, …).
    public var source: String
    /// The raw collection written.
    public var collection: String
    /// Records read: always inserted + updated + unchanged + rejected.
    public var read = 0
    /// Records stored for the first time.
    public var inserted = 0
    /// Records whose stored document changed.
    public var updated = 0
    /// Records already stored as read, or older than what is stored.
    public var unchanged = 0
    /// Records refused, each stored in `rejects` with its field and reason.
    public var rejected = 0
    /// Stats snapshots appended (TikTok items, video exports); one already stored is not counted again.
    public var snapshots = 0
    /// Problems in a side input (the TMDB credits file), reported as rejects but not counted in `read`.
    public var sideInputRejected = 0
    /// How long the run took.
    public var seconds = 0.0
    /// Events whose action the audience metrics do not know, per action (event logs only): kept, and counted here.
    public var unknownActions: [String: Int]?
    /// Where in the file the records were found, when it wrapped them (see ``FileInput/layout``).
    public var layout: String?

    /// An empty summary of run `runID` reading `source` into `collection`.
    public init(runID: String, source: String, collection: String) {
        self.runID = runID
        self.source = source
        self.collection = collection
    }

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", source, collection, read, inserted, updated, unchanged, rejected, snapshots
        case sideInputRejected = "side_input_rejected", seconds, layout, unknownActions = "unknown_actions"
    }

    /// One line for people.
    public var text: String {
        var line =
            "\(source) → \(collection): read \(read) = inserted \(inserted) + updated \(updated) + unchanged \(unchanged) + rejected \(rejected)"
        if let layout { line += " from \(layout)" }
        if snapshots > 0 { line += "; \(snapshots) stats snapshots" }
        if sideInputRejected > 0 { line += "; \(sideInputRejected) side-input rows rejected" }
        if let unknownActions, !unknownActions.isEmpty {
            let listed = unknownActions.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(5).map { "\($0.key) \($0.value)" }
            line += "; \(unknownActions.values.reduce(0, +)) events with other actions (\(listed.joined(separator: ", "))), kept"
        }
        if rejected + sideInputRejected > 0 { line += " (see the rejects collection, run \(runID))" }
        return line + String(format: " in %.1f s", seconds)
    }
}
