import Foundation
import Yams

/// `openapi.yaml` read with Yams, and a JSON Schema check of real responses against it: the
/// subset the spec uses (`$ref`, `type` (one or a list), `enum`, `oneOf`, `required`,
/// `properties`, `additionalProperties`, `items`, `minItems`, `minimum`, `maximum`).
struct OpenAPIContract {
    let spec: [String: Any]

    init() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../openapi.yaml").standardized
        spec = try Yams.load(yaml: String(contentsOf: file, encoding: .utf8)) as? [String: Any] ?? [:]
    }

    private var paths: [String: [String: Any]] { spec["paths"] as? [String: [String: Any]] ?? [:] }

    /// Every documented operation, as `METHOD template`.
    var operations: Set<String> {
        Set(
            paths.flatMap { template, item in
                item.keys.filter { ["get", "post", "put", "delete"].contains($0) }.map { "\($0.uppercased()) \(template)" }
            })
    }

    /// The documented template a concrete path matches (`/v1/models/x/predict` → `/v1/models/{model}/predict`).
    func template(for path: String) -> String? {
        let parts = path.split(separator: "?")[0].split(separator: "/")
        return paths.keys.first { template in
            let pattern = template.split(separator: "/")
            return pattern.count == parts.count && zip(pattern, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }

    /// What is wrong with an answer to `method path` with `status` and `body`, by the spec.
    func problems(method: String, path: String, status: Int, contentType: String, body: Data) -> [String] {
        guard let template = template(for: path) else { return ["\(path) is not documented"] }
        guard let operation = paths[template]?[method.lowercased()] as? [String: Any] else {
            return ["\(method) \(template) is not documented"]
        }
        guard let responses = operation["responses"] as? [String: Any], let response = resolve(responses[String(status)]) else {
            return ["\(method) \(template) does not document status \(status)"]
        }
        let media = contentType.split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
        guard let content = response["content"] as? [String: Any], let documented = content[media] as? [String: Any] else {
            return ["\(method) \(template) \(status) does not document \(media)"]
        }
        guard media == "application/json" else { return [] }
        guard let value = try? JSONSerialization.jsonObject(with: body, options: .fragmentsAllowed) else { return ["the body is not JSON"] }
        return validate(value, documented["schema"], at: "$")
    }

    private func resolve(_ node: Any?) -> [String: Any]? {
        guard var object = node as? [String: Any] else { return nil }
        while let reference = object["$ref"] as? String {
            var target: Any? = spec
            for key in reference.dropFirst(2).split(separator: "/") { target = (target as? [String: Any])?[String(key)] }
            guard let resolved = target as? [String: Any] else { return nil }
            object = resolved
        }
        return object
    }

    func validate(_ value: Any, _ schemaNode: Any?, at location: String) -> [String] {
        guard let schema = resolve(schemaNode) else { return schemaNode == nil ? [] : ["\(location): unresolvable schema"] }
        if let choices = schema["oneOf"] as? [Any] {
            let matching = choices.filter { validate(value, $0, at: location).isEmpty }.count
            return matching == 1 ? [] : ["\(location): matches \(matching) of oneOf's \(choices.count) schemas"]
        }
        var problems: [String] = []
        if let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map({ [$0] }),
            !types.contains(where: { Self.has(value, type: $0) })
        {
            return ["\(location): expected \(types.joined(separator: " or ")), found \(value)"]
        }
        if let options = schema["enum"] as? [String], !options.contains(where: { $0 == value as? String }) {
            problems.append("\(location): \(value) is not one of \(options)")
        }
        if let number = Self.number(value) {
            if let minimum = Self.number(schema["minimum"] as Any), number < minimum {
                problems.append("\(location): \(number) < \(minimum)")
            }
            if let maximum = Self.number(schema["maximum"] as Any), number > maximum {
                problems.append("\(location): \(number) > \(maximum)")
            }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(location).\(name): required, missing")
            }
            for (name, member) in object {
                if let property = properties[name] {
                    problems += validate(member, property, at: "\(location).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(location).\(name): not documented")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    problems += validate(member, additional, at: "\(location).\(name)")
                }
            }
        }
        if let array = value as? [Any] {
            if let minimum = schema["minItems"] as? Int, array.count < minimum {
                problems.append("\(location): fewer than \(minimum) items")
            }
            for (index, item) in array.enumerated() { problems += validate(item, schema["items"], at: "\(location)[\(index)]") }
        }
        return problems
    }

    private static func isBool(_ value: Any) -> Bool { type(of: value) == Bool.self || "\(type(of: value))".contains("Boolean") }

    private static func number(_ value: Any) -> Double? {
        guard !isBool(value) else { return nil }
        return (value as? NSNumber)?.doubleValue ?? (value as? Double) ?? (value as? Int).map(Double.init)
    }

    private static func has(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "boolean": isBool(value)
        case "null": value is NSNull
        case "number": number(value) != nil
        case "integer": number(value).map { $0 == $0.rounded() } ?? false
        default: false
        }
    }
}
