import EngageML
import Foundation

/// The Open Inference Protocol V2 (KServe, Triton) shapes EngageML answers with.
enum InferenceProtocol {
    struct Tensor: Codable {
        var name: String
        var shape: [Int]
        var datatype: String
        var data: [Double]?
    }

    struct TensorMetadata: Encodable {
        var name: String
        var datatype: String
        var shape: [Int]
    }

    struct ModelMetadata: Encodable {
        var name: String
        var versions: [String]
        var platform: String
        var inputs: [TensorMetadata]
        var outputs: [TensorMetadata]
    }

    struct InferRequest: Decodable {
        var id: String?
        var inputs: [Tensor]
    }

    struct InferResponse: Encodable {
        var modelName: String
        var modelVersion: String
        var id: String?
        var outputs: [Tensor]

        enum CodingKeys: String, CodingKey {
            case modelName = "model_name", modelVersion = "model_version", id, outputs
        }
    }

    /// Output tensor names by task.
    static func outputNames(_ task: LearningTask) -> [String] {
        switch task {
        case .classification: ["label", "probability"]
        case .regression: ["value"]
        case .clustering: ["cluster", "distance"]
        }
    }

    static func metadata(_ model: ServedModel, versions: [Int]) -> ModelMetadata {
        ModelMetadata(
            name: model.name, versions: versions.map(String.init), platform: "engage-\(model.artifact.metadata.algorithm.rawValue)",
            inputs: model.artifact.features.map { TensorMetadata(name: $0, datatype: "FP64", shape: [-1]) },
            outputs: outputNames(model.artifact.task).map {
                TensorMetadata(name: $0, datatype: $0 == "cluster" ? "INT64" : "FP64", shape: [-1])
            })
    }

    /// Why `shape` does not describe `count` values of one feature (one value per row: `[n]` or
    /// `[n, 1]`), or nil when it does.
    static func shapeProblem(_ shape: [Int], count: Int) -> String? {
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            return "shape \(shape) is not [rows] or [rows, 1]"
        }
        guard shape[0] == count else { return "shape \(shape) says \(shape[0]) rows, data has \(count) values" }
        return nil
    }

    /// Whether `value` is one of `datatype`'s values: integers for INT types, 0 or 1 for BOOL.
    static func isValid(_ value: Double, as datatype: String) -> Bool {
        switch datatype {
        case "BOOL": value == 0 || value == 1
        case "INT64": value.isFinite && value == value.rounded() && abs(value) <= 9.007_199_254_740_992e15
        case "INT32": value.isFinite && value == value.rounded() && abs(value) <= 2_147_483_647
        case "FP32": value.isNaN || abs(value) <= Double(Float.greatestFiniteMagnitude)
        default: true
        }
    }

    /// One input tensor per feature, all of the same length, FP64 (or integer) data.
    static func rows(_ request: InferRequest, features: [String], maxInstances: Int) throws(RequestFailure) -> FeatureTable {
        var byName: [String: [Double]] = [:]
        var problems: [FieldProblem] = []
        for tensor in request.inputs {
            guard features.contains(tensor.name) else {
                problems.append(FieldProblem(instance: -1, field: tensor.name, error: "unknown input"))
                continue
            }
            guard byName[tensor.name] == nil, !problems.contains(where: { $0.field == tensor.name }) else {
                problems.append(FieldProblem(instance: -1, field: tensor.name, error: "given more than once"))
                continue
            }
            guard ["FP64", "FP32", "INT64", "INT32", "BOOL"].contains(tensor.datatype) else {
                problems.append(FieldProblem(instance: -1, field: tensor.name, error: "datatype \(tensor.datatype) is not numeric"))
                continue
            }
            guard let data = tensor.data else {
                problems.append(FieldProblem(instance: -1, field: tensor.name, error: "no data"))
                continue
            }
            if let problem = shapeProblem(tensor.shape, count: data.count) {
                problems.append(FieldProblem(instance: -1, field: tensor.name, error: problem))
                continue
            }
            if let bad = data.firstIndex(where: { !isValid($0, as: tensor.datatype) }) {
                problems.append(
                    FieldProblem(instance: bad, field: tensor.name, error: "\(data[bad]) is not a valid \(tensor.datatype) value"))
                continue
            }
            byName[tensor.name] = data
        }
        for feature in features where byName[feature] == nil && !problems.contains(where: { $0.field == feature }) {
            problems.append(FieldProblem(instance: -1, field: feature, error: "missing"))
        }
        guard problems.isEmpty else { throw .fields(problems) }
        let lengths = Set(byName.values.map(\.count))
        guard lengths.count == 1, let count = lengths.first, count > 0 else {
            throw .malformed("every input needs the same, non-zero number of values")
        }
        guard count <= maxInstances else { throw .malformed("\(count) rows; at most \(maxInstances) per request") }
        do {
            return try FeatureTable(names: features, columns: features.map { .numeric(byName[$0]!) })
        } catch {
            throw .malformed(String(describing: error))
        }
    }
}
