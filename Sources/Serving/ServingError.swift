import EngageML
import Foundation
import Hummingbird
import MongoKit
import NIOCore
import Registry

/// Why a request was not answered with a prediction. Every case renders itself (``HTTPResponseError``):
/// its status and a JSON body `{"error": …, "fields": […]?}` that says what to do. 4xx for what the
/// client sent, 503 for a database that is down or a version the server refused to load (with the
/// reason), 500 only for a bug.
public enum ServingError: Error, Sendable, Equatable {
    /// No such model, version or alias (404).
    case unknownModel(String)
    /// The declared or received body is larger than the limit (413).
    case bodyTooLarge(Int)
    /// The body did not arrive within the body timeout (408).
    case bodyTimeout(Duration)
    /// The body as a whole is unusable (400).
    case malformed(String)
    /// Some instances or documents have bad fields (400); `summary` says which kind.
    case fields(summary: String, [FieldProblem])
    /// The version exists but its artifact was refused (checksum, schema): 503 with the reason.
    case refusedVersion(model: String, reason: String)
    /// The database could not answer: 503 with the error's code (never hosts or server text).
    case databaseUnavailable(operation: String, code: String)
    /// A bug: 500, logged with the detail; the client sees only that it happened.
    case internalError(String)

    /// The database failure `error` met while doing `operation`.
    static func database(_ operation: String, _ error: MongoError) -> ServingError {
        .databaseUnavailable(operation: operation, code: error.code.name)
    }

    /// The model files' refusal or the database's failure behind loading `model`.
    static func loading(_ model: String, _ error: any Error) -> ServingError {
        switch error {
        case let error as MongoError: .database("loading \(model)", error)
        case let error as RegistryError:
            if case .unknownVersion = error { .unknownModel(model) } else { .refusedVersion(model: model, reason: error.description) }
        default: .refusedVersion(model: model, reason: String(describing: error))
        }
    }

    /// The text a client and the log see.
    public var message: String {
        switch self {
        case .unknownModel(let name): "no model \(name); see GET /v1/models"
        case .bodyTooLarge(let limit): "the body is larger than \(limit) bytes"
        case .bodyTimeout(let limit): "the body did not arrive within \(limit); send it whole"
        case .malformed(let message): message
        case .fields(let summary, _): summary
        case .refusedVersion(let model, let reason): "\(model) cannot be served: \(reason)"
        case .databaseUnavailable(let operation, let code):
            "the model registry's database is unavailable (\(code)) while \(operation); try again shortly"
        case .internalError: "internal error; the server log has the details"
        }
    }
}

extension ServingError: HTTPResponseError {
    /// The HTTP status the error answers with.
    public var status: HTTPResponse.Status {
        switch self {
        case .unknownModel: .notFound
        case .bodyTooLarge: .contentTooLarge
        case .bodyTimeout: .requestTimeout
        case .malformed, .fields: .badRequest
        case .refusedVersion, .databaseUnavailable: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }

    /// The JSON answer: `{"error": …, "fields": […]?}`, with `Retry-After` on a 503.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let fields: [FieldProblem]? = if case .fields(_, let problems) = self { problems } else { nil }
        var response = try json(ErrorBody(error: message, fields: fields), status: status)
        if status == .serviceUnavailable { response.headers[.retryAfter] = "5" }
        return response
    }
}

extension RequestFailure {
    /// The same failure as the ``ServingError`` that answers it; `summary` names what had bad fields.
    func serving(summary: String) -> ServingError {
        switch self {
        case .malformed(let message): .malformed(message)
        case .fields(let problems): .fields(summary: summary, problems)
        }
    }
}
