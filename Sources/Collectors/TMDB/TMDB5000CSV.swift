import Foundation
import DelimitedText
import MongoKit
import SourceSchemas

/// The widely shared "TMDB 5000" Kaggle export: `tmdb_5000_movies.csv` (five columns hold JSON
/// lists) and, optionally, `tmdb_5000_credits.csv` (`movie_id, title, cast, crew`, JSON lists).
/// Rows become documents in the shape of TMDB's API answer, so one pipeline reads both sources:
/// numbers as numbers, the JSON columns as lists, `keywords` as `{keywords: […]}` and the
/// credits as `credits: {cast, crew}`.
public struct TMDB5000CSV {
    /// Columns holding JSON lists.
    static let jsonColumns: Set<String> = ["genres", "keywords", "production_companies", "production_countries", "spoken_languages"]
    static let numberColumns: Set<String> = ["budget", "id", "popularity", "revenue", "runtime", "vote_average", "vote_count"]

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
                    document[column] = try parseJSONList(text, field: column)
                } catch {
                    credits.problems.append((position, error, raw))
                }
            }
            credits.byMovie[id] = document
        }
        return credits
    }

    /// The API-shaped document of one movies row (`header` lower-cased, the row's field count
    /// already checked against it by ``FileInput``), with its credits if known.
    public static func document(header: [String], record: CSVRecord, credits: Credits?) throws(RecordError) -> Document {
        var document = Document()
        for (j, column) in header.enumerated() {
            let text = record.string(at: j)
            if jsonColumns.contains(column) {
                let list = try parseJSONList(text, field: column)
                document[column] = column == "keywords" ? .document(["keywords": list]) : list
            } else if numberColumns.contains(column) {
                if FieldReader.missingMarkers.contains(text.trimmingCharacters(in: .whitespaces).lowercased()) {
                    document[column] = .null
                } else if let number = FieldReader.parseNumber(text) {
                    document[column] = number == number.rounded() && abs(number) < 9e15 ? .int64(Int64(number)) : .double(number)
                } else {
                    throw RecordError(field: column, reason: "expected a number, found \"\(text.prefix(40))\"")
                }
            } else {
                document[column] = text.isEmpty ? .null : .string(text)
            }
        }
        if let credits, case .int64(let id)? = document["id"], let movieCredits = credits.byMovie[id] {
            document["credits"] = .document(movieCredits)
        }
        return document
    }

    static func parseJSONList(_ text: String, field: String) throws(RecordError) -> BSONValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .array([]) }
        // The whole cell must be one JSON list: the extended-JSON reader below stops after the first
        // value, so `[]} , {"a": 1` would otherwise pass as `[]`.
        guard (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])) is [Any] else {
            throw RecordError(field: field, reason: "not one valid JSON list: \"\(trimmed.prefix(60))\"")
        }
        do {
            let wrapped = try Document(extendedJSON: "{\"v\": \(trimmed)}")
            guard case .array(let list)? = wrapped["v"] else { throw RecordError(field: field, reason: "expected a JSON list") }
            return .array(list)
        } catch let error as RecordError {
            throw error
        } catch {
            throw RecordError(field: field, reason: "not valid JSON: \(String(describing: error).prefix(120))")
        }
    }
}
