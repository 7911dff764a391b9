import EngageML
import Foundation
import MongoKit

/// One field problem of one instance (or document), as a 400 answer lists them.
public struct FieldProblem: Sendable, Codable, Equatable {
    /// The 0-based instance or document (-1 for a whole V2 input tensor).
    public var instance: Int
    /// The field at fault.
    public var field: String
    /// What is wrong with it.
    public var error: String
}

/// A client error in a prediction request, answered with 400.
enum RequestFailure: Error {
    /// The body as a whole is unusable (not JSON, wrong shape, too many instances).
    case malformed(String)
    /// Some instances have bad fields; every problem is listed.
    case fields([FieldProblem])
}

/// The body of `POST …/predict`: feature rows, or raw source documents to compute them from.
enum PredictionRequest {
    case instances(InstanceRows)
    case documents([Document])

    /// Reads `{"instances": [{feature: value, …}]}` or `{"documents": [{…raw document…}]}`.
    static func parse(_ body: UnsafeRawBufferPointer, features: FeatureKeys, maxInstances: Int) throws(RequestFailure) -> PredictionRequest
    {
        var scanner = JSONScanner(body)
        do {
            try scanner.expect(UInt8(ascii: "{"), "a JSON object")
            guard !scanner.consume(UInt8(ascii: "}")) else { throw RequestFailure.malformed(expectedShape) }
            let key = try scanner.string().text
            try scanner.expect(UInt8(ascii: ":"), "':'")
            switch key {
            case "instances":
                let rows = try InstanceRows.read(&scanner, features: features, maxInstances: maxInstances)
                guard try !scanner.more(closing: UInt8(ascii: "}")), scanner.atEnd else {
                    throw RequestFailure.malformed("only one key is allowed: instances or documents")
                }
                return .instances(rows)
            case "documents":
                return .documents(try documents(body, maxInstances: maxInstances))
            default:
                throw RequestFailure.malformed("unknown key \"\(key.prefix(40))\"; \(expectedShape)")
            }
        } catch let failure as JSONScanner.Failure {
            throw .malformed("the body is not valid JSON: expected \(failure.expected) at byte \(failure.offset)")
        } catch let failure as RequestFailure {
            throw failure
        } catch {
            throw .malformed(String(describing: error))
        }
    }

    static let expectedShape = "expected {\"instances\": [{feature: value, …}]} or {\"documents\": [{…raw document…}]}"

    private static func documents(_ body: UnsafeRawBufferPointer, maxInstances: Int) throws(RequestFailure) -> [Document] {
        let wrapper: Document
        do {
            wrapper = try Document(extendedJSON: String(decoding: body, as: UTF8.self))
        } catch {
            throw .malformed("the body is not valid JSON: \(error)")
        }
        guard wrapper.count == 1, case .array(let items)? = wrapper["documents"] else {
            throw .malformed("only one key is allowed: instances or documents")
        }
        guard !items.isEmpty else { throw .malformed("documents is empty") }
        guard items.count <= maxInstances else { throw .malformed("\(items.count) documents; at most \(maxInstances) per request") }
        var documents: [Document] = []
        var problems: [FieldProblem] = []
        for (index, item) in items.enumerated() {
            if case .document(let document) = item {
                documents.append(document)
            } else {
                problems.append(FieldProblem(instance: index, field: "(document)", error: "not an object"))
            }
        }
        guard problems.isEmpty else { throw .fields(problems) }
        return documents
    }
}

/// A model's feature names, ready to match request keys against without allocating: the
/// feature expected next is tried first as raw bytes (clients usually send features in the
/// model's order), then the key is read and looked up by name.
struct FeatureKeys: Sendable {
    let names: [String]
    /// Each name as a JSON string, `"name"`, one after another; `quotedEnds[j]` ends the j-th.
    private let quoted: [UInt8]
    private let quotedEnds: [Int]
    private let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        // Spelled as the answer writer spells them; a key escaped any other way is found by name.
        var quoted = JSONWriter(capacity: names.reduce(0) { $0 + $1.utf8.count + 2 })
        var quotedEnds: [Int] = []
        for name in names {
            quoted.string(name)
            quotedEnds.append(quoted.bytes.count)
        }
        self.quoted = quoted.bytes
        self.quotedEnds = quotedEnds
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var count: Int { names.count }

    /// Consumes the key if it is the `expected` feature's name as JSON spells it; true when it was.
    @inline(__always)
    func consumeKey(_ expected: Int, from scanner: inout JSONScanner) -> Bool {
        guard expected < quotedEnds.count else { return false }
        let start = expected == 0 ? 0 : quotedEnds[expected - 1]
        return quoted.withUnsafeBytes { scanner.consume(bytes: UnsafeRawBufferPointer(rebasing: $0[start..<quotedEnds[expected]])) }
    }

    /// The position of the feature spelled by `key`.
    func position(of key: JSONScanner.Text) -> Int? {
        guard let raw = key.raw else { return key.decoded.flatMap { index[$0] } }
        return index[String(decoding: raw, as: UTF8.self)]
    }
}

/// Feature rows read from `[{feature: value, …}, …]`, checked against the model's features: every
/// feature present, a number (or boolean) and finite, none unknown or repeated.
struct InstanceRows {
    let table: FeatureTable

    static func read(_ scanner: inout JSONScanner, features: FeatureKeys, maxInstances: Int) throws -> InstanceRows {
        try scanner.expect(UInt8(ascii: "["), "an array of instances")
        guard !scanner.consume(UInt8(ascii: "]")) else { throw RequestFailure.malformed("instances is empty") }
        let width = features.count
        var values: [Double] = []  // row-major, `width` a row
        values.reserveCapacity(width * 64)
        var problems: [FieldProblem] = []
        // The instance each feature was last given in, so nothing needs resetting per instance.
        var givenIn = [Int](repeating: -1, count: width)
        var index = 0
        repeat {
            guard index < maxInstances else {
                throw RequestFailure.malformed("more than \(maxInstances) instances; at most \(maxInstances) per request")
            }
            let base = values.count
            values.append(contentsOf: repeatElement(.nan, count: width))
            guard scanner.consume(UInt8(ascii: "{")) else {
                try scanner.skipValue()
                problems.append(FieldProblem(instance: index, field: "(instance)", error: "not an object"))
                index += 1
                continue
            }
            var next = 0
            if !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let position: Int
                    if features.consumeKey(next, from: &scanner) {
                        try scanner.expect(UInt8(ascii: ":"), "':'")
                        position = next
                    } else {
                        let key = try scanner.string()
                        try scanner.expect(UInt8(ascii: ":"), "':'")
                        guard let found = features.position(of: key) else {
                            try scanner.skipValue()
                            problems.append(FieldProblem(instance: index, field: key.text, error: "unknown field"))
                            continue
                        }
                        position = found
                    }
                    next = position + 1
                    if givenIn[position] == index {
                        problems.append(FieldProblem(instance: index, field: features.names[position], error: "given twice"))
                    }
                    givenIn[position] = index
                    if let problem = try readValue(&scanner, into: &values[base + position]) {
                        problems.append(FieldProblem(instance: index, field: features.names[position], error: problem))
                    }
                } while try scanner.more(closing: UInt8(ascii: "}"))
            }
            for j in 0..<width where givenIn[j] != index {
                problems.append(FieldProblem(instance: index, field: features.names[j], error: "missing"))
            }
            index += 1
        } while try scanner.more(closing: UInt8(ascii: "]"))
        guard problems.isEmpty else { throw RequestFailure.fields(problems) }
        let rows = index
        let columns = (0..<width).map { j in FeatureColumn.numeric((0..<rows).map { values[$0 * width + j] }) }
        return InstanceRows(table: try FeatureTable(names: features.names, columns: columns))
    }

    /// Reads one feature value into `slot`; returns what is wrong with it, if anything.
    @inline(__always)
    private static func readValue(_ scanner: inout JSONScanner, into slot: inout Double) throws(JSONScanner.Failure) -> String? {
        if let number = try scanner.number() {
            guard number.isFinite else { return "not finite" }
            slot = number
            return nil
        }
        switch scanner.literal() {
        case .some(.some(let flag)):
            slot = flag ? 1 : 0
            return nil
        case .some(.none):
            // A declared-missing value: the model's pipeline fills it as training did (the
            // training median; trees send it the way their missing values went).
            slot = .nan
            return nil
        case .none:
            try scanner.skipValue()
            return "not a number"
        }
    }
}
