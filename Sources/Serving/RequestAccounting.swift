import Hummingbird
import Logging

/// Every request's outcome, in one place: errors that render themselves (``HTTPResponseError``,
/// such as ``ServingError``) become their answer, anything else becomes a logged 500 with a JSON
/// body; each answer is counted in ``ServerMetrics`` under its route template and a bounded model
/// label; every 5xx is logged (503 at warning with its reason, 500 at error with the detail).
struct RequestAccounting<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    let store: ModelStore
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        var failure: String?
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
            failure = (error as? ServingError).map { detail($0) } ?? String(describing: error)
        } catch {
            response = try ServingError.internalError(String(describing: error)).response(from: request, context: context)
            failure = String(describing: error)
        }
        let route = context.endpointPath ?? "(unmatched)"
        let model = context.parameters.get("model").map { store.serves($0) ? $0 : ServerMetrics.unknownModel } ?? ""
        metrics.record(route: route, model: model, status: Int(response.status.code), duration: ContinuousClock.now - start)
        if response.status.code >= 500 {
            let metadata: Logger.Metadata = [
                "http.route": "\(route)", "http.status": "\(response.status.code)", "model.name": "\(model)",
                "error": "\(failure ?? "(no detail)")",
            ]
            if response.status == .internalServerError {
                logger.error("request failed", metadata: metadata)
            } else {
                logger.warning("request not answered", metadata: metadata)
            }
        }
        return response
    }

    /// What the log says of a serving error: the client's message, plus the hidden detail of a bug.
    private func detail(_ error: ServingError) -> String {
        if case .internalError(let detail) = error { return detail }
        return error.message
    }
}

/// Answers 405 (with `Allow`) to methods no route uses, instead of the router's 404. HEAD is
/// answered by the GET routes themselves (the router generates HEAD endpoints).
struct MethodGuard<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.get, .post, .head].contains(request.method) else {
            var response = try json(ErrorBody(error: "method \(request.method) is not allowed; use GET or POST"), status: .methodNotAllowed)
            response.headers[.allow] = "GET, HEAD, POST"
            return response
        }
        return try await next(request, context)
    }
}
