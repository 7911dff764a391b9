import DelimitedText
import Foundation
import MongoKit
import SourceSchemas

/// Turns input files into ``IngestItem``s for the ``Ingestor``: reads records in constant memory,
/// parses and normalizes each, and keeps every failure as a ``RecordError`` with its position.
public final class FileInput {
    /// Which collector reads the file.
    public enum Kind: String, Sendable {
        case tmdb, tiktok
    }

    /// Byte offset of the last record read, for the progress fraction.
    final class Offset {
        var last = 0
    }

    private let size: Double
    private let offset = Offset()
    private let produce: (Offset) throws -> IngestItem?
    private let describeLayout: () -> String?

    /// How the records were found, when the file wrapped them (`the "collector" array of a
    /// wrapper object`); nil for arrays, JSON Lines and CSV. Known once the records are read.
    public var layout: String? { describeLayout() }

    /// How far through the file the last record was, 0…1.
    public var fraction: Double { size > 0 ? Double(offset.last) / size : 0 }

    /// The next item, or nil at the end.
    public func next() throws -> IngestItem? { try produce(offset) }

    private init(path: String, layout: @escaping () -> String? = { nil }, produce: @escaping (Offset) throws -> IngestItem?) {
        size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        self.produce = produce
        describeLayout = layout
    }

    /// A JSON (array, JSON Lines, wrapper or object-keyed) or CSV file of `kind` records.
    /// `credits` joins a TMDB 5000 credits CSV to a TMDB 5000 movies CSV.
    public static func open(_ path: String, kind: Kind, credits: TMDB5000CSV.Credits? = nil, observedAt: Date = Date()) throws -> FileInput
    {
        if path.lowercased().hasSuffix(".csv") {
            return try csv(path, kind: kind, credits: credits, observedAt: observedAt)
        }
        return try jsonRecords(path) { document, position throws(RecordError) in
            switch kind {
            case .tmdb: try TMDBMovie.normalize(document, key: position.key)
            case .tiktok: try TikTokVideo.normalize(document, observedAt: observedAt)
            }
        }
    }

    /// Every record of a JSON (array, JSON Lines, wrapper) or CSV file as the file gives it, not
    /// normalized: a JSON object as parsed, a CSV row as text fields keyed by the header. Each
    /// record is known by its position (the key is null). For reading files to score (`engage predict`).
    public static func records(_ path: String) throws -> FileInput {
        if path.lowercased().hasSuffix(".csv") {
            let stream = try CSVRecordStream(path: path)
            guard let headerRecord = try stream.next() else { throw CollectError.unsupportedFormat("\(path) is empty") }
            let header = headerRecord.strings.map { $0.trimmingCharacters(in: .whitespaces) }
            return rows(of: stream, path: path, header: header) { record throws(RecordError) -> NormalizedRecord in
                NormalizedRecord(key: .null, document: textDocument(header: header, record: record))
            }
        }
        return try jsonRecords(path) { document, _ throws(RecordError) in NormalizedRecord(key: .null, document: document) }
    }

    /// The records of a JSON file, each parsed to a document and then normalized by `normalize`.
    private static func jsonRecords(
        _ path: String, normalize: @escaping (Document, RecordPosition) throws(RecordError) -> NormalizedRecord
    ) throws -> FileInput {
        let stream = try JSONRecordStream(path: path)
        let layout = { stream.wrapperKey.map { "the \"\($0)\" array of a wrapper object" } }
        return FileInput(path: path, layout: layout) { offset in
            guard let raw = try stream.next() else { return nil }
            offset.last = raw.position.offset
            return IngestItem(
                position: raw.position, raw: raw.text,
                outcome: Result { () throws(RecordError) -> NormalizedRecord in try normalize(try parse(raw), raw.position) })
        }
    }

    /// A CSV row as a document of its text fields, keyed by the header.
    private static func textDocument(header: [String], record: CSVRecord) -> Document {
        var document = Document()
        for (j, name) in header.enumerated() { document[name] = .string(record.string(at: j)) }
        return document
    }

    /// A "one row per video" CSV under `mapping`.
    public static func videos(_ path: String, mapping: VideoColumnMapping, platform: String?) throws -> FileInput {
        let stream = try CSVRecordStream(path: path)
        _ = try stream.next()  // the header, already read into the mapping
        return rows(of: stream, path: path, header: mapping.header) { record throws(RecordError) in
            try mapping.normalize(record, platform: platform)
        }
    }

    /// An event log (CSV or JSON Lines) under `mapping`.
    public static func events(_ path: String, mapping: InteractionEvents) throws -> FileInput {
        try named(path) { document throws(RecordError) in try mapping.normalize(document) }
    }

    /// A file of user attributes (CSV or JSON Lines) under `mapping`.
    public static func users(_ path: String, mapping: UserProfiles) throws -> FileInput {
        try named(path) { document throws(RecordError) in try mapping.normalize(document) }
    }

    /// The field names of a file whose records name their fields: a CSV's header, else the keys of
    /// the first JSON record (later records are read by the same names).
    public static func fieldNames(_ path: String) throws -> [String] {
        if path.lowercased().hasSuffix(".csv") { return try csvHeader(path) }
        guard let first = try JSONRecordStream(path: path).next() else { throw CollectError.unsupportedFormat("\(path) is empty") }
        return try parse(first).keys
    }

    /// Records as documents keyed by field name (a CSV row's text fields, a JSON record as parsed),
    /// each normalized by `normalize`.
    private static func named(_ path: String, normalize: @escaping (Document) throws(RecordError) -> NormalizedRecord) throws
        -> FileInput
    {
        guard path.lowercased().hasSuffix(".csv") else {
            return try jsonRecords(path) { document, _ throws(RecordError) in try normalize(document) }
        }
        let stream = try CSVRecordStream(path: path)
        guard let headerRecord = try stream.next() else { throw CollectError.unsupportedFormat("\(path) is empty") }
        let header = headerRecord.strings.map { $0.trimmingCharacters(in: .whitespaces) }
        return rows(of: stream, path: path, header: header) { record throws(RecordError) in
            try normalize(textDocument(header: header, record: record))
        }
    }

    /// The header row of a CSV file.
    public static func csvHeader(_ path: String) throws -> [String] {
        guard let header = try CSVRecordStream(path: path).next() else { throw CollectError.unsupportedFormat("\(path) is empty") }
        return header.strings.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private static func csv(_ path: String, kind: Kind, credits: TMDB5000CSV.Credits?, observedAt: Date) throws -> FileInput {
        let stream = try CSVRecordStream(path: path)
        guard let headerRecord = try stream.next() else { throw CollectError.unsupportedFormat("\(path) is empty") }
        let header = headerRecord.strings.map { $0.trimmingCharacters(in: .whitespaces) }
        let lowered = header.map { $0.lowercased() }
        return rows(of: stream, path: path, header: header) { record throws(RecordError) -> NormalizedRecord in
            switch kind {
            case .tmdb:
                return try TMDBMovie.normalize(TMDB5000CSV.document(header: lowered, record: record, credits: credits), key: nil)
            case .tiktok:
                return try TikTokVideo.normalize(textDocument(header: header, record: record), observedAt: observedAt)
            }
        }
    }

    /// The data rows left in `stream`, each refused unless it has the header's fields (`header`)
    /// in valid UTF-8, else normalized by `normalize`.
    private static func rows(
        of stream: CSVRecordStream, path: String, header: [String], normalize: @escaping (CSVRecord) throws(RecordError) -> NormalizedRecord
    ) -> FileInput {
        let fieldCount = header.count
        var index = 0
        return FileInput(path: path) { progress in
            guard let record = try stream.next() else { return nil }
            defer { index += 1 }
            progress.last = record.offset
            let position = RecordPosition(index: index, line: record.line, offset: record.offset)
            return IngestItem(
                position: position, raw: record.strings.joined(separator: ","),
                outcome: Result { () throws(RecordError) in
                    guard record.count == fieldCount else {
                        throw RecordError(field: "(row)", reason: "\(record.count) fields, the header has \(fieldCount)")
                    }
                    if let bad = record.invalidUTF8() {
                        throw RecordError(
                            field: header[bad.field], reason: "not valid UTF-8 (byte \(bad.byte) of the field); re-export the file as UTF-8"
                        )
                    }
                    return try normalize(record)
                })
        }
    }

    private static func parse(_ raw: RawRecord) throws(RecordError) -> Document {
        if raw.truncated {
            throw RecordError(field: "(record)", reason: "truncated JSON: the file ends inside this record")
        }
        return try jsonObject(raw.text)
    }

    /// One record's JSON text as a document; anything but a valid JSON object is a `(record)` error.
    static func jsonObject(_ text: String) throws(RecordError) -> Document {
        guard text.first == "{" else {
            throw RecordError(field: "(record)", reason: "expected a JSON object, found \(text.prefix(20))")
        }
        do {
            return try Document(extendedJSON: text)
        } catch {
            throw RecordError(field: "(record)", reason: "invalid JSON: \(error)")
        }
    }
}
