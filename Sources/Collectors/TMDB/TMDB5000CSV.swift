import Foundation
import DelimitedText
import MongoKit
import SourceSchemas

/// The widely shared "TMDB 5000" Kaggle export: `tmdb_5000_movies.csv` (five columns hold JSON
/// lists) and, optionally, `tmdb_5000_credits.csv` (`movie_id, title, cast, crew`, JSON lists).
/// A row becomes a document of its cells with the credits as `credits: {cast, crew}`;
/// ``TMDBMovie/normalize(_:key:)`` then brings it to the shape of TMDB's API answer (numbers as
/// numbers, the JSON columns as lists, `keywords` as `{keywords: […]}`), so one pipeline reads
/// both sources.
public struct TMDB5000CSV {
    /// Columns whose empty cell means something (an empty JSON list, a missing number) rather
    /// than no value: they are passed on as text for the normalizer to read.
    static let keptEmpty: Set<String> = ["genres", "keywords", "production_companies", "production_countries", "spoken_languages"]

    /// Credits by movie id, read from the credits CSV; problems are kept to be reported.
    public struct Credits {
        var byMovie: [Int64: Document] = [:]
        /// Credits rows that could not be used: line, field, reason, raw text.
        public var problems: [(position: RecordPosition, error: RecordError, raw: String)] = []
    }

    /// Reads the credits export into memory (it is bounded: one row per movie).
    public static func readCredits(path: String) throws -> Credits {
        var credits = Credits()
        var header: [String] = []
        var index = 0
        try CSVReader(path: path).forEachRecord { record in
            if header.isEmpty {
                header = record.strings.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                return
            }
            defer { index += 1 }
            let position = RecordPosition(index: index, line: record.line, offset: 0)
            let fields = Dictionary(zip(header, record.strings), uniquingKeysWith: { first, _ in first })
            let raw = record.strings.joined(separator: ",")
            guard let idText = fields["movie_id"], let id = Int64(idText.trimmingCharacters(in: .whitespaces)), id > 0 else {
                credits.problems.append(
                    (position, RecordError(field: "movie_id", reason: "missing or not a positive id: \"\(fields["movie_id"] ?? "")\""), raw)
                )
                return
            }
            var document = Document()
            for column in ["cast", "crew"] {
                let text = (fields[column] ?? "").trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else {
                    // Unknown, not an empty list: the movie keeps the other credits and this is reported.
                    credits.problems.append((position, RecordError(field: column, reason: "empty cell, expected a JSON list"), raw))
                    continue
                }
                do throws(RecordError) {
                    document[column] = .array(try FieldReader.jsonList(text, field: column))
                } catch {
                    credits.problems.append((position, error, raw))
                }
            }
            credits.byMovie[id] = document
        }
        return credits
    }

    /// One movies row as a document of its cells (`header` lower-cased, the row's field count
    /// already checked against it by ``FileInput``), with its credits if known. The cells stay
    /// text: ``TMDBMovie/normalize(_:key:)`` brings them to the API's shape, as it does for a row
    /// sent to the server.
    public static func document(header: [String], record: CSVRecord, credits: Credits?) -> Document {
        var document = Document()
        for (j, column) in header.enumerated() {
            let text = record.string(at: j)
            document[column] = text.isEmpty && !keptEmpty.contains(column) ? .null : .string(text)
        }
        if let credits, let idText = document["id"]?.stringValue, let id = Int64(idText.trimmingCharacters(in: .whitespaces)),
            let movieCredits = credits.byMovie[id]
        {
            document["credits"] = .document(movieCredits)
        }
        return document
    }
}
