import ArgumentParser
import Collectors
import DelimitedText
import EngageML
import Foundation
import MongoKit
import Registry
import Serving

/// `engage predict NAME[@VERSION|@ALIAS] --from FILE`: scores a file with a registered model, in
/// batches, streamed: rows of the model's features, or raw documents of its feature set's source
/// (features computed as the server computes them, history looked up once per batch). A record
/// that cannot be scored is reported with its position and field and left out; the rest are
/// written in input order.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a file (raw documents or feature rows) with a registered model.",
        discussion: """
            The file is JSON (array, JSON Lines, wrapper object) or CSV. Each record is a feature row when \
            it has every feature of the model (extra fields such as ids are ignored; empty, NA and null \
            are missing and imputed as in training), else a raw document of the model's source (a TikTok \
            item, a TMDB movie; for a video model, a row of a video export, its columns found as \
            engage collect videos finds them), normalized and featurized as engage serve does. --input \
            decides it instead.

            Each output row has the record number (from 1), the record's id when it has one (id, _id, \
            video_id), then label, probability and p_CLASS for each class (classifiers), value (regressors), \
            or cluster and distance (k-means). Records that cannot be scored are reported on standard error \
            with their position and field, counted, and left out.

            Example: engage predict tiktok_virality@production --from new_items.jsonl --out scores.csv
            """)

    /// How the file's records are read.
    enum InputKind: String, ExpressibleByArgument, CaseIterable {
        case auto, documents, features
    }

    /// How the scores are written.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, jsonl
    }

    @OptionGroup var location: ModelsCommand.Location
    @Argument(help: "NAME, NAME@VERSION or NAME@ALIAS.") var model: String
    @Option(help: "The file to score (.json, .jsonl or .csv).", completion: .file(extensions: ["json", "jsonl", "csv"])) var from: String
    @Option(help: "Where to write the scores (default: standard output).", completion: .file()) var out: String?
    @Option(help: "csv or jsonl (default: from --out's extension, else jsonl).") var format: Format?
    @Option(help: "auto, documents or features.") var input = InputKind.auto
    @Option(help: "Records scored per batch (one history lookup per batch).") var batch = 256
    @Option(help: "The platform of every row of a video export without a platform column.") var platform: String?

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
    }

    func run() async throws {
        let (name, reference) = ModelsCommand.parse(model)
        let outputFormat = format ?? (out?.lowercased().hasSuffix(".csv") == true ? .csv : .jsonl)
        let started = ContinuousClock.now
        let summary = try await location.withRegistry { registry in
            let served = try await ServedModel.load(name, reference: reference, from: registry)
            let (records, kind) = try open(for: served)
            let sink = try ScoreSink(path: out)
            var scorer = BatchScorer(
                model: served, database: registry.database, kind: kind, writer: ScoreWriter(model: served, format: outputFormat),
                quiet: location.json)
            var progress = ProgressBar(label: "predict", quiet: location.json)
            var pending: [(position: RecordPosition, document: Document)] = []
            while let item = try records.next() {
                scorer.summary.read += 1
                switch item.outcome {
                case .success(let record): pending.append((item.position, record.document))
                case .failure(let error): scorer.reject(item.position, field: error.field, reason: error.reason)
                }
                if pending.count >= batch {
                    try sink.write(try await scorer.score(pending))
                    pending.removeAll(keepingCapacity: true)
                }
                progress.update(fraction: records.fraction, done: scorer.summary.read, counts: scorer.summary.counts)
            }
            try sink.write(try await scorer.score(pending))
            progress.update(fraction: 1, done: scorer.summary.read, counts: scorer.summary.counts, force: true)
            progress.finish()
            try sink.close()
            var summary = scorer.summary
            summary.model = "\(served.name)@\(served.version)"
            summary.output = out
            return summary
        }
        var finished = summary
        finished.seconds = (ContinuousClock.now - started) / .seconds(1)
        if location.json {
            try printJSON(finished)
        } else {
            FileHandle.standardError.write(Data((finished.text + "\n").utf8))
        }
    }
}

extension PredictCommand {
    /// The file's records, and how to read them. A video export (CSV) scored by a model of
    /// `raw_videos` is read as `engage collect videos` reads it, columns found by name or
    /// pattern, so that its rows are documents of the stored schema (views may be missing: posts
    /// not yet published); any other file is read as it is.
    func open(for model: ServedModel) throws -> (FileInput, InputKind) {
        guard model.featureSet?.source == "raw_videos", from.lowercased().hasSuffix(".csv"), input != .features else {
            return (try FileInput.records(from), input)
        }
        let header = try FileInput.csvHeader(from)
        if input == .auto && model.artifact.features.allSatisfy(header.contains) { return (try FileInput.records(from), .features) }
        let mapping = try VideoColumnMapping(header: header, requiresViews: false)
        if !location.json { FileHandle.standardError.write(Data("column mapping for \(from):\n\(mapping.description)\n".utf8)) }
        return (try FileInput.videos(from, mapping: mapping, platform: platform), .documents)
    }
}

/// What `engage predict` did. Always `read = scored + rejected`.
struct PredictSummary: Encodable {
    /// A record left out, where it is and why.
    struct Problem: Encodable {
        var record: Int
        var line: Int
        var field: String
        var reason: String
    }

    var model = ""
    var input = ""
    var read = 0
    var scored = 0
    var rejected = 0
    var seconds = 0.0
    var output: String?
    /// The first 100 problems.
    var problems: [Problem] = []

    var counts: String { "\(read) read · \(scored) scored · \(rejected) rejected" }

    var text: String {
        let rate = seconds > 0 ? String(format: " (%.0f records/s)", Double(read) / seconds) : ""
        return "\(model) on \(input.isEmpty ? "no" : input) records: read \(read) = scored \(scored) + rejected \(rejected) in "
            + String(format: "%.1f s", seconds) + rate + (output.map { "; written to \($0)" } ?? "")
    }
}

/// Scores batches of records: features from rows or documents, then the model, leaving out (and
/// reporting) each record that fails while keeping the rest of its batch.
struct BatchScorer {
    let model: ServedModel
    let database: MongoDatabase
    var kind: PredictCommand.InputKind
    var writer: ScoreWriter
    let quiet: Bool
    var summary = PredictSummary()

    init(model: ServedModel, database: MongoDatabase, kind: PredictCommand.InputKind, writer: ScoreWriter, quiet: Bool) {
        self.model = model
        self.database = database
        self.kind = kind
        self.writer = writer
        self.quiet = quiet
    }

    mutating func reject(_ position: RecordPosition, field: String, reason: String) {
        summary.rejected += 1
        if summary.problems.count < 100 {
            summary.problems.append(.init(record: position.index + 1, line: position.line, field: field, reason: reason))
        }
        if !quiet { FileHandle.standardError.write(Data("  reject \(position): \(field): \(reason)\n".utf8)) }
    }

    /// The output text of `records`' scores.
    mutating func score(_ records: [(position: RecordPosition, document: Document)]) async throws -> String {
        guard let first = records.first else { return writer.take() }
        if kind == .auto {
            let hasFeatures = model.artifact.features.allSatisfy { first.document[$0] != nil }
            kind = hasFeatures || model.featureSet == nil ? .features : .documents
        }
        summary.input = kind.rawValue
        var kept = records
        var rows: [[String: Double?]] = []
        if kind == .features {
            kept = []
            for record in records {
                do {
                    rows.append(try Self.featureRow(record.document, names: model.artifact.features))
                    kept.append(record)
                } catch {
                    reject(record.position, field: error.field, reason: error.reason)
                }
            }
        }
        // A failing record is named by its index in the batch; it is left out and the rest retried.
        while !kept.isEmpty {
            do {
                let table: FeatureTable
                if kind == .documents {
                    table = try await DocumentRows.compute(kept.map(\.document), for: model, database: database).table
                } else {
                    let columns = model.artifact.features.map { name in FeatureColumn.numeric(rows.map { ($0[name] ?? nil) ?? .nan }) }
                    table = try FeatureTable(names: model.artifact.features, columns: columns)
                }
                let predictions = try model.predictions(table)
                for (record, prediction) in zip(kept, predictions) {
                    writer.write(record: record.position.index + 1, id: Self.id(of: record.document), prediction)
                }
                summary.scored += kept.count
                return writer.take()
            } catch ServingError.fields(let summary, let problems) where !problems.isEmpty {
                let bad = Set(problems.map(\.instance))
                // A problem that names no record of the batch cannot be left out: stop rather than retry forever.
                guard kept.indices.contains(where: bad.contains) else { throw ServingError.fields(summary: summary, problems) }
                for problem in problems where kept.indices.contains(problem.instance) {
                    reject(kept[problem.instance].position, field: problem.field, reason: problem.error)
                }
                let indices = kept.indices.filter { !bad.contains($0) }
                kept = indices.map { kept[$0] }
                if kind == .features { rows = indices.map { rows[$0] } }
            }
        }
        return writer.take()
    }

    /// A feature row from a record: numbers as they are, text parsed as a number, null, empty and
    /// NA missing; a feature the record does not have, or text that is not a number, is an error.
    static func featureRow(_ document: Document, names: [String]) throws(FeatureRowError) -> [String: Double?] {
        var row: [String: Double?] = [:]
        for name in names {
            guard let value = document[name] else { throw FeatureRowError(field: name, reason: "required, missing") }
            switch value {
            case .null: row[name] = .some(nil)
            case .string(let text):
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if ["", "na", "n/a", "#n/a", "nan", "null", "none"].contains(trimmed.lowercased()) {
                    row[name] = .some(nil)
                } else if let number = Double(trimmed), number.isFinite {
                    row[name] = number
                } else {
                    throw FeatureRowError(field: name, reason: "expected a number, found \"\(trimmed.prefix(40))\"")
                }
            default:
                guard let number = value.doubleValue, number.isFinite else {
                    throw FeatureRowError(field: name, reason: "expected a number, found \(value)")
                }
                row[name] = number
            }
        }
        return row
    }

    /// The record's own id, when it has one.
    static func id(of document: Document) -> String? {
        for key in ["id", "_id", "video_id"] {
            switch document[key] {
            case .string(let text)?: return text
            case let value? where value.doubleValue != nil: return Prediction.text(of: value.doubleValue ?? 0)
            default: continue
            }
        }
        return nil
    }
}

/// A field of a record that is not a usable feature value.
struct FeatureRowError: Error {
    var field: String
    var reason: String
}

/// Writes scores as CSV (a header, then one row per record) or JSON Lines.
struct ScoreWriter {
    let model: ServedModel
    let format: PredictCommand.Format
    private var csv = CSVWriter()
    private var lines = ""
    private var wroteHeader = false

    init(model: ServedModel, format: PredictCommand.Format) {
        self.model = model
        self.format = format
    }

    private var header: [String] {
        switch model.artifact.task {
        case .classification: ["record", "id", "label", "probability"] + model.classNames.map { "p_\($0)" }
        case .regression: ["record", "id", "value"]
        case .clustering: ["record", "id", "cluster", "distance"]
        }
    }

    mutating func write(record: Int, id: String?, _ prediction: Prediction) {
        switch format {
        case .csv:
            if !wroteHeader {
                csv.write(header.map { .text($0) })
                wroteHeader = true
            }
            var fields: [CSVWriter.Field] = [.number(String(record)), id.map { .text($0) } ?? .empty]
            func number(_ value: Double?) -> CSVWriter.Field { value.map { .number(Prediction.text(of: $0)) } ?? .empty }
            if let label = prediction.label {
                fields += [.text(model.labelText(label)), number(prediction.probability)]
                fields += (prediction.probabilities ?? []).map { number($0) }
            } else if let cluster = prediction.cluster {
                fields += [.number(String(cluster)), number(prediction.distance)]
            } else {
                fields.append(number(prediction.value))
            }
            csv.write(fields)
        case .jsonl:
            var object: [String: Any] = ["record": record]
            if let id { object["id"] = id }
            if let label = prediction.label {
                object["label"] = model.artifact.classLabels == nil ? label as Any : model.labelText(label)
                object["probability"] = prediction.probability
                if let probabilities = prediction.probabilities {
                    object["probabilities"] = Dictionary(uniqueKeysWithValues: zip(model.classNames, probabilities))
                }
            } else if let cluster = prediction.cluster {
                object["cluster"] = cluster
                object["distance"] = prediction.distance
            } else {
                object["value"] = prediction.value ?? NSNull()
            }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            lines += String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// What has been written since the last call.
    mutating func take() -> String {
        switch format {
        case .csv:
            if !wroteHeader {
                csv.write(header.map { .text($0) })
                wroteHeader = true
            }
            return csv.take()
        case .jsonl:
            defer { lines = "" }
            return lines
        }
    }
}

/// Standard output, or a file written to a temporary name and moved into place when complete,
/// so an interrupted run never leaves a partial file that looks finished.
final class ScoreSink {
    private let handle: FileHandle
    private let path: String?
    private let partial: String?

    init(path: String?) throws {
        self.path = path
        guard let path else {
            handle = .standardOutput
            partial = nil
            return
        }
        let partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil) else {
            throw ValidationError("cannot write \(partial): check that its folder exists and is writable")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        self.partial = partial
    }

    func write(_ text: String) throws {
        guard !text.isEmpty else { return }
        try handle.write(contentsOf: Data(text.utf8))
    }

    func close() throws {
        guard let path, let partial else { return }
        try handle.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: partial, toPath: path)
    }
}
