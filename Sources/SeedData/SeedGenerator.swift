import Foundation
import Hashing

/// Writes EngageML's sample data: TMDB movies with credits and keywords, TikTok items from many
/// authors over six months (and a re-crawl of some with grown stats), and a per-video CSV export
/// with non-standard column names, and 60 days of its viewers' interaction events with their
/// attributes. Deterministic: the same seed writes the same bytes.
///
/// The outcomes carry real signal: views grow with followers, verification, evening posting,
/// original sound and the author's hidden quality; a movie's revenue with its budget, genre,
/// release month, director and lead cast. A small share of records is deliberately broken
/// (negative counts, missing ids, `#N/A`) so that a demo shows rejects.
public struct SeedGenerator: Sendable {
    /// The seed every file is drawn from.
    public var seed: UInt64
    /// 1.0 writes the documented sizes; tests use a fraction.
    public var scale: Double

    /// A generator of `seed`, writing `scale` times the documented sizes.
    public init(seed: UInt64 = 42, scale: Double = 1) {
        self.seed = seed
        self.scale = scale
    }

    /// One written file.
    public struct WrittenFile: Sendable, Codable {
        /// The file's name in the output folder.
        public var name: String
        /// Records written.
        public var records: Int
        /// SHA-256 of the file, for checking a regeneration.
        public var sha256: String
    }

    /// The files, in the order `make demo` loads them.
    public static let fileNames = [
        "tmdb_movies.jsonl", "tiktok_items.jsonl", "tiktok_recrawl.jsonl", "videos_export.csv", "users.csv", "events.csv",
        "events_sample.csv",
    ]

    /// Writes every file into `folder` and returns what it wrote.
    public func write(to folder: String) throws -> [WrittenFile] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let movies = TMDBSeeds(seed: seed, count: Int(3_000 * scale)).lines()
        let tiktok = TikTokSeeds(seed: seed &+ 1, authors: max(10, Int(800 * scale)), videos: Int(8_000 * scale))
        let (items, recrawl) = tiktok.lines()
        let (videos, catalog) = VideoCSVSeeds(seed: seed &+ 2, rows: Int(5_000 * scale)).generate()
        let eventSeeds = EventSeeds(seed: seed &+ 3, users: max(20, Int(2_000 * scale)), videos: catalog)
        let (events, users) = eventSeeds.lines()
        // The first quarter of the users' events: what `make demo` loads, sized for the embedded database.
        let sampled = Set(users.dropFirst().prefix(users.count / 4).map { $0.prefix { $0 != "," } })
        let sample = [events[0]] + events.dropFirst().filter { sampled.contains($0.prefix { $0 != "," }) }
        return try [
            (Self.fileNames[0], movies, "\n"), (Self.fileNames[1], items, "\n"), (Self.fileNames[2], recrawl, "\n"),
            (Self.fileNames[3], videos, "\r\n"), (Self.fileNames[4], users, "\n"), (Self.fileNames[5], events, "\n"),
            (Self.fileNames[6], sample, "\n"),
        ].map { name, lines, separator in
            let text = lines.joined(separator: separator) + separator
            let bytes = Array(text.utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(name)"))
            return WrittenFile(name: name, records: name.hasSuffix(".csv") ? lines.count - 1 : lines.count, sha256: SHA256.hex(bytes))
        }
    }
}

/// JSON text for seed records: keys in a fixed order, numbers formatted the same everywhere.
enum JSONText {
    static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\(string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func number(_ value: Double, decimals: Int = 3) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.\(decimals)f", value)
    }

    static func int(_ value: Int) -> String { String(value) }

    static func bool(_ value: Bool) -> String { value ? "true" : "false" }
}
