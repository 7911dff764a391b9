import EngageML
import Foundation

/// One field problem of one instance, as a 400 answer lists them.
public struct FieldProblem: Sendable, Codable, Equatable {
    public var instance: Int
    public var field: String
    public var error: String
}

/// The rows of a `{"instances": [{feature: value, …}]}` request, checked against the model's
/// features: every feature present, numeric (or boolean) and finite, nothing extra.
struct InstanceRows {
    let table: FeatureTable
    let count: Int

    enum Failure: Error {
        case malformed(String)
        case fields([FieldProblem])
    }

    static func parse(_ body: Data, features: [String], maxInstances: Int) throws(Failure) -> InstanceRows {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: body)
        } catch {
            throw .malformed("the body is not valid JSON")
        }
        guard let object = json as? [String: Any] else { throw .malformed("the body must be a JSON object") }
        guard let instances = object["instances"] as? [Any] else {
            throw .malformed("expected {\"instances\": [{feature: value, …}]}")
        }
        guard !instances.isEmpty else { throw .malformed("instances is empty") }
        guard instances.count <= maxInstances else { throw .malformed("\(instances.count) instances; at most \(maxInstances) per request") }
        var columns = [[Double]](repeating: [], count: features.count)
        var problems: [FieldProblem] = []
        let known = Set(features)
        for (index, item) in instances.enumerated() {
            guard let instance = item as? [String: Any] else {
                problems.append(FieldProblem(instance: index, field: "(instance)", error: "not an object"))
                continue
            }
            for (j, feature) in features.enumerated() {
                guard let raw = instance[feature], !(raw is NSNull) else {
                    problems.append(FieldProblem(instance: index, field: feature, error: "missing"))
                    columns[j].append(.nan)
                    continue
                }
                guard let value = number(raw) else {
                    problems.append(FieldProblem(instance: index, field: feature, error: "not a number"))
                    columns[j].append(.nan)
                    continue
                }
                guard value.isFinite else {
                    problems.append(FieldProblem(instance: index, field: feature, error: "not finite"))
                    columns[j].append(.nan)
                    continue
                }
                columns[j].append(value)
            }
            for field in instance.keys.sorted() where !known.contains(field) {
                problems.append(FieldProblem(instance: index, field: field, error: "unknown field"))
            }
        }
        guard problems.isEmpty else { throw .fields(problems) }
        do {
            return InstanceRows(table: try FeatureTable(names: features, columns: columns.map { .numeric($0) }), count: instances.count)
        } catch {
            throw .malformed(String(describing: error))
        }
    }

    /// A JSON number or boolean as a Double; text and everything else is not a number.
    static func number(_ value: Any) -> Double? {
        if let flag = value as? Bool, type(of: value) == Bool.self { return flag ? 1 : 0 }
        if let number = value as? NSNumber {
            #if canImport(Darwin)
            if CFGetTypeID(number) == CFBooleanGetTypeID() { return number.boolValue ? 1 : 0 }
            #endif
            return number.doubleValue
        }
        if let number = value as? Double { return number }
        if let number = value as? Int { return Double(number) }
        return nil
    }
}
