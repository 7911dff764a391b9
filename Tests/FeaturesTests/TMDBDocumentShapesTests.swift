import Collectors
import Features
import Foundation
import MongoKit
import SourceSchemas
import Testing

/// One movie in every shape a collector accepts must give one stored document and one set of
/// features, whether it was collected from a file or sent to the server as a raw document
/// (issue 16: a TMDB 5000 CSV row sent as a document used to fail on its JSON text, and with the
/// lists parsed, its plain keyword list gave `keyword_count: 0`).
@Suite struct TMDBDocumentShapesTests {
    static let header = "budget,genres,id,keywords,original_language,release_date,revenue,runtime,title,vote_average,vote_count"
    static let genres = #"[{"id": 28, "name": "Action"}, {"id": 878, "name": "Science Fiction"}]"#
    static let keywords = #"[{"id": 1463, "name": "culture clash"}, {"id": 2964, "name": "future"}, {"id": 3386, "name": "space war"}]"#

    /// The row as the CSV file holds it.
    static var csvRow: String {
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return "237000000,\(quoted(genres)),19995,\(quoted(keywords)),en,2009-12-10,2787965087,162,Avatar,7.2,11800"
    }

    /// The row as `csv.DictReader` hands it over: every cell text.
    static var textRow: Document {
        let cells = [
            "237000000", genres, "19995", keywords, "en", "2009-12-10", "2787965087", "162", "Avatar", "7.2", "11800",
        ]
        return Document(zip(header.split(separator: ",").map(String.init), cells.map { BSONValue.string($0) }))
    }

    /// The row after `json.loads` of its JSON columns and a numeric read of its numbers (pandas).
    static func parsedRow() throws -> Document {
        var row = textRow
        row["genres"] = try BSONValue(json: genres)
        row["keywords"] = try BSONValue(json: keywords)
        for (field, value) in [
            ("budget", BSONValue.int64(237_000_000)), ("id", .int64(19_995)), ("revenue", .int64(2_787_965_087)), ("runtime", .int64(162)),
            ("vote_average", .double(7.2)), ("vote_count", .int64(11_800)),
        ] {
            row[field] = value
        }
        return row
    }

    /// The `/movie/{id}?append_to_response=keywords` shape: keywords under `keywords.keywords`.
    static func apiAnswer() throws -> Document {
        var movie = try parsedRow()
        movie["keywords"] = ["keywords": try BSONValue(json: keywords)]
        return movie
    }

    static func collected() throws -> Document {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tmdb-shapes-\(UUID().uuidString).csv").path
        try (header + "\n" + csvRow + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = try FileInput.open(path, kind: .tmdb)
        guard let item = try input.next() else { throw RecordError(field: "(file)", reason: "no row read") }
        return try item.outcome.get().document
    }

    @Test func everyShapeGivesTheCollectedDocumentAndItsFeatures() throws {
        let stored = try Self.collected()
        let set = try FeatureCatalog.set("tmdb_hit")
        let features = set.evaluate(stored)
        #expect(features["keyword_count"] == .some(3))
        #expect(features["genre_science_fiction"] == .some(1))
        #expect(features["log_budget"] == .some(log1p(237_000_000)))
        for (shape, document) in [("text row", Self.textRow), ("parsed row", try Self.parsedRow()), ("API answer", try Self.apiAnswer())] {
            let normalized = try TMDBMovie.normalize(document, key: nil).document
            #expect(set.evaluate(normalized) == features, "\(shape)")
            #expect(normalized[path: "keywords.keywords"] == stored[path: "keywords.keywords"], "\(shape)")
            #expect(normalized["budget"] == .int64(237_000_000) && normalized["vote_average"] == .double(7.2), "\(shape)")
        }
        // Cell for cell, the text row is what the collector stored.
        #expect(try TMDBMovie.normalize(Self.textRow, key: nil).document == stored)
    }

    @Test func jsonTextThatIsNotAListOrHoldsOperatorsIsRefusedByField() {
        var row = Self.textRow
        row["genres"] = "Drama"
        #expect(throws: RecordError.self) { try TMDBMovie.normalize(row, key: nil) }
        do {
            _ = try TMDBMovie.normalize(row, key: nil)
        } catch {
            #expect(error.field == "genres" && error.reason.hasPrefix("not one valid JSON list"), "\(error)")
        }
        row["genres"] = #"[{"$where": "sleep(1000)"}]"#
        #expect(throws: RecordError.self) { try TMDBMovie.normalize(row, key: nil) }
        row["genres"] = .string(Self.genres)
        row["budget"] = "lots"
        #expect(throws: RecordError(field: "budget", reason: "expected a number, found \"lots\"")) {
            try TMDBMovie.normalize(row, key: nil)
        }
    }
}
